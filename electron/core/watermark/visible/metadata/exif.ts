/**
 * EXIF (TIFF-structured) blocks for exported files.
 *
 * Keeping a camera's EXIF means keeping bytes whose offsets we do not understand (maker notes
 * point into the block by absolute offset), so the original block is never re-laid-out: it is
 * copied as is, edited in place where a value fits (orientation, pixel size, colour space), and
 * IFD0 is rewritten at the end of the block with the new entries (artist, copyright, density).
 * Removed parts (GPS, the embedded thumbnail, which would show the photo without its mark) are
 * zeroed, so no byte of them survives.
 */
import type { Notice } from '../../../../contract/index.ts';

const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 129: 1 };

export const TAG = {
  ImageWidth: 0x0100,
  ImageLength: 0x0101,
  Orientation: 0x0112,
  XResolution: 0x011a,
  YResolution: 0x011b,
  ResolutionUnit: 0x0128,
  Software: 0x0131,
  Artist: 0x013b,
  Copyright: 0x8298,
  ExifIFD: 0x8769,
  GPSIFD: 0x8825,
  ThumbnailOffset: 0x0201,
  ThumbnailLength: 0x0202,
  ExifVersion: 0x9000,
  ColorSpace: 0xa001,
  PixelXDimension: 0xa002,
  PixelYDimension: 0xa003,
} as const;

interface Entry {
  /** Offset of the 12-byte entry. */
  at: number;
  tag: number;
  type: number;
  count: number;
  /** Where the value bytes are (inside the entry when they fit in 4 bytes). */
  valueAt: number;
  size: number;
}

interface Ifd {
  at: number;
  entries: Entry[];
  next: number;
}

class Reader {
  readonly b: Uint8Array;
  readonly le: boolean;
  constructor(b: Uint8Array, le = b[0] === 0x49) {
    this.b = b;
    this.le = le;
  }
  u16(o: number): number {
    const b = this.b;
    return this.le ? b[o]! | (b[o + 1]! << 8) : (b[o]! << 8) | b[o + 1]!;
  }
  u32(o: number): number {
    return this.le ? this.u16(o) + this.u16(o + 2) * 0x10000 : this.u16(o) * 0x10000 + this.u16(o + 2);
  }
  setU16(o: number, v: number): void {
    if (this.le) { this.b[o] = v & 0xff; this.b[o + 1] = (v >> 8) & 0xff; } else { this.b[o] = (v >> 8) & 0xff; this.b[o + 1] = v & 0xff; }
  }
  setU32(o: number, v: number): void {
    if (this.le) { this.setU16(o, v & 0xffff); this.setU16(o + 2, Math.floor(v / 0x10000)); } else { this.setU16(o, Math.floor(v / 0x10000)); this.setU16(o + 2, v & 0xffff); }
  }
  ifd(at: number): Ifd {
    const b = this.b;
    if (at < 8 || at + 2 > b.length) throw new Error(`IFD offset ${at} is outside the EXIF block`);
    const n = this.u16(at);
    if (at + 2 + n * 12 + 4 > b.length) throw new Error(`IFD at ${at} runs past the EXIF block`);
    const entries: Entry[] = [];
    for (let i = 0; i < n; i++) {
      const e = at + 2 + i * 12;
      const type = this.u16(e + 2);
      const count = this.u32(e + 4);
      const size = (TYPE_SIZE[type] ?? 1) * count;
      const valueAt = size <= 4 ? e + 8 : this.u32(e + 8);
      if (size > 4 && valueAt + size > b.length) throw new Error(`tag 0x${this.u16(e).toString(16)} points outside the EXIF block`);
      entries.push({ at: e, tag: this.u16(e), type, count, valueAt, size });
    }
    return { at, entries, next: this.u32(at + 2 + n * 12) };
  }
  zero(from: number, length: number): void {
    this.b.fill(0, from, Math.min(this.b.length, from + length));
  }
  /** Zeroes an IFD, the out-of-line values of its entries and, for pointer tags, the IFDs they point to. */
  wipeIfd(ifd: Ifd, depth = 0): void {
    for (const e of ifd.entries) {
      if (depth < 2 && (e.tag === TAG.ExifIFD || e.tag === TAG.GPSIFD || e.tag === 0xa005)) {
        try { this.wipeIfd(this.ifd(this.u32(e.valueAt)), depth + 1); } catch { /* already unreadable */ }
      }
      if (e.size > 4) this.zero(e.valueAt, e.size);
    }
    this.zero(ifd.at, 2 + ifd.entries.length * 12 + 4);
  }
}

export interface ExifPlan {
  /** The source's EXIF as a TIFF block (starting with II or MM), or null. */
  original: Uint8Array | null;
  /** Carry the source's tags over (policy keep or strip-location). */
  keep: boolean;
  stripLocation: boolean;
  width: number;
  height: number;
  dpi: number;
  /** Pixels were converted to sRGB (ColorSpace becomes sRGB). */
  srgb: boolean;
  artist?: string | undefined;
  copyright?: string | undefined;
  software: string;
}

