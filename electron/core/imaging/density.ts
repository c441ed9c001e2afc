import type { DensityFacts, StoredDensity } from '../../contract/index.ts';

/**
 * Density ("dpi") exactly as a file stores it.
 *
 * Where it lives:
 * - JPEG JFIF APP0: units byte (0 = no unit, the two numbers are only an aspect ratio; 1 = per inch;
 *   2 = per cm; anything else is invalid) and two 16-bit densities.
 * - JPEG/WebP EXIF and TIFF IFD0: XResolution/YResolution (RATIONAL, sometimes SHORT/LONG) and
 *   ResolutionUnit (1 = no unit, 2 = inch, 3 = cm; inch when the tag is absent, as TIFF says).
 * - JPEG Photoshop APP13 (IRB 0x03ED ResolutionInfo): 16.16 fixed-point, unit 1 = per inch, 2 = per cm.
 *   Reported with source 'other'.
 * - PNG pHYs: pixels per metre (unit 1) or an aspect ratio (unit 0). 300 dpi is stored as
 *   11811 px/m (118.11 px/cm), the closest whole number.
 * - BMP: biXPelsPerMeter (0 = not given). Reported with source 'other'.
 *
 * "Units undefined" is never a density. When declarations disagree, EXIF wins (it is what libvips,
 * Windows Explorer and most viewers read when both are present), then JFIF, then Photoshop's,
 * then the format's own (pHYs, TIFF, BMP). Every declaration is reported, and a disagreement is
 * flagged so the checker can warn and the fix can make them agree.
 */

/** Every density declaration a file makes, exactly as stored, in file order. */
export function readDensityDeclarations(bytes: Uint8Array): StoredDensity[] {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return readJpeg(bytes);
  if (bytes[0] === 0x89 && bytes[1] === 0x50) return readPng(bytes);
  if ((bytes[0] === 0x49 && bytes[1] === 0x49) || (bytes[0] === 0x4d && bytes[1] === 0x4d)) {
    const d = readTiffResolution(bytes, 0, bytes.length, 'tiff');
    return d ? [d] : [];
  }
  if (ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WEBP')) return readWebp(bytes);
  if (ascii(bytes, 0, 'BM')) return readBmp(bytes);
  return [];
}

const PRIORITY: Record<StoredDensity['source'], number> = { exif: 0, 'webp-exif': 0, jfif: 1, other: 2, 'png-phys': 3, tiff: 3 };

/** The declaration a reader of the file will see: the first with a unit by PRIORITY, else a unit-less one, else null. */
export function effectiveDensity(all: readonly StoredDensity[]): StoredDensity | null {
  const withUnit = all.filter(hasUnit).sort((a, b) => PRIORITY[a.source] - PRIORITY[b.source]);
  return withUnit[0] ?? all[0] ?? null;
}

/** The density a reader of the file will see (the library stores this one). */
export function readStoredDensity(bytes: Uint8Array): StoredDensity | null {
  return effectiveDensity(readDensityDeclarations(bytes));
}

/** Effective density, its dpi, every declaration, and whether declarations with a unit disagree. */
export function densityFacts(declarations: StoredDensity[]): DensityFacts {
  const effective = effectiveDensity(declarations);
  const withUnit = declarations.filter(hasUnit);
  const conflict = withUnit.some((a) => withUnit.some((b) => !sameDensity(a, b)));
  return { effective, dpi: toDpi(effective), declarations, conflict };
}

function hasUnit(d: StoredDensity): boolean {
  return d.unit !== 'none' && d.x > 0 && d.y > 0;
}

/** Dots per inch per stored unit. */
export function dpiPerUnit(unit: StoredDensity['unit']): number {
  return unit === 'inch' ? 1 : unit === 'cm' ? 2.54 : unit === 'm' ? 0.0254 : 0;
}

/** Dots per inch of a declaration, or null when it has no physical unit (or a zero value). */
export function toDpi(d: StoredDensity | null): { x: number; y: number } | null {
  if (!d || !hasUnit(d)) return null;
  const f = dpiPerUnit(d.unit);
  return { x: d.x * f, y: d.y * f };
}

/**
 * Whether a declaration is at least `dpi`. JFIF and pHYs store whole numbers per cm or per metre,
 * so a file holding the nearest whole value to `dpi` in its unit meets it: 11811 px/m and
 * 118 px/cm both mean "300 dpi" as written by every program that offers 300 dpi.
 */
export function meetsDpi(d: StoredDensity | null, dpi: number): boolean {
  if (!d || !hasUnit(d)) return false;
  const f = dpiPerUnit(d.unit);
  const low = Math.min(d.x, d.y);
  return low * f >= dpi - 1e-9 || low >= Math.round(dpi / f) - 1e-9;
}

/** Two declarations mean the same density when they differ by less than one step of the coarser unit. */
function sameDensity(a: StoredDensity, b: StoredDensity): boolean {
  const da = toDpi(a);
  const db = toDpi(b);
  if (!da || !db) return true;
  const tolerance = Math.max(dpiPerUnit(a.unit), dpiPerUnit(b.unit)) / 2 + 1e-9;
  return Math.abs(da.x - db.x) <= tolerance && Math.abs(da.y - db.y) <= tolerance;
}

/** A human reading of a declaration: "72 dpi", "118 px/cm (299.7 dpi)", "11811 px/m (118.11 px/cm, 300 dpi)", "300 x 300, no unit". */
export function describeDensity(d: StoredDensity | null): string {
  if (!d) return 'none';
  const pair = (x: number, y: number, unit: string) => (x === y ? `${fmt(x)} ${unit}` : `${fmt(x)} x ${fmt(y)} ${unit}`);
  if (d.unit === 'none') return `${pair(d.x, d.y, '').trim()}, no unit`;
  const dpi = toDpi(d);
  if (!dpi) return `${pair(d.x, d.y, d.unit === 'cm' ? 'px/cm' : d.unit === 'm' ? 'px/m' : 'dpi')} (zero)`;
  if (d.unit === 'inch') return pair(d.x, d.y, 'dpi');
  if (d.unit === 'cm') return `${pair(d.x, d.y, 'px/cm')} (${pair(round1(dpi.x), round1(dpi.y), 'dpi')})`;
  // PNG's pixels per metre read best per cm too: 11811 px/m is 118.11 px/cm.
  return `${pair(d.x, d.y, 'px/m')} (${pair(d.x / 100, d.y / 100, 'px/cm')}, ${pair(round1(dpi.x), round1(dpi.y), 'dpi')})`;
}

/** "JFIF", "EXIF", … for sentences. */
export function sourceName(d: StoredDensity): string {
  switch (d.source) {
    case 'jfif': return 'JFIF';
    case 'exif': return 'EXIF';
    case 'webp-exif': return 'EXIF';
    case 'png-phys': return 'PNG pHYs';
    case 'tiff': return 'TIFF';
    case 'other': return 'Photoshop/BMP';
  }
}

const round1 = (v: number) => Math.round(v * 10) / 10;
function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Math.round(v * 1000) / 1000);
}

