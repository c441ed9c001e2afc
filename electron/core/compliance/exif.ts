import { latin1, u16, u32 } from './bytes.ts';

export interface ExifEssentials {
  /** DateTimeOriginal, else DateTimeDigitized, as "YYYY-MM-DDTHH:MM:SS" (local time, no zone). */
  capturedAt: string | null;
  orientation: number | null;
}

/** Reads capture time and orientation from the TIFF structure of an EXIF block (starting at its byte-order mark). */
export function readExifEssentials(b: Uint8Array, base: number, end: number): ExifEssentials {
  const out: ExifEssentials = { capturedAt: null, orientation: null };
  if (base + 8 > end) return out;
  const le = b[base] === 0x49;
  if (!le && b[base] !== 0x4d) return out;
  const entries = (ifdOffset: number) => {
    const ifd = base + ifdOffset;
    if (ifdOffset < 8 || ifd + 2 > end) return [];
    const count = u16(b, ifd, le);
    const list: { tag: number; type: number; count: number; valueAt: number }[] = [];
    for (let i = 0; i < count; i++) {
      const e = ifd + 2 + i * 12;
      if (e + 12 > end) break;
      const type = u16(b, e + 2, le);
      const n = u32(b, e + 4, le);
      const size = type === 2 || type === 1 || type === 7 ? n : type === 3 ? 2 * n : 4 * n;
      list.push({ tag: u16(b, e, le), type, count: n, valueAt: size <= 4 ? e + 8 : base + u32(b, e + 8, le) });
    }
    return list;
  };
  const text = (e: { type: number; count: number; valueAt: number }) => {
    if (e.type !== 2 || e.valueAt + e.count > end) return null;
    return latin1(b, e.valueAt, e.valueAt + e.count).replace(/\0.*$/s, '').trim();
  };
  const ifd0 = entries(u32(b, base + 4, le));
  let digitized: string | null = null;
  for (const e of ifd0) {
    if (e.tag === 0x0112 && e.type === 3) out.orientation = u16(b, e.valueAt, le);
    if (e.tag === 0x8769) {
      for (const x of entries(u32(b, e.valueAt, le))) {
        if (x.tag === 0x9003) out.capturedAt = exifDate(text(x));
        if (x.tag === 0x9004) digitized = exifDate(text(x));
      }
    }
  }
  out.capturedAt ??= digitized;
  return out;
}

function exifDate(value: string | null): string | null {
  const m = value ? /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(value) : null;
  if (!m || m[1] === '0000') return null;
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`;
}
