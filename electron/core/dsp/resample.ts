/** Resampling of single-channel images. */
import type { Box } from './trim.ts';

/**
 * Area-average resample of a region of a single-channel image to outW×outH: each output cell is
 * the mean of the source pixels it covers, fractional edges weighted (no aliasing when shrinking).
 */
export function resampleBox(src: Uint8Array | Uint8ClampedArray, width: number, box: Box, outW: number, outH: number): Float64Array {
  const out = new Float64Array(outW * outH);
  const sx = box.width / outW;
  const sy = box.height / outH;
  for (let gy = 0; gy < outH; gy++) {
    const y0 = box.y + gy * sy;
    const y1 = y0 + sy;
    for (let gx = 0; gx < outW; gx++) {
      const x0 = box.x + gx * sx;
      const x1 = x0 + sx;
      let sum = 0;
      let area = 0;
      for (let y = Math.floor(y0); y < Math.ceil(y1); y++) {
        const wy = Math.min(y + 1, y1) - Math.max(y, y0);
        if (wy <= 0) continue;
        const row = y * width;
        for (let x = Math.floor(x0); x < Math.ceil(x1); x++) {
          const wx = Math.min(x + 1, x1) - Math.max(x, x0);
          if (wx <= 0) continue;
          sum += src[row + x]! * wx * wy;
          area += wx * wy;
        }
      }
      out[gy * outW + gx] = area > 0 ? sum / area : 0;
    }
  }
  return out;
}

/**
 * Resize a region to outW×outH as 8-bit: area average when shrinking, bilinear when enlarging
 * (so small images still give the feature detector smooth edges rather than blocks).
 */
export function resizeRegion(src: Uint8Array, width: number, height: number, box: Box, outW: number, outH: number): Uint8Array {
  const out = new Uint8Array(outW * outH);
  if (box.width >= outW && box.height >= outH) {
    const f = resampleBox(src, width, box, outW, outH);
    for (let i = 0; i < f.length; i++) out[i] = Math.round(f[i]!);
    return out;
  }
  const sx = box.width / outW;
  const sy = box.height / outH;
  for (let y = 0; y < outH; y++) {
    const fy = Math.min(height - 1, Math.max(0, box.y + (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(height - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < outW; x++) {
      const fx = Math.min(width - 1, Math.max(0, box.x + (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(width - 1, x0 + 1);
      const wx = fx - x0;
      const top = src[y0 * width + x0]! * (1 - wx) + src[y0 * width + x1]! * wx;
      const bottom = src[y1 * width + x0]! * (1 - wx) + src[y1 * width + x1]! * wx;
      out[y * outW + x] = Math.round(top * (1 - wy) + bottom * wy);
    }
  }
  return out;
}

/** Bilinear sample of a single-channel image at (x, y) in pixel-centre coordinates; NaN outside. */
export function sampleBilinear(src: Uint8Array | Float32Array, width: number, height: number, x: number, y: number): number {
  if (x < -0.5 || y < -0.5 || x > width - 0.5 || y > height - 0.5) return NaN;
  const fx = Math.min(width - 1, Math.max(0, x));
  const fy = Math.min(height - 1, Math.max(0, y));
  const x0 = Math.floor(fx);
  const y0 = Math.floor(fy);
  const x1 = Math.min(width - 1, x0 + 1);
  const y1 = Math.min(height - 1, y0 + 1);
  const wx = fx - x0;
  const wy = fy - y0;
  const top = src[y0 * width + x0]! * (1 - wx) + src[y0 * width + x1]! * wx;
  const bottom = src[y1 * width + x0]! * (1 - wx) + src[y1 * width + x1]! * wx;
  return top * (1 - wy) + bottom * wy;
}
