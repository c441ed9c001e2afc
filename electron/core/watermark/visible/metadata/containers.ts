import zlib from 'node:zlib';

/**
 * Writes metadata blocks into the files sharp encoded (which carry none): EXIF, XMP, ICC and
 * (JPEG) IPTC, in the places each format defines. Doing it here, not through libvips, keeps UTF-8
 * text intact (libvips turns non-ASCII EXIF text into "?") and lets a kept ICC profile be attached
 * without converting pixels.
 */

export interface MetadataBlocks {
  /** TIFF-structured EXIF (starting with II or MM). */
  exif?: Uint8Array | null;
  xmp?: string | null;
  icc?: Uint8Array | null;
  /** APP13 "Photoshop 3.0" payloads (JPEG only). */
  app13?: Uint8Array[];
  /** Density for JPEG's JFIF header and PNG's pHYs (WebP and AVIF carry it in EXIF only). */
  dpi?: number;
}

export class MetadataTooLarge extends Error {}

const EXIF_HEADER = Buffer.from('Exif\0\0', 'latin1');
const XMP_HEADER = Buffer.from('http://ns.adobe.com/xap/1.0/\0', 'latin1');
const ICC_HEADER = Buffer.from('ICC_PROFILE\0', 'latin1');
const MAX_SEGMENT = 65533;

function segment(marker: number, payload: Uint8Array): Buffer {
  if (payload.length > MAX_SEGMENT) throw new MetadataTooLarge(`a JPEG segment holds at most 64 KB (this one needs ${Math.ceil(payload.length / 1024)} KB)`);
  const head = Buffer.from([0xff, marker, (payload.length + 2) >> 8, (payload.length + 2) & 0xff]);
  return Buffer.concat([head, payload]);
}

/**
 * Inserts the blocks after SOI (and after a JFIF APP0, which must come first), as pieces to write
 * one after the other: the encoded image is not copied (a 24 MP JPEG is ~4 MB, and fresh memory is
 * slow to touch on some machines). Throws MetadataTooLarge for EXIF/XMP over 64 KB.
 */
export function injectJpegParts(jpeg: Buffer, m: MetadataBlocks): Buffer[] {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('not a JPEG');
  let at = 2;
  let head = jpeg.subarray(0, 2);
  const parts: Buffer[] = [];
  const hasJfif = jpeg[2] === 0xff && jpeg[3] === 0xe0 && jpeg.toString('latin1', 6, 11) === 'JFIF\0';
  if (hasJfif) {
    at = 4 + ((jpeg[4]! << 8) | jpeg[5]!);
    head = jpeg.subarray(0, at);
    if (m.dpi) {
      head = Buffer.from(head);
      head[13] = 1; // units: dots per inch
      head.writeUInt16BE(Math.round(m.dpi), 14);
      head.writeUInt16BE(Math.round(m.dpi), 16);
    }
  } else if (m.dpi) {
    const d = Math.round(m.dpi);
    parts.push(segment(0xe0, Buffer.from([0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 1, d >> 8, d & 0xff, d >> 8, d & 0xff, 0, 0])));
  }
  if (m.exif) parts.push(segment(0xe1, Buffer.concat([EXIF_HEADER, m.exif])));
  if (m.xmp) parts.push(segment(0xe1, Buffer.concat([XMP_HEADER, Buffer.from(m.xmp, 'utf8')])));
  if (m.icc) {
    const chunk = MAX_SEGMENT - ICC_HEADER.length - 2;
    const count = Math.ceil(m.icc.length / chunk);
    for (let i = 0; i < count; i++) {
      parts.push(segment(0xe2, Buffer.concat([ICC_HEADER, Buffer.from([i + 1, count]), m.icc.subarray(i * chunk, (i + 1) * chunk)])));
    }
  }
  for (const p of m.app13 ?? []) parts.push(segment(0xed, p));
  if (!parts.length && head.buffer === jpeg.buffer) return [jpeg];
  return [head, ...parts, jpeg.subarray(at)];
}

function pngChunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(data, zlib.crc32(head.subarray(4, 8))), 0);
  return Buffer.concat([head, data, crc]);
}

