// Byte-level builders for the registration-check tests: real corpus JPEGs/PNGs with header
// segments removed, added or cut, so each edge case is a real file with known bytes.
import zlib from 'node:zlib';
import sharp, { type OutputInfo } from 'sharp';

/** The JPEG segments before the first scan: marker, offset and total length (marker + length field + data). */
export function jpegSegments(b: Uint8Array): { marker: number; offset: number; length: number }[] {
  const out: { marker: number; offset: number; length: number }[] = [];
  let o = 2;
  while (o + 4 <= b.length && b[o] === 0xff && b[o + 1] !== 0xda) {
    const len = (b[o + 2]! << 8) | b[o + 3]!;
    out.push({ marker: b[o + 1]!, offset: o, length: len + 2 });
    o += len + 2;
  }
  return out;
}

/** A JPEG without the segments whose marker is in `markers` (e.g. 0xe0 to drop JFIF). */
export function withoutJpegSegments(b: Uint8Array, markers: number[]): Buffer {
  const parts: Uint8Array[] = [b.subarray(0, 2)];
  const segs = jpegSegments(b);
  for (const s of segs) if (!markers.includes(s.marker)) parts.push(b.subarray(s.offset, s.offset + s.length));
  const last = segs[segs.length - 1];
  parts.push(b.subarray(last ? last.offset + last.length : 2));
  return Buffer.concat(parts);
}

/** A JPEG with `segment` (complete, from 0xFF) inserted right after SOI. */
export function withJpegSegment(b: Uint8Array, segment: Uint8Array, at = 2): Buffer {
  return Buffer.concat([b.subarray(0, at), segment, b.subarray(at)]);
}

/** A marker segment with the given payload. */
export function segment(marker: number, payload: Uint8Array): Buffer {
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
}

/** An EXIF APP1 with only IFD0 XResolution/YResolution (RATIONAL) and ResolutionUnit, in either byte order. */
export function exifResolution(x: number, y: number, unit: number, littleEndian: boolean): Buffer {
  const t = Buffer.alloc(66);
  const w16 = (v: number, o: number) => (littleEndian ? t.writeUInt16LE(v, o) : t.writeUInt16BE(v, o));
  const w32 = (v: number, o: number) => (littleEndian ? t.writeUInt32LE(v, o) : t.writeUInt32BE(v, o));
  t.write(littleEndian ? 'II' : 'MM', 0, 'latin1');
  w16(42, 2);
  w32(8, 4);
  w16(3, 8);
  const entry = (i: number, tag: number, type: number, value: number) => {
    const e = 10 + i * 12;
    w16(tag, e);
    w16(type, e + 2);
    w32(1, e + 4);
    if (type === 3) w16(value, e + 8);
    else w32(value, e + 8);
  };
  entry(0, 0x011a, 5, 50);
  entry(1, 0x011b, 5, 58);
  entry(2, 0x0128, 3, unit);
  w32(x, 50); w32(1, 54); w32(y, 58); w32(1, 62);
  return segment(0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), t]));
}

/** A Photoshop APP13 holding one ResolutionInfo (0x03ED) block: `dpi` per inch. */
export function photoshopResolution(dpi: number): Buffer {
  const info = Buffer.alloc(16);
  info.writeUInt32BE(dpi * 65536, 0);
  info.writeUInt16BE(1, 4);
  info.writeUInt16BE(1, 6);
  info.writeUInt32BE(dpi * 65536, 8);
  info.writeUInt16BE(1, 12);
  info.writeUInt16BE(1, 14);
  const block = Buffer.concat([Buffer.from('8BIM', 'latin1'), Buffer.from([0x03, 0xed, 0, 0]), Buffer.from([0, 0, 0, 16]), info]);
  return segment(0xed, Buffer.concat([Buffer.from('Photoshop 3.0\0', 'latin1'), block]));
}

/** An Adobe APP14 segment with the given colour transform (0 = RGB/CMYK as stored, 1 = YCbCr, 2 = YCCK). */
export function adobeSegment(transform: number): Buffer {
  return segment(0xee, Buffer.from([0x41, 0x64, 0x6f, 0x62, 0x65, 0, 100, 0, 0, 0, 0, transform]));
}

/** PNG chunks as [type, offset, total length]. */
export function pngChunks(b: Uint8Array): { type: string; offset: number; length: number }[] {
  const out: { type: string; offset: number; length: number }[] = [];
  let o = 8;
  while (o + 12 <= b.length) {
    const len = Buffer.from(b.buffer, b.byteOffset, b.byteLength).readUInt32BE(o);
    const type = Buffer.from(b.subarray(o + 4, o + 8)).toString('latin1');
    out.push({ type, offset: o, length: len + 12 });
    o += len + 12;
    if (type === 'IEND') break;
  }
  return out;
}

export function withoutPngChunks(b: Uint8Array, types: string[]): Buffer {
  const parts: Uint8Array[] = [b.subarray(0, 8)];
  for (const c of pngChunks(b)) if (!types.includes(c.type)) parts.push(b.subarray(c.offset, c.offset + c.length));
  return Buffer.concat(parts);
}

/** Decoded pixels as libvips reads them; 16-bit images stay 16-bit so they are compared exactly. */
export async function decodedPixels(bytes: Uint8Array): Promise<{ data: Buffer; info: OutputInfo }> {
  const meta = await sharp(bytes).metadata();
  if (meta.bitsPerSample === 16 || meta.depth === 'ushort') {
    return sharp(bytes).toColourspace(meta.channels === 1 || meta.channels === 2 ? 'grey16' : 'rgb16').raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
  }
  return sharp(bytes).raw().toBuffer({ resolveWithObject: true });
}

/** A real 16-bit RGB PNG built byte by byte (sample values `value(x, y, channel)`), with no pHYs chunk. */
export function png16(width: number, height: number, value: (x: number, y: number, c: number) => number): Buffer {
  const rows = Buffer.alloc(height * (1 + width * 6));
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * 6);
    for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++) rows.writeUInt16BE(value(x, y, c) & 0xffff, row + 1 + x * 6 + c * 2);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 16;
  ihdr[9] = 2;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), pngChunk('IDAT', zlib.deflateSync(rows)), pngChunk('IEND', Buffer.alloc(0))]);
}

export function pngChunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(zlib.crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** An uncompressed 24-bit bottom-up BMP of the given RGB pixels, with a density in pixels per metre. */
export function bmp24(width: number, height: number, rgb: Uint8Array, pixelsPerMetre = 2835): Buffer {
  const stride = Math.ceil((width * 3) / 4) * 4;
  const out = Buffer.alloc(54 + stride * height);
  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(54, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(width, 18);
  out.writeInt32LE(height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(24, 28);
  out.writeUInt32LE(stride * height, 34);
  out.writeUInt32LE(pixelsPerMetre, 38);
  out.writeUInt32LE(pixelsPerMetre, 42);
  for (let y = 0; y < height; y++) {
    const row = 54 + (height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      out[row + x * 3] = rgb[i + 2]!;
      out[row + x * 3 + 1] = rgb[i + 1]!;
      out[row + x * 3 + 2] = rgb[i]!;
    }
  }
  return out;
}