interface NewEntry {
  tag: number;
  type: number;
  count: number;
  value: Uint8Array;
}

const utf8 = new TextEncoder();

function ascii(text: string): { type: number; count: number; value: Uint8Array } {
  // EXIF ASCII tags hold UTF-8 in practice (exiftool, Lightroom, phones); readers that decode UTF-8 show Chinese names.
  const bytes = utf8.encode(`${text}\0`);
  return { type: 2, count: bytes.length, value: bytes };
}

function rational(v: number, le: boolean): { type: number; count: number; value: Uint8Array } {
  const den = Number.isInteger(v) ? 1 : 100;
  const out = new Uint8Array(8);
  const r = new Reader(out, le);
  r.setU32(0, Math.round(v * den));
  r.setU32(4, den);
  return { type: 5, count: 1, value: out };
}

function short(v: number, le: boolean): { type: number; count: number; value: Uint8Array } {
  const out = new Uint8Array(2);
  if (le) { out[0] = v & 0xff; out[1] = v >> 8; } else { out[0] = v >> 8; out[1] = v & 0xff; }
  return { type: 3, count: 1, value: out };
}

function long(v: number, le: boolean): { type: number; count: number; value: Uint8Array } {
  const out = new Uint8Array(4);
  new Reader(out, le).setU32(0, v);
  return { type: 4, count: 1, value: out };
}

/** IFD0 entries ProofMark writes itself. */
function ownEntries(plan: ExifPlan, le: boolean): NewEntry[] {
  const list: NewEntry[] = [
    { tag: TAG.Orientation, ...short(1, le) },
    { tag: TAG.XResolution, ...rational(plan.dpi, le) },
    { tag: TAG.YResolution, ...rational(plan.dpi, le) },
    { tag: TAG.ResolutionUnit, ...short(2, le) },
    { tag: TAG.Software, ...ascii(plan.software) },
  ];
  if (plan.artist) list.push({ tag: TAG.Artist, ...ascii(plan.artist) });
  if (plan.copyright) list.push({ tag: TAG.Copyright, ...ascii(plan.copyright) });
  return list;
}

/** Lays out one IFD (entries sorted) at `at` in a growing buffer; values that do not fit inline follow it. */
function writeIfd(le: boolean, at: number, entries: { tag: number; type: number; count: number; raw4?: Uint8Array; value?: Uint8Array }[], next: number): Uint8Array {
  const sorted = [...entries].sort((a, b) => a.tag - b.tag);
  const head = 2 + sorted.length * 12 + 4;
  let extra = 0;
  for (const e of sorted) if (e.value && e.value.length > 4) extra += e.value.length + (e.value.length & 1);
  const out = new Uint8Array(head + extra);
  const w = new Reader(out, le);
  w.setU16(0, sorted.length);
  let data = head;
  sorted.forEach((e, i) => {
    const o = 2 + i * 12;
    w.setU16(o, e.tag);
    w.setU16(o + 2, e.type);
    w.setU32(o + 4, e.count);
    if (e.raw4) out.set(e.raw4, o + 8);
    else if (e.value && e.value.length <= 4) out.set(e.value, o + 8);
    else if (e.value) {
      w.setU32(o + 8, at + data);
      out.set(e.value, data);
      data += e.value.length + (e.value.length & 1);
    }
  });
  w.setU32(2 + sorted.length * 12, next);
  return out;
}

/** A small EXIF block from scratch: orientation, density, software, rights, pixel size, colour space. */
function freshExif(plan: ExifPlan): Uint8Array {
  const le = false;
  const header = new Uint8Array([0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8]);
  const exifEntries: NewEntry[] = [
    { tag: TAG.ExifVersion, type: 7, count: 4, value: utf8.encode('0232') },
    { tag: TAG.ColorSpace, ...short(plan.srgb ? 1 : 0xffff, le) },
    { tag: TAG.PixelXDimension, ...long(plan.width, le) },
    { tag: TAG.PixelYDimension, ...long(plan.height, le) },
  ];
  const own = ownEntries(plan, le);
  // IFD0 size is known before its pointer value, so place the Exif IFD right after it.
  const probe = writeIfd(le, 8, [...own, { tag: TAG.ExifIFD, ...long(0, le) }], 0);
  const exifAt = 8 + probe.length;
  const ifd0 = writeIfd(le, 8, [...own, { tag: TAG.ExifIFD, ...long(exifAt, le) }], 0);
  const exif = writeIfd(le, exifAt, exifEntries, 0);
  const out = new Uint8Array(8 + ifd0.length + exif.length);
  out.set(header, 0);
  out.set(ifd0, 8);
  out.set(exif, exifAt);
  return out;
}

/** Start of the TIFF header inside an EXIF payload ("Exif\0\0" prefix or not); -1 when there is none. */
export function tiffStart(exif: Uint8Array): number {
  for (const o of [0, 6]) {
    const a = exif[o];
    const b = exif[o + 1];
    if (a === 0x49 && b === 0x49 && exif[o + 2] === 0x2a && exif[o + 3] === 0) return o;
    if (a === 0x4d && b === 0x4d && exif[o + 2] === 0 && exif[o + 3] === 0x2a) return o;
  }
  return -1;
}