/** Inserts pHYs, iCCP, eXIf and an XMP iTXt right after IHDR; drops sRGB/gAMA/cHRM when a profile is attached. */
export function injectPng(png: Buffer, m: MetadataBlocks): Buffer {
  if (png.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  const chunks: Buffer[] = [];
  let o = 8;
  while (o + 12 <= png.length) {
    const len = png.readUInt32BE(o);
    const type = png.toString('latin1', o + 4, o + 8);
    const whole = png.subarray(o, o + 12 + len);
    const replaced = type === 'iCCP' || type === 'eXIf' || (type === 'pHYs' && Boolean(m.dpi)) || (type === 'iTXt' && png.toString('latin1', o + 8, o + 25) === 'XML:com.adobe.xmp');
    const overridden = Boolean(m.icc) && (type === 'sRGB' || type === 'gAMA' || type === 'cHRM');
    if (!replaced && !overridden) chunks.push(whole);
    if (type === 'IHDR') {
      if (m.dpi) {
        const phys = Buffer.alloc(9);
        const perMetre = Math.round(m.dpi / 0.0254);
        phys.writeUInt32BE(perMetre, 0);
        phys.writeUInt32BE(perMetre, 4);
        phys[8] = 1;
        chunks.push(pngChunk('pHYs', phys));
      }
      if (m.icc) chunks.push(pngChunk('iCCP', Buffer.concat([Buffer.from('icc\0\0', 'latin1'), zlib.deflateSync(m.icc)])));
      if (m.exif) chunks.push(pngChunk('eXIf', m.exif));
      if (m.xmp) chunks.push(pngChunk('iTXt', Buffer.concat([Buffer.from('XML:com.adobe.xmp\0\0\0\0\0', 'latin1'), Buffer.from(m.xmp, 'utf8')])));
    }
    o += 12 + len;
  }
  return Buffer.concat([png.subarray(0, 8), ...chunks]);
}

function riffChunk(id: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.write(id, 0, 'latin1');
  head.writeUInt32LE(data.length, 4);
  return Buffer.concat([head, data, Buffer.alloc(data.length & 1)]);
}

/** Rewrites a WebP as extended (VP8X) with ICCP, EXIF and XMP chunks in the order the format requires. */
export function injectWebp(webp: Buffer, m: MetadataBlocks, size: { width: number; height: number }): Buffer {
  if (webp.toString('latin1', 0, 4) !== 'RIFF' || webp.toString('latin1', 8, 12) !== 'WEBP') throw new Error('not a WebP');
  if (!m.exif && !m.xmp && !m.icc) return webp;
  const chunks: { id: string; data: Buffer }[] = [];
  let o = 12;
  while (o + 8 <= webp.length) {
    const id = webp.toString('latin1', o, o + 4);
    const len = webp.readUInt32LE(o + 4);
    chunks.push({ id, data: webp.subarray(o + 8, o + 8 + len) });
    o += 8 + len + (len & 1);
  }
  let flags = 0;
  const vp8x = chunks.find((c) => c.id === 'VP8X');
  if (vp8x) flags = vp8x.data[0]! & 0x12; // keep alpha and animation
  else {
    const vp8l = chunks.find((c) => c.id === 'VP8L');
    if (vp8l && vp8l.data.length >= 5 && (vp8l.data[4]! & 0x10)) flags |= 0x10; // VP8L alpha hint
  }
  if (m.icc) flags |= 0x20;
  if (m.exif) flags |= 0x08;
  if (m.xmp) flags |= 0x04;
  const head = Buffer.alloc(10);
  head[0] = flags;
  head.writeUIntLE(size.width - 1, 4, 3);
  head.writeUIntLE(size.height - 1, 7, 3);
  const image = chunks.filter((c) => !['VP8X', 'ICCP', 'EXIF', 'XMP '].includes(c.id));
  const body = [
    riffChunk('VP8X', head),
    ...(m.icc ? [riffChunk('ICCP', m.icc)] : []),
    ...image.map((c) => riffChunk(c.id, c.data)),
    ...(m.exif ? [riffChunk('EXIF', m.exif)] : []),
    ...(m.xmp ? [riffChunk('XMP ', Buffer.from(m.xmp, 'utf8'))] : []),
  ];
  const riff = Buffer.alloc(12);
  riff.write('RIFF', 0, 'latin1');
  riff.writeUInt32LE(4 + body.reduce((n, b) => n + b.length, 0), 4);
  riff.write('WEBP', 8, 'latin1');
  return Buffer.concat([riff, ...body]);
}

interface Box {
  type: string;
  start: number;
  /** First byte after the header (and version/flags for full boxes is still inside). */
  body: number;
  end: number;
}

function boxes(b: Buffer, from: number, to: number): Box[] {
  const out: Box[] = [];
  let o = from;
  while (o + 8 <= to) {
    let size = b.readUInt32BE(o);
    const type = b.toString('latin1', o + 4, o + 8);
    let body = o + 8;
    if (size === 1) {
      size = Number(b.readBigUInt64BE(o + 8));
      body = o + 16;
    } else if (size === 0) size = to - o;
    if (size < 8 || o + size > to) break;
    out.push({ type, start: o, body, end: o + size });
    o += size;
  }
  return out;
}

function readUint(b: Buffer, at: number, bytes: number): number {
  let v = 0;
  for (let i = 0; i < bytes; i++) v = v * 256 + b[at + i]!;
  return v;
}

/** Where the Exif item's bytes are in a HEIF/AVIF file. */
export function findAvifExif(avif: Buffer): { offset: number; length: number } | null {
  const meta = boxes(avif, 0, avif.length).find((x) => x.type === 'meta');
  if (!meta) return null;
  const children = boxes(avif, meta.body + 4, meta.end);
  const iinf = children.find((x) => x.type === 'iinf');
  const iloc = children.find((x) => x.type === 'iloc');
  if (!iinf || !iloc) return null;
  let exifId = -1;
  const iinfVersion = avif[iinf.body]!;
  for (const infe of boxes(avif, iinf.body + 4 + (iinfVersion === 0 ? 2 : 4), iinf.end)) {
    if (infe.type !== 'infe') continue;
    const v = avif[infe.body]!;
    if (v < 2) continue;
    const idBytes = v === 2 ? 2 : 4;
    const id = readUint(avif, infe.body + 4, idBytes);
    if (avif.toString('latin1', infe.body + 4 + idBytes + 2, infe.body + 4 + idBytes + 6) === 'Exif') exifId = id;
  }
  if (exifId < 0) return null;
  const v = avif[iloc.body]!;
  let p = iloc.body + 4;
  const offsetSize = avif[p]! >> 4;
  const lengthSize = avif[p]! & 15;
  const baseSize = avif[p + 1]! >> 4;
  const indexSize = v === 1 || v === 2 ? avif[p + 1]! & 15 : 0;
  p += 2;
  const count = v < 2 ? avif.readUInt16BE(p) : avif.readUInt32BE(p);
  p += v < 2 ? 2 : 4;
  for (let i = 0; i < count; i++) {
    const id = v < 2 ? avif.readUInt16BE(p) : avif.readUInt32BE(p);
    p += v < 2 ? 2 : 4;
    const method = v === 1 || v === 2 ? avif.readUInt16BE(p) & 15 : 0;
    if (v === 1 || v === 2) p += 2;
    p += 2; // data_reference_index
    const base = readUint(avif, p, baseSize);
    p += baseSize;
    const extents = avif.readUInt16BE(p);
    p += 2;
    for (let e = 0; e < extents; e++) {
      p += indexSize;
      const offset = readUint(avif, p, offsetSize);
      p += offsetSize;
      const length = readUint(avif, p, lengthSize);
      p += lengthSize;
      if (id === exifId && e === 0 && method === 0 && extents === 1) return { offset: base + offset, length };
    }
  }
  return null;
}

/**
 * libheif (through sharp) writes the AVIF's Exif item from placeholder text reserved for it; the
 * real block is written over it in place, zero-padded (TIFF readers ignore trailing bytes).
 */
export function patchAvifExif(avif: Buffer, tiff: Uint8Array): Buffer {
  const item = findAvifExif(avif);
  if (!item) throw new Error('the AVIF has no Exif item to fill');
  const headerOffset = avif.readUInt32BE(item.offset);
  const start = item.offset + 4 + headerOffset;
  const room = item.offset + item.length - start;
  if (tiff.length > room) throw new MetadataTooLarge(`the AVIF's EXIF item holds ${room} bytes, ${tiff.length} are needed`);
  const out = Buffer.from(avif);
  out.fill(0, start, item.offset + item.length);
  out.set(tiff, start);
  return out;
}
