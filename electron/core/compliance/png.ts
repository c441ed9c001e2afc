import zlib from 'node:zlib';
import { ascii, latin1, put32, u32 } from './bytes.ts';
import { readExifEssentials } from './exif.ts';
import { iccLabel, readIccSummary } from './icc.ts';
import type { DensityEdit, Walk } from './jpeg.ts';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 as PNG uses it (over the chunk type and data). */
export function crc32(b: Uint8Array, start = 0, end = b.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export interface PngChunk {
  type: string;
  /** Offset of the length field. */
  start: number;
  length: number;
  /** Offset of the chunk data. */
  data: number;
  /** False when IHDR or pHYs fails its CRC (other chunks are not checked). */
  crcOk: boolean;
}

/** The chunks before the first IDAT (the header); IHDR's and pHYs's CRCs are checked. */
export function walkPng(b: Uint8Array, fileSize: number): Walk<{ chunks: PngChunk[]; idat: number }> {
  const chunks: PngChunk[] = [];
  const more = (upTo: number): Walk<never> =>
    b.length < fileSize ? { ok: false, needMore: Math.min(fileSize, Math.max(upTo, b.length * 2)) } : { ok: false, error: 'the file ends before its image data (IDAT)' };
  let o = 8;
  for (;;) {
    if (o + 8 > b.length) return more(o + 65_536);
    const length = u32(b, o);
    const type = latin1(b, o + 4, o + 8);
    if (!/^[A-Za-z]{4}$/.test(type) || length > 0x7fffffff) return { ok: false, error: `there is no valid chunk at byte ${o}` };
    if (type === 'IDAT') return chunks.length ? { ok: true, value: { chunks, idat: o } } : { ok: false, error: 'the image data comes before the IHDR header' };
    if (type === 'IEND') return { ok: false, error: 'the file has no image data (IEND before any IDAT)' };
    if (o + 12 + length > b.length) return more(o + 12 + length + 4096);
    // Only the chunks ProofMark reads are CRC-checked: hashing every text or ICC chunk of every file would cost more than reading it.
    const checked = type === 'IHDR' || type === 'pHYs';
    chunks.push({ type, start: o, length, data: o + 8, crcOk: !checked || crc32(b, o + 4, o + 8 + length) === u32(b, o + 8 + length) });
    o += 12 + length;
  }
}

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  channels: number;
  colourModel: 'rgb' | 'gray' | 'palette';
  hasAlpha: boolean;
  interlaced: boolean;
  iccProfile: string | null;
  capturedAt: string | null;
  orientation: number | null;
  frames: number | null;
  /** Header chunks whose CRC is wrong (readers drop such ancillary chunks, e.g. a bad pHYs). */
  badCrc: string[];
  idat: number;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 };

export function readPngHeader(b: Uint8Array, fileSize: number): Walk<PngHeader> {
  const walk = walkPng(b, fileSize);
  if (!walk.ok) return walk;
  const [ihdr] = walk.value.chunks;
  if (!ihdr || ihdr.type !== 'IHDR' || ihdr.length !== 13) return { ok: false, error: 'the first chunk is not a 13-byte IHDR header' };
  if (!ihdr.crcOk) return { ok: false, error: 'the IHDR header fails its CRC check (the header bytes are damaged)' };
  const width = u32(b, ihdr.data);
  const height = u32(b, ihdr.data + 4);
  const bitDepth = b[ihdr.data + 8]!;
  const colourType = b[ihdr.data + 9]!;
  if (!(colourType in CHANNELS) || ![1, 2, 4, 8, 16].includes(bitDepth)) return { ok: false, error: `IHDR declares an invalid colour type ${colourType} / bit depth ${bitDepth}` };
  if (width === 0 || height === 0) return { ok: false, error: `IHDR declares ${width} x ${height} pixels` };
  let iccProfile: string | null = null;
  let capturedAt: string | null = null;
  let orientation: number | null = null;
  let frames: number | null = null;
  let transparency = false;
  const badCrc: string[] = [];
  for (const c of walk.value.chunks) {
    if (!c.crcOk) { badCrc.push(c.type); continue; }
    if (c.type === 'iCCP') iccProfile = readIccp(b, c);
    else if (c.type === 'sRGB' && !iccProfile) iccProfile = 'sRGB (sRGB chunk)';
    else if (c.type === 'tRNS') transparency = true;
    else if (c.type === 'acTL' && c.length >= 8) frames = u32(b, c.data);
    else if (c.type === 'eXIf') {
      const base = ascii(b, c.data, 'Exif\0') ? c.data + 6 : c.data;
      ({ capturedAt, orientation } = readExifEssentials(b, base, c.data + c.length));
    }
  }
  return {
    ok: true,
    value: {
      width, height, bitDepth, colourType, channels: CHANNELS[colourType]! + (transparency && colourType < 4 ? 1 : 0),
      colourModel: colourType === 0 || colourType === 4 ? 'gray' : colourType === 3 ? 'palette' : 'rgb',
      hasAlpha: colourType === 4 || colourType === 6 || transparency,
      interlaced: b[ihdr.data + 12] === 1, iccProfile, capturedAt, orientation, frames, badCrc, idat: walk.value.idat,
    },
  };
}

