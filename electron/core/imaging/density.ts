import type { StoredDensity } from '../../contract/index.ts';

/** Every density declaration a file makes, exactly as stored, in file order. */
export function readDensityDeclarations(bytes: Uint8Array): StoredDensity[] {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return readJpeg(bytes);
  if (bytes[0] === 0x89 && bytes[1] === 0x50) return readPng(bytes);
  if ((bytes[0] === 0x49 && bytes[1] === 0x49) || (bytes[0] === 0x4d && bytes[1] === 0x4d)) {
    const d = readTiffResolution(bytes, 0, bytes.length, 'tiff');
    return d ? [d] : [];
  }
  return [];
}

/**
 * The density a reader of the file will see. When EXIF and JFIF both declare a real unit,
 * EXIF wins: it is what Windows Explorer, macOS Preview and Photoshop show.
 */
export function readStoredDensity(bytes: Uint8Array): StoredDensity | null {
  const all = readDensityDeclarations(bytes);
  const withUnit = all.filter((d) => d.unit !== 'none');
  return withUnit.find((d) => d.source === 'exif') ?? withUnit[0] ?? all[0] ?? null;
}

/** Dots per inch of a declaration, or null when it has no physical unit. */
export function toDpi(d: StoredDensity | null): { x: number; y: number } | null {
  if (!d || d.unit === 'none') return null;
  const f = d.unit === 'inch' ? 1 : d.unit === 'cm' ? 2.54 : 0.0254;
  return { x: d.x * f, y: d.y * f };
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
    if (marker === 0xda || marker === 0xd9) break; // pixels start: headers are done
    const len = u16(b, o + 2);
    const start = o + 4;
    const end = Math.min(b.length, o + 2 + len);
    if (marker === 0xe0 && b[start] === 0x4a && b[start + 1] === 0x46 && b[start + 2] === 0x49 && b[start + 3] === 0x46 && b[start + 4] === 0 && end - start >= 12) {
      const units = b[start + 7];
      out.push({ x: u16(b, start + 8), y: u16(b, start + 10), unit: units === 1 ? 'inch' : units === 2 ? 'cm' : 'none', source: 'jfif' });
    } else if (marker === 0xe1 && b[start] === 0x45 && b[start + 1] === 0x78 && b[start + 2] === 0x69 && b[start + 3] === 0x66) {
      const d = readTiffResolution(b, start + 6, end, 'exif');
      if (d) out.push(d);
    }
    o = o + 2 + len;
  }
  return out;
}

function readTiffResolution(b: Uint8Array, base: number, end: number, source: 'exif' | 'tiff'): StoredDensity | null {
  if (base + 8 > end) return null;
  const le = b[base] === 0x49;
  const ifd = base + u32(b, base + 4, le);
  if (ifd + 2 > end) return null;
  const count = u16(b, ifd, le);
  let x: number | null = null;
  let y: number | null = null;
  let unit = 2; // TIFF default ResolutionUnit is inch
  for (let i = 0; i < count; i++) {
    const e = ifd + 2 + i * 12;
    if (e + 12 > end) break;
    const tag = u16(b, e, le);
    if (tag === 0x011a || tag === 0x011b) {
      const off = base + u32(b, e + 8, le);
      if (off + 8 > end) continue;
      const den = u32(b, off + 4, le);
      const v = den === 0 ? 0 : u32(b, off, le) / den;
      if (tag === 0x011a) x = v;
      else y = v;
    } else if (tag === 0x0128) {
      unit = u16(b, e + 8, le);
    }
  }
  if (x === null && y === null) return null;
  return { x: x ?? y ?? 0, y: y ?? x ?? 0, unit: unit === 2 ? 'inch' : unit === 3 ? 'cm' : 'none', source };
}

function readPng(b: Uint8Array): StoredDensity[] {
  let o = 8;
  while (o + 12 <= b.length) {
    const len = u32(b, o);
    const type = String.fromCharCode(b[o + 4] ?? 0, b[o + 5] ?? 0, b[o + 6] ?? 0, b[o + 7] ?? 0);
    if (type === 'pHYs' && len >= 9) {
      const unit = b[o + 16];
      return [{ x: u32(b, o + 8), y: u32(b, o + 12), unit: unit === 1 ? 'm' : 'none', source: 'png-phys' }];
    }
    if (type === 'IDAT' || type === 'IEND') break; // pHYs must come before IDAT
    o += 12 + len;
  }
  return [];
}
