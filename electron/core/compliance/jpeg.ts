import { locatePhotoshopResolution, locateTiffResolution } from '../imaging/density.ts';
import { ascii, put16, put32, u16 } from './bytes.ts';
import { readExifEssentials } from './exif.ts';
import { iccLabel, readIccSummary } from './icc.ts';

/** One marker segment of a JPEG header: `start` is the 0xFF, `data` the first byte after the length field. */
export interface JpegSegment {
  marker: number;
  start: number;
  data: number;
  end: number;
}

export type Walk<T> = { ok: true; value: T } | { ok: false; needMore: number } | { ok: false; error: string };

/**
 * The header segments of a JPEG, up to its first scan (SOS). Asks for more bytes when the header
 * runs past the end of `b` and the file is longer; a header cut short in a complete file is an error.
 */
export function walkJpeg(b: Uint8Array, fileSize: number): Walk<{ segments: JpegSegment[]; sos: number }> {
  const segments: JpegSegment[] = [];
  const more = (upTo: number): Walk<never> =>
    b.length < fileSize ? { ok: false, needMore: Math.min(fileSize, Math.max(upTo, b.length * 2)) } : { ok: false, error: 'the file ends inside its header' };
  let o = 2;
  for (;;) {
    if (o + 4 > b.length) return more(o + 65_540);
    if (b[o] !== 0xff) return { ok: false, error: `there is no marker at byte ${o} of the header` };
    const marker = b[o + 1]!;
    if (marker === 0xff) { o++; continue; } // fill byte
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { o += 2; continue; }
    if (marker === 0xd9) return { ok: false, error: 'the file ends (end-of-image marker) before any image data' };
    if (marker === 0xda) return { ok: true, value: { segments, sos: o } };
    const len = u16(b, o + 2);
    if (len < 2) return { ok: false, error: `a header segment at byte ${o} has an impossible length` };
    if (o + 2 + len > b.length) return more(o + 2 + len + 4096);
    segments.push({ marker, start: o, data: o + 4, end: o + 2 + len });
    o += 2 + len;
  }
}

export interface JpegHeader {
  width: number;
  height: number;
  precision: number;
  components: number;
  progressive: boolean;
  colourModel: 'rgb' | 'gray' | 'cmyk' | 'ycck';
  /** How libjpeg will read three components: YCbCr (JFIF, the common case) or plain RGB. */
  storedAsRgb: boolean;
  iccProfile: string | null;
  capturedAt: string | null;
  orientation: number | null;
  hasJfif: boolean;
  sos: number;
}

/** A start-of-frame marker (SOF0–SOF15 but DHT, JPG and DAC). */
export const isSof = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

export function readJpegHeader(b: Uint8Array, fileSize: number): Walk<JpegHeader> {
  const walk = walkJpeg(b, fileSize);
  if (!walk.ok) return walk;
  let sof: JpegSegment | null = null;
  let adobeTransform: number | null = null;
  let hasJfif = false;
  const icc: { seq: number; data: Uint8Array }[] = [];
  let exif = { capturedAt: null as string | null, orientation: null as number | null };
  for (const s of walk.value.segments) {
    if (isSof(s.marker) && !sof) sof = s;
    else if (s.marker === 0xe0 && ascii(b, s.data, 'JFIF\0')) hasJfif = true;
    else if (s.marker === 0xee && ascii(b, s.data, 'Adobe') && s.end - s.data >= 12) adobeTransform = b[s.data + 11]!;
    else if (s.marker === 0xe2 && ascii(b, s.data, 'ICC_PROFILE\0') && s.end - s.data > 14) icc.push({ seq: b[s.data + 12]!, data: b.subarray(s.data + 14, s.end) });
    else if (s.marker === 0xe1 && ascii(b, s.data, 'Exif\0') && exif.capturedAt === null) exif = readExifEssentials(b, s.data + 6, s.end);
  }
  if (!sof || sof.end - sof.data < 6) return { ok: false, error: 'the header has no frame (SOF) segment, so the pixel size is unknown' };
  const precision = b[sof.data]!;
  const height = u16(b, sof.data + 1);
  const width = u16(b, sof.data + 3);
  const components = b[sof.data + 5]!;
  if (width === 0 || height === 0) return { ok: false, error: `the frame header declares ${width} x ${height} pixels` };
  const ids = [b[sof.data + 6], b[sof.data + 9], b[sof.data + 12]];
  const storedAsRgb = components === 3 && !hasJfif && (adobeTransform === 0 || (adobeTransform === null && ids[0] === 0x52 && ids[1] === 0x47 && ids[2] === 0x42));
  const colourModel = components === 1 ? 'gray' : components === 4 ? (adobeTransform === 2 ? 'ycck' : 'cmyk') : 'rgb';
  let iccProfile: string | null = null;
  if (icc.length) {
    icc.sort((a, c) => a.seq - c.seq);
    const total = icc.reduce((n, c) => n + c.data.length, 0);
    const whole = new Uint8Array(total);
    let at = 0;
    for (const c of icc) { whole.set(c.data, at); at += c.data.length; }
    iccProfile = iccLabel(readIccSummary(whole));
  }
  return {
    ok: true,
    value: {
      width, height, precision, components, colourModel, storedAsRgb, iccProfile, hasJfif,
      progressive: sof.marker === 0xc2 || sof.marker === 0xc6 || sof.marker === 0xca || sof.marker === 0xce,
      capturedAt: exif.capturedAt, orientation: exif.orientation, sos: walk.value.sos,
    },
  };
}

