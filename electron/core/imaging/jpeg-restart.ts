import { u16 } from '../compliance/bytes.ts';
import { isSof, walkJpeg } from '../compliance/jpeg.ts';

/**
 * Baseline JPEGs with restart markers, cut at their restart intervals. Each interval is coded on
 * its own (DC prediction starts afresh after every RSTn), so a rectangle of intervals can be
 * decoded by itself, and replaced by the same rectangle encoded elsewhere with the same tables,
 * without decoding or re-encoding anything else. Pure byte work: no entropy decoding.
 */

export interface RestartIndex {
  bytes: Uint8Array;
  width: number;
  height: number;
  /** MCU size in pixels (16 × 16 for 4:2:0). */
  mcuWidth: number;
  mcuHeight: number;
  mcusPerRow: number;
  mcuRows: number;
  /** MCUs per restart interval; it divides a row, so intervals form a grid. */
  interval: number;
  intervalsPerRow: number;
  /** Header segments between SOI and the scan (APPn, DQT, SOF0, DHT, DRI, SOS), each marker included. */
  segments: { marker: number; start: number; end: number }[];
  /** Bytes of the quantisation and Huffman tables, to check two files can be spliced. */
  tables: string;
  /** Entropy-coded bytes of interval i: [starts[i], ends[i]). */
  starts: Int32Array;
  ends: Int32Array;
}

/** A rectangle of restart intervals: MCU rows [row0, row1) × interval columns [col0, col1). */
export interface IntervalRect {
  row0: number;
  row1: number;
  col0: number;
  col1: number;
}

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const SOF0 = 0xc0;
const DHT = 0xc4;
const DQT = 0xdb;
const DRI = 0xdd;

/** The restart index of a baseline JPEG whose intervals tile its MCU rows; null for any other JPEG. */
export function indexRestarts(bytes: Uint8Array): RestartIndex | null {
  if (bytes[0] !== 0xff || bytes[1] !== SOI) return null;
  const walk = walkJpeg(bytes, bytes.length);
  if (!walk.ok) return null;
  const { sos } = walk.value;
  const scanStart = sos + 2 + u16(bytes, sos + 2);
  const segments: RestartIndex['segments'] = [...walk.value.segments, { marker: SOS, start: sos, end: scanStart }];
  let tables = '';
  let width = 0;
  let height = 0;
  let hMax = 0;
  let vMax = 0;
  let interval = 0;
  for (const { marker, start: pos, end } of walk.value.segments) {
    if (marker === SOF0) {
      height = u16(bytes, pos + 5);
      width = u16(bytes, pos + 7);
      const components = bytes[pos + 9]!;
      for (let c = 0; c < components; c++) {
        const sampling = bytes[pos + 11 + c * 3]!;
        hMax = Math.max(hMax, sampling >> 4);
        vMax = Math.max(vMax, sampling & 15);
      }
      // One-component scans are not interleaved: their MCU is one 8 × 8 block.
      if (components === 1) hMax = vMax = 1;
    } else if (marker === DQT || marker === DHT) {
      tables += Buffer.from(bytes.subarray(pos, end)).toString('latin1');
    } else if (marker === DRI) {
      interval = u16(bytes, pos + 4);
    } else if (isSof(marker)) {
      return null; // progressive, lossless, arithmetic: not cut here
    }
  }
  if (scanStart > bytes.length || !width || !height || !interval || !hMax) return null;
  const mcuWidth = hMax * 8;
  const mcuHeight = vMax * 8;
  const mcusPerRow = Math.ceil(width / mcuWidth);
  const mcuRows = Math.ceil(height / mcuHeight);
  if (mcusPerRow % interval !== 0) return null;
  const count = (mcusPerRow / interval) * mcuRows;
  const starts = new Int32Array(count);
  const ends = new Int32Array(count);
  const marker = Buffer.from([0xff, 0xd0]);
  const haystack = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = scanStart;
  for (let i = 0; i < count - 1; i++) {
    // Inside entropy-coded data a 0xFF byte is always followed by 0x00, so FF Dn is the marker.
    marker[1] = 0xd0 + (i & 7);
    const next = haystack.indexOf(marker, at);
    if (next < 0) return null;
    starts[i] = at;
    ends[i] = next;
    at = next + 2;
  }
  const eoi = bytes.length - 2;
  if (bytes[eoi] !== 0xff || bytes[eoi + 1] !== EOI || eoi < at) return null;
  starts[count - 1] = at;
  ends[count - 1] = eoi;
  return { bytes, width, height, mcuWidth, mcuHeight, mcusPerRow, mcuRows, interval, intervalsPerRow: mcusPerRow / interval, segments, tables, starts, ends };
}