function readIccp(b: Uint8Array, c: PngChunk): string | null {
  const end = c.data + c.length;
  let nul = c.data;
  while (nul < end && b[nul] !== 0) nul++;
  const name = latin1(b, c.data, nul);
  try {
    const profile = zlib.inflateSync(b.subarray(nul + 2, end), { maxOutputLength: 4 * 1024 * 1024 });
    return iccLabel(readIccSummary(profile)) ?? (name || null);
  } catch {
    return name || null;
  }
}

const IEND = [0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82];

/** Where the IEND chunk ends in the file's tail (and how many bytes follow it), if it is there. */
export function pngEnd(tail: Uint8Array, tailStart: number, idat: number, fileSize: number): { found: boolean; trailing: number } {
  for (let i = tail.length - IEND.length; i >= 0 && tailStart + i > idat; i--) {
    if (IEND.every((v, k) => tail[i + k] === v)) return { found: true, trailing: fileSize - (tailStart + i + IEND.length) };
  }
  return { found: false, trailing: 0 };
}

/** PNG stores density as whole pixels per metre: 300 dpi is 11811 (118.11 px/cm). */
export function dpiToPixelsPerMetre(dpi: number): number {
  return Math.round(dpi / 0.0254);
}

/**
 * Sets the density of a PNG by replacing its pHYs chunk in place (same length, new CRC), or by
 * inserting one right after IHDR (pHYs must come before the first IDAT). Pixels are not touched.
 */
export function setPngDensity(input: Uint8Array, dpi: number): DensityEdit {
  const walk = walkPng(input, input.length);
  if (!walk.ok) throw new Error('error' in walk ? `The PNG header cannot be read: ${walk.error}.` : 'The PNG header is incomplete.');
  const ppm = dpiToPixelsPerMetre(dpi);
  const chunk = physChunk(ppm);
  const existing = walk.value.chunks.find((c) => c.type === 'pHYs' && c.length === 9);
  if (existing) {
    const b = new Uint8Array(input);
    b.set(chunk, existing.start);
    return { bytes: b, wrote: ['pHYs'], inserted: null };
  }
  const ihdr = walk.value.chunks[0]!;
  const at = ihdr.start + 12 + ihdr.length;
  const out = new Uint8Array(input.length + chunk.length);
  out.set(input.subarray(0, at), 0);
  out.set(chunk, at);
  out.set(input.subarray(at), at + chunk.length);
  return { bytes: out, wrote: ['pHYs'], inserted: { offset: at, length: chunk.length } };
}

/** A complete 21-byte pHYs chunk: x = y = `ppm` pixels per metre. */
export function physChunk(ppm: number): Uint8Array {
  const c = new Uint8Array(21);
  put32(c, 0, 9);
  c.set([0x70, 0x48, 0x59, 0x73], 4);
  put32(c, 8, ppm);
  put32(c, 12, ppm);
  c[16] = 1;
  put32(c, 17, crc32(c, 4, 17));
  return c;
}