/**
 * Whether the compressed data after the first scan ends with an end-of-image marker (FFD9).
 * In entropy-coded data every 0xFF is followed by 0x00 or a restart marker, so FFD9 there is the
 * real end. `tail` holds the file's last bytes starting at `tailStart`; trailing bytes after
 * the marker (padding, a phone's appended data) are allowed and counted.
 */
export function jpegEnd(tail: Uint8Array, tailStart: number, sos: number, fileSize: number): { found: boolean; trailing: number } {
  for (let i = tail.length - 2; i >= 0 && tailStart + i >= sos; i--) {
    if (tail[i] === 0xff && tail[i + 1] === 0xd9) return { found: true, trailing: fileSize - (tailStart + i + 2) };
  }
  return { found: false, trailing: 0 };
}

/**
 * Follows the scans from the first SOS to the end-of-image marker through the whole file (the
 * fallback when the end is not in the tail, e.g. a long trailer). Returns the offset after FFD9, or -1.
 */
export function scanToEoi(b: Uint8Array, sos: number): number {
  let o = sos;
  while (o + 1 < b.length) {
    if (b[o] !== 0xff) { o++; continue; }
    const m = b[o + 1]!;
    if (m === 0x00 || m === 0xff || (m >= 0xd0 && m <= 0xd7) || m === 0x01) { o += m === 0xff ? 1 : 2; continue; }
    if (m === 0xd9) return o + 2;
    // A segment between scans (DHT, DQT, SOS of the next scan, …): skip its length.
    if (o + 4 > b.length) return -1;
    o += 2 + u16(b, o + 2);
  }
  return -1;
}

export interface DensityEdit {
  bytes: Uint8Array;
  /** Which declarations now carry the density. */
  wrote: ('JFIF' | 'EXIF' | 'Photoshop' | 'pHYs')[];
  /** A segment or chunk was inserted (at this offset, this many bytes). */
  inserted: { offset: number; length: number } | null;
}

/**
 * Sets the density of a JPEG to `dpi` per inch by rewriting header fields in place: the JFIF APP0
 * units and densities, EXIF IFD0 XResolution/YResolution/ResolutionUnit, and Photoshop's
 * ResolutionInfo. The compressed pixels are not touched. When there is no JFIF APP0 one is
 * inserted after SOI, except where a JFIF marker would change how the pixels are read (libjpeg
 * treats any three-component JFIF image as YCbCr, so an RGB-coded JPEG must not get one; CMYK has
 * no JFIF): those get a minimal EXIF block instead when they have none.
 */