/** Tags of IFD0 that ProofMark always replaces, or drops (they describe the source file, not the export). */
const REPLACED = new Set<number>([TAG.Orientation, TAG.XResolution, TAG.YResolution, TAG.ResolutionUnit, TAG.Software, TAG.ImageWidth, TAG.ImageLength, TAG.ThumbnailOffset, TAG.ThumbnailLength]);

export interface ExifResult {
  tiff: Uint8Array;
  warnings: Notice[];
}

/** Builds the EXIF block of an export. Never throws on a damaged source block: it writes a fresh one and says so. */
export function buildExif(plan: ExifPlan): ExifResult {
  if (!plan.keep || !plan.original) return { tiff: freshExif(plan), warnings: [] };
  const start = tiffStart(plan.original);
  if (start < 0) return { tiff: freshExif(plan), warnings: [{ code: 'watermark.exif-unreadable', text: 'The source EXIF has no TIFF header; only the essentials were written.' }] };
  try {
    // A copy as a plain Uint8Array: Buffer.slice would be a view, and the source must stay untouched.
    return { tiff: editExif(new Uint8Array(plan.original.subarray(start)), plan), warnings: [] };
  } catch (err) {
    return { tiff: freshExif(plan), warnings: [{ code: 'watermark.exif-unreadable', text: `The source EXIF is damaged (${(err as Error).message}); only the essentials were written.` }] };
  }
}

function editExif(b: Uint8Array, plan: ExifPlan): Uint8Array {
  const r = new Reader(b);
  const ifd0 = r.ifd(r.u32(4));
  const replaced = new Set(REPLACED);
  if (plan.artist) replaced.add(TAG.Artist);
  if (plan.copyright) replaced.add(TAG.Copyright);
  if (plan.stripLocation) replaced.add(TAG.GPSIFD);

  for (const e of ifd0.entries) {
    if (e.tag === TAG.ExifIFD) {
      const exif = r.ifd(r.u32(e.valueAt));
      for (const x of exif.entries) {
        if ((x.tag === TAG.PixelXDimension || x.tag === TAG.PixelYDimension) && x.count === 1) {
          // Inline either way: a SHORT becomes a LONG in the same 4 bytes.
          r.setU16(x.at + 2, 4);
          r.setU32(x.at + 8, x.tag === TAG.PixelXDimension ? plan.width : plan.height);
        } else if (x.tag === TAG.ColorSpace && x.type === 3 && plan.srgb) {
          r.setU16(x.valueAt, 1);
        }
      }
    } else if (e.tag === TAG.GPSIFD && plan.stripLocation) {
      try { r.wipeIfd(r.ifd(r.u32(e.valueAt))); } catch { /* unreadable GPS block: its pointer goes anyway */ }
    }
    if (replaced.has(e.tag) && e.size > 4 && e.tag !== TAG.GPSIFD) r.zero(e.valueAt, e.size);
  }
  // The thumbnail (IFD1) shows the photo unmarked and un-rotated: remove it and its image bytes.
  if (ifd0.next) {
    try {
      const ifd1 = r.ifd(ifd0.next);
      const off = ifd1.entries.find((e) => e.tag === TAG.ThumbnailOffset);
      const len = ifd1.entries.find((e) => e.tag === TAG.ThumbnailLength);
      if (off && len) r.zero(r.u32(off.valueAt), r.u32(len.valueAt));
      r.wipeIfd(ifd1);
    } catch { /* a broken IFD1 is simply no longer referenced */ }
  }

  const kept = ifd0.entries.filter((e) => !replaced.has(e.tag)).map((e) => ({ tag: e.tag, type: e.type, count: e.count, raw4: b.slice(e.at + 8, e.at + 12) }));
  r.zero(ifd0.at, 2 + ifd0.entries.length * 12 + 4);
  const at = b.length + (b.length & 1);
  const ifd = writeIfd(r.le, at, [...kept, ...ownEntries(plan, r.le)], 0);
  const out = new Uint8Array(at + ifd.length);
  out.set(b, 0);
  out.set(ifd, at);
  new Reader(out, r.le).setU32(4, at);
  return out;
}

/** The tags of IFD0 (and the Exif and GPS IFDs) of a TIFF block, for tests and diagnostics. */
export function listExifTags(tiff: Uint8Array): { ifd0: number[]; exif: number[]; gps: number[]; next: number } {
  const r = new Reader(tiff);
  const ifd0 = r.ifd(r.u32(4));
  const sub = (tag: number) => {
    const e = ifd0.entries.find((x) => x.tag === tag);
    return e ? r.ifd(r.u32(e.valueAt)).entries.map((x) => x.tag) : [];
  };
  return { ifd0: ifd0.entries.map((e) => e.tag), exif: sub(TAG.ExifIFD), gps: sub(TAG.GPSIFD), next: ifd0.next };
}
