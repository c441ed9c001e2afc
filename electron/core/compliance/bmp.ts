import { u16, u32 } from './bytes.ts';

// libvips as shipped with sharp cannot read BMP, so ProofMark reads the common kinds itself:
// uncompressed 8-bit (palette), 24-bit and 32-bit, bottom-up or top-down rows.

export interface BmpHeader {
  width: number;
  height: number;
  bitCount: number;
  /** 0 = BI_RGB (uncompressed), 3 = BI_BITFIELDS; others (RLE, JPEG, PNG inside) are not read. */
  compression: number;
  topDown: boolean;
  pixelOffset: number;
  /** Bytes per row, padded to 4. */
  stride: number;
  hasAlpha: boolean;
}

const i32 = (b: Uint8Array, o: number) => u32(b, o, true) | 0;

export function readBmpHeader(b: Uint8Array): BmpHeader | { error: string } {
  if (b.length < 54 || b[0] !== 0x42 || b[1] !== 0x4d) return { error: 'the BMP header is shorter than 54 bytes' };
  const infoSize = u32(b, 14, true);
  if (infoSize < 40) return { error: `the BMP uses an old ${infoSize}-byte header that ProofMark does not read` };
  const width = i32(b, 18);
  const rawHeight = i32(b, 22);
  const bitCount = u16(b, 28, true);
  const compression = u32(b, 30, true);
  if (width <= 0 || rawHeight === 0) return { error: `the BMP declares ${width} x ${Math.abs(rawHeight)} pixels` };
  if (![8, 24, 32].includes(bitCount) || !(compression === 0 || (compression === 3 && bitCount === 32))) {
    return { error: `this BMP is ${bitCount}-bit with compression ${compression}; ProofMark reads uncompressed 8-, 24- and 32-bit BMPs` };
  }
  if (compression === 3 && (u32(b, 54, true) !== 0x00ff0000 || u32(b, 58, true) !== 0x0000ff00 || u32(b, 62, true) !== 0x000000ff)) {
    return { error: 'this 32-bit BMP uses unusual colour masks that ProofMark does not read' };
  }
  // A 32-bit BMP has real transparency only when a V4/V5 header names an alpha mask.
  const hasAlpha = bitCount === 32 && infoSize >= 56 && u32(b, 14 + 52, true) === 0xff000000;
  return { width, height: Math.abs(rawHeight), bitCount, compression, topDown: rawHeight < 0, pixelOffset: u32(b, 10, true), stride: Math.ceil((width * bitCount) / 32) * 4, hasAlpha };
}

/** Bytes an uncompressed BMP needs to hold all its rows. */
export function bmpExpectedSize(h: BmpHeader): number {
  return h.pixelOffset + h.stride * h.height;
}

/** Decodes an uncompressed BMP to top-down RGB(A) rows for sharp's raw input. */
export function decodeBmp(b: Uint8Array): { data: Uint8Array; width: number; height: number; channels: 3 | 4 } {
  const h = readBmpHeader(b);
  if ('error' in h) throw new Error(`The BMP cannot be read: ${h.error}.`);
  if (b.length < bmpExpectedSize(h)) throw new Error('The BMP is cut off: its pixel rows end early.');
  const channels = h.hasAlpha ? 4 : 3;
  const out = new Uint8Array(h.width * h.height * channels);
  const infoSize = u32(b, 14, true);
  const paletteAt = 14 + infoSize;
  for (let y = 0; y < h.height; y++) {
    const row = h.pixelOffset + (h.topDown ? y : h.height - 1 - y) * h.stride;
    for (let x = 0; x < h.width; x++) {
      const o = (y * h.width + x) * channels;
      let p = row + x * (h.bitCount / 8);
      if (h.bitCount === 8) p = paletteAt + b[row + x]! * 4;
      out[o] = b[p + 2]!;
      out[o + 1] = b[p + 1]!;
      out[o + 2] = b[p]!;
      if (channels === 4) out[o + 3] = b[p + 3]!;
    }
  }
  return { data: out, width: h.width, height: h.height, channels };
}