export function setJpegDensity(input: Uint8Array, dpi: number): DensityEdit {
  if (!Number.isInteger(dpi) || dpi < 1 || dpi > 65_535) throw new RangeError(`A JPEG density must be a whole number from 1 to 65535, not ${dpi}.`);
  const header = readJpegHeader(input, input.length);
  if (!header.ok) throw new Error('error' in header ? `The JPEG header cannot be read: ${header.error}.` : 'The JPEG header is incomplete.');
  const walk = walkJpeg(input, input.length);
  if (!walk.ok) throw new Error('The JPEG header cannot be read.');
  const b = new Uint8Array(input);
  const wrote: DensityEdit['wrote'] = [];
  let exifHasResolution = false;
  let hasExif = false;
  for (const s of walk.value.segments) {
    if (s.marker === 0xe0 && ascii(b, s.data, 'JFIF\0') && s.end - s.data >= 12) {
      b[s.data + 7] = 1;
      put16(b, s.data + 8, dpi);
      put16(b, s.data + 10, dpi);
      wrote.push('JFIF');
    } else if (s.marker === 0xe1 && ascii(b, s.data, 'Exif\0')) {
      hasExif = true;
      const f = locateTiffResolution(b, s.data + 6, s.end);
      if (f && (f.x || f.y)) {
        for (const field of [f.x, f.y]) if (field) writeTiffNumber(b, field, dpi, f.littleEndian);
        if (f.unit) writeTiffNumber(b, f.unit, 2, f.littleEndian);
        exifHasResolution = true;
        wrote.push('EXIF');
      }
    } else if (s.marker === 0xed && ascii(b, s.data, 'Photoshop 3.0\0')) {
      const at = locatePhotoshopResolution(b, s.data + 14, s.end);
      if (at >= 0) {
        put32(b, at, dpi * 65536);
        put16(b, at + 4, 1);
        put32(b, at + 8, dpi * 65536);
        put16(b, at + 12, 1);
        wrote.push('Photoshop');
      }
    }
  }
  const h = header.value;
  const jfifSafe = h.components === 1 || (h.components === 3 && !h.storedAsRgb);
  let segment: Uint8Array | null = null;
  if (!h.hasJfif && jfifSafe) {
    segment = jfifSegment(dpi);
    wrote.unshift('JFIF');
  } else if (!h.hasJfif && !exifHasResolution) {
    if (hasExif) throw new Error('This JPEG has an EXIF block without resolution fields and cannot take a JFIF header; its density cannot be set without rebuilding the EXIF block.');
    segment = exifResolutionSegment(dpi);
    wrote.unshift('EXIF');
  }
  if (!segment) return { bytes: b, wrote, inserted: null };
  const out = new Uint8Array(b.length + segment.length);
  out.set(b.subarray(0, 2), 0);
  out.set(segment, 2);
  out.set(b.subarray(2), 2 + segment.length);
  return { bytes: out, wrote, inserted: { offset: 2, length: segment.length } };
}

function writeTiffNumber(b: Uint8Array, f: { type: number; at: number }, value: number, le: boolean): void {
  if (f.type === 3) put16(b, f.at, value, le);
  else if (f.type === 4) put32(b, f.at, value, le);
  else {
    put32(b, f.at, value, le);
    put32(b, f.at + 4, 1, le);
  }
}

/** A JFIF 1.02 APP0 segment with the density per inch and no thumbnail. */
export function jfifSegment(dpi: number): Uint8Array {
  const s = new Uint8Array(18);
  s.set([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x02, 0x01]);
  put16(s, 12, dpi);
  put16(s, 14, dpi);
  return s; // thumbnail width and height stay 0
}

/** A minimal EXIF APP1: IFD0 with XResolution, YResolution (dpi/1) and ResolutionUnit = inch. */
export function exifResolutionSegment(dpi: number): Uint8Array {
  const tiff = new Uint8Array(66);
  tiff.set([0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8]);
  put16(tiff, 8, 3);
  const entry = (i: number, tag: number, type: number, value: number) => {
    const e = 10 + i * 12;
    put16(tiff, e, tag);
    put16(tiff, e + 2, type);
    put32(tiff, e + 4, 1);
    if (type === 3) put16(tiff, e + 8, value);
    else put32(tiff, e + 8, value);
  };
  entry(0, 0x011a, 5, 50);
  entry(1, 0x011b, 5, 58);
  entry(2, 0x0128, 3, 2);
  // next IFD offset (46..49) stays 0
  put32(tiff, 50, dpi);
  put32(tiff, 54, 1);
  put32(tiff, 58, dpi);
  put32(tiff, 62, 1);
  const s = new Uint8Array(4 + 6 + tiff.length);
  s.set([0xff, 0xe1]);
  put16(s, 2, 2 + 6 + tiff.length);
  s.set([0x45, 0x78, 0x69, 0x66, 0, 0], 4);
  s.set(tiff, 10);
  return s;
}