/** The pixel rectangle a rectangle of intervals covers (clipped to the image). */
export function rectPixels(index: RestartIndex, r: IntervalRect): { left: number; top: number; width: number; height: number } {
  const left = r.col0 * index.interval * index.mcuWidth;
  const top = r.row0 * index.mcuHeight;
  return {
    left,
    top,
    width: Math.min(index.width, r.col1 * index.interval * index.mcuWidth) - left,
    height: Math.min(index.height, r.row1 * index.mcuHeight) - top,
  };
}

/** The smallest rectangle of intervals holding the pixel box, grown by `margin` intervals/rows where the image allows. */
export function intervalsCovering(index: RestartIndex, box: { left: number; top: number; width: number; height: number }, margin = 0): IntervalRect {
  const colWidth = index.interval * index.mcuWidth;
  const clamp = (v: number, max: number) => Math.max(0, Math.min(max, v));
  return {
    row0: clamp(Math.floor(box.top / index.mcuHeight) - margin, index.mcuRows),
    row1: clamp(Math.ceil((box.top + box.height) / index.mcuHeight) + margin, index.mcuRows),
    col0: clamp(Math.floor(box.left / colWidth) - margin, index.intervalsPerRow),
    col1: clamp(Math.ceil((box.left + box.width) / colWidth) + margin, index.intervalsPerRow),
  };
}

const RST = Array.from({ length: 8 }, (_, n) => Uint8Array.of(0xff, 0xd0 + n));
const END = Uint8Array.of(0xff, EOI);
const rst = (n: number): Uint8Array => RST[n & 7]!;

/** A JPEG of just the intervals in `r`: the same tables and restart interval, the frame size of the rectangle. */
export function extractIntervals(index: RestartIndex, r: IntervalRect): Buffer {
  const { bytes } = index;
  const size = rectPixels(index, r);
  const pieces: Uint8Array[] = [Uint8Array.of(0xff, SOI)];
  for (const s of index.segments) {
    if (s.marker >= 0xe0 && s.marker <= 0xef) continue; // APPn: not needed to decode
    const seg = new Uint8Array(bytes.subarray(s.start, s.end)); // a copy: the frame size is patched
    if (s.marker === SOF0) {
      seg[5] = size.height >> 8;
      seg[6] = size.height & 255;
      seg[7] = size.width >> 8;
      seg[8] = size.width & 255;
    }
    pieces.push(seg);
  }
  let n = 0;
  for (let row = r.row0; row < r.row1; row++) {
    for (let col = r.col0; col < r.col1; col++) {
      if (n > 0) pieces.push(rst(n - 1));
      const i = row * index.intervalsPerRow + col;
      pieces.push(bytes.subarray(index.starts[i]!, index.ends[i]!));
      n++;
    }
  }
  pieces.push(END);
  return Buffer.concat(pieces);
}

/**
 * `index` with the intervals of `r` replaced by those of `patch`, a JPEG of exactly that
 * rectangle (its pixel size, the same tables, sampling and restart interval), written into
 * `space(length)`. Throws if the patch does not fit.
 */
export function replaceIntervals<T extends Uint8Array>(index: RestartIndex, r: IntervalRect, patch: RestartIndex, space: (bytes: number) => T): T {
  const size = rectPixels(index, r);
  const cols = r.col1 - r.col0;
  if (patch.width !== size.width || patch.height !== size.height) throw new Error(`patch is ${patch.width}x${patch.height}, the rectangle ${size.width}x${size.height}`);
  if (patch.tables !== index.tables || patch.interval !== index.interval || patch.mcuWidth !== index.mcuWidth || patch.mcuHeight !== index.mcuHeight) {
    throw new Error('patch was encoded with other tables, sampling or restart interval');
  }
  if (patch.intervalsPerRow !== cols || patch.mcuRows !== r.row1 - r.row0) throw new Error('patch intervals do not match the rectangle');
  // Everything between two replaced intervals (restart markers included: the intervals keep
  // their places, so their numbers stay right) is copied as one run, not interval by interval.
  const { bytes } = index;
  const pieces: Uint8Array[] = [];
  let from = 0;
  for (let row = r.row0; row < r.row1; row++) {
    for (let col = r.col0; col < r.col1; col++) {
      const i = row * index.intervalsPerRow + col;
      const j = (row - r.row0) * cols + (col - r.col0);
      pieces.push(bytes.subarray(from, index.starts[i]!), patch.bytes.subarray(patch.starts[j]!, patch.ends[j]!));
      from = index.ends[i]!;
    }
  }
  pieces.push(bytes.subarray(from));
  const out = space(pieces.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