function ascii(b: Uint8Array, at: number, text: string): boolean {
  for (let i = 0; i < text.length; i++) if (b[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

function u16(b: Uint8Array, o: number, le = false): number {
  return le ? (b[o] ?? 0) | ((b[o + 1] ?? 0) << 8) : ((b[o] ?? 0) << 8) | (b[o + 1] ?? 0);
}
function u32(b: Uint8Array, o: number, le = false): number {
  return le ? (u16(b, o, true) + u16(b, o + 2, true) * 0x10000) : u16(b, o) * 0x10000 + u16(b, o + 2);
}

function readJpeg(b: Uint8Array): StoredDensity[] {
  const out: StoredDensity[] = [];
  let o = 2;
  while (o + 4 <= b.length) {
    if (b[o] !== 0xff) break;
    const marker = b[o + 1] ?? 0;
    if (marker === 0xff) { o++; continue; }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { o += 2; continue; } // no length
    if (marker === 0xda || marker === 0xd9) break; // pixels start: headers are done
    const len = u16(b, o + 2);
    if (len < 2) break;
    const start = o + 4;
    const end = Math.min(b.length, o + 2 + len);
    if (marker === 0xe0 && ascii(b, start, 'JFIF\0') && end - start >= 12) {
      const units = b[start + 7];
      out.push({ x: u16(b, start + 8), y: u16(b, start + 10), unit: units === 1 ? 'inch' : units === 2 ? 'cm' : 'none', source: 'jfif' });
    } else if (marker === 0xe1 && ascii(b, start, 'Exif\0')) {
      const d = readTiffResolution(b, start + 6, end, 'exif');
      if (d) out.push(d);
    } else if (marker === 0xed && ascii(b, start, 'Photoshop 3.0\0')) {
      const d = readPhotoshopResolution(b, start + 14, end);
      if (d) out.push(d);
    }
    o = o + 2 + len;
  }
  return out;
}

/** Where each resolution field of a TIFF/EXIF IFD0 lives (absolute offsets), for reading and rewriting. */
export interface TiffResolutionFields {
  littleEndian: boolean;
  x: { type: number; at: number } | null;
  y: { type: number; at: number } | null;
  unit: { type: number; at: number } | null;
}

/** Locates XResolution, YResolution and ResolutionUnit in the IFD0 of the TIFF structure at `base`. */
export function locateTiffResolution(b: Uint8Array, base: number, end: number): TiffResolutionFields | null {
  if (base + 8 > end) return null;
  const le = b[base] === 0x49;
  if (!le && b[base] !== 0x4d) return null;
  const ifd = base + u32(b, base + 4, le);
  if (ifd + 2 > end || ifd < base + 8) return null;
  const count = u16(b, ifd, le);
  const fields: TiffResolutionFields = { littleEndian: le, x: null, y: null, unit: null };
  for (let i = 0; i < count; i++) {
    const e = ifd + 2 + i * 12;
    if (e + 12 > end) break;
    const tag = u16(b, e, le);
    const type = u16(b, e + 2, le);
    if (tag !== 0x011a && tag !== 0x011b && tag !== 0x0128) continue;
    // RATIONAL values live at an offset; SHORT/LONG values sit in the entry itself.
    const at = type === 5 || type === 10 ? base + u32(b, e + 8, le) : e + 8;
    const size = type === 5 || type === 10 ? 8 : type === 4 ? 4 : 2;
    if (at + size > end || (type !== 3 && type !== 4 && type !== 5 && type !== 10)) continue;
    if (tag === 0x011a) fields.x = { type, at };
    else if (tag === 0x011b) fields.y = { type, at };
    else fields.unit = { type, at };
  }
  return fields;
}

function readTiffValue(b: Uint8Array, f: { type: number; at: number }, le: boolean): number {
  if (f.type === 3) return u16(b, f.at, le);
  if (f.type === 4) return u32(b, f.at, le);
  const num = u32(b, f.at, le);
  const den = u32(b, f.at + 4, le);
  if (f.type === 10) return den === 0 ? 0 : (num | 0) / (den | 0);
  return den === 0 ? 0 : num / den;
}

function readTiffResolution(b: Uint8Array, base: number, end: number, source: 'exif' | 'tiff' | 'webp-exif'): StoredDensity | null {
  const f = locateTiffResolution(b, base, end);
  if (!f || (!f.x && !f.y)) return null;
  const x = f.x ? readTiffValue(b, f.x, f.littleEndian) : null;
  const y = f.y ? readTiffValue(b, f.y, f.littleEndian) : null;
  const unit = f.unit ? readTiffValue(b, f.unit, f.littleEndian) : 2; // TIFF default ResolutionUnit is inch
  return { x: x ?? y ?? 0, y: y ?? x ?? 0, unit: unit === 2 ? 'inch' : unit === 3 ? 'cm' : 'none', source };
}

/** Offset of the 16-byte ResolutionInfo (IRB 0x03ED) inside a Photoshop APP13 payload, or -1. */
export function locatePhotoshopResolution(b: Uint8Array, start: number, end: number): number {
  let o = start;
  while (o + 12 <= end && ascii(b, o, '8BIM')) {
    const id = u16(b, o + 4);
    const nameLen = b[o + 6] ?? 0;
    const nameField = (nameLen + 2) & ~1; // length byte + name, padded to even
    const sizeAt = o + 6 + nameField;
    const size = u32(b, sizeAt);
    const data = sizeAt + 4;
    if (data + size > end) return -1;
    if (id === 0x03ed && size >= 16) return data;
    o = data + size + (size & 1);
  }
  return -1;
}

function readPhotoshopResolution(b: Uint8Array, start: number, end: number): StoredDensity | null {
  const at = locatePhotoshopResolution(b, start, end);
  if (at < 0) return null;
  const x = u32(b, at) / 65536;
  const xUnit = u16(b, at + 4);
  const y = u32(b, at + 8) / 65536;
  return { x, y, unit: xUnit === 1 ? 'inch' : xUnit === 2 ? 'cm' : 'none', source: 'other' };
}

function readPng(b: Uint8Array): StoredDensity[] {
  let o = 8;
  while (o + 12 <= b.length) {
    const len = u32(b, o);
    if (ascii(b, o + 4, 'pHYs') && len >= 9 && o + 17 <= b.length) {
      const unit = b[o + 16];
      return [{ x: u32(b, o + 8), y: u32(b, o + 12), unit: unit === 1 ? 'm' : 'none', source: 'png-phys' }];
    }
    if (ascii(b, o + 4, 'IDAT') || ascii(b, o + 4, 'IEND')) break; // pHYs must come before IDAT
    o += 12 + len;
  }
  return [];
}

function readWebp(b: Uint8Array): StoredDensity[] {
  let o = 12;
  while (o + 8 <= b.length) {
    const size = u32(b, o + 4, true);
    if (ascii(b, o, 'EXIF')) {
      // Some writers keep the "Exif\0\0" prefix inside the chunk.
      const base = ascii(b, o + 8, 'Exif\0') ? o + 14 : o + 8;
      const d = readTiffResolution(b, base, Math.min(b.length, o + 8 + size), 'webp-exif');
      return d ? [d] : [];
    }
    o += 8 + size + (size & 1);
  }
  return [];
}

function readBmp(b: Uint8Array): StoredDensity[] {
  if (b.length < 46 || u32(b, 14, true) < 40) return [];
  const x = u32(b, 38, true);
  const y = u32(b, 42, true);
  return x > 0 && y > 0 ? [{ x, y, unit: 'm', source: 'other' }] : [];
}
