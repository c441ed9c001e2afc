/**
 * How well two single-channel images agree once one is mapped onto the other by a similarity
 * transform: the check that turns "these keypoints line up" into "these pictures are the same".
 */
import { sampleBilinear } from './resample.ts';
import type { Affine } from './affine.ts';

export interface Agreement {
  /** Pearson correlation of the overlapping pixels (−1…1); 0 when there is too little overlap. */
  correlation: number;
  /** Share of the first image's pixels that land inside the second. */
  overlap: number;
  /** Share of overlapping pixels explained by a brightness/contrast change (|residual| small). */
  agreeing: number;
  /** Gain and offset of the best linear fit b ≈ gain·a + offset (a colour/brightness change). */
  gain: number;
  offset: number;
}

/**
 * Samples `b` at the image under `model` of every pixel of `a` and compares the pairs.
 * `model` maps a's pixel coordinates to b's.
 */
export function compareAligned(a: Uint8Array, aw: number, ah: number, b: Uint8Array, bw: number, bh: number, model: Affine): Agreement {
  const [m0, m1, m2, m3, m4, m5] = model;
  let n = 0, sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
  const pa: number[] = [];
  const pb: number[] = [];
  for (let y = 0; y < ah; y++) {
    for (let x = 0; x < aw; x++) {
      const u = m0 * x + m1 * y + m2;
      const v = m3 * x + m4 * y + m5;
      const vb = sampleBilinear(b, bw, bh, u, v);
      if (Number.isNaN(vb)) continue;
      const va = a[y * aw + x]!;
      n++;
      sa += va; sb += vb; saa += va * va; sbb += vb * vb; sab += va * vb;
      pa.push(va);
      pb.push(vb);
    }
  }
  const overlap = n / (aw * ah);
  if (n < 16) return { correlation: 0, overlap, agreeing: 0, gain: 1, offset: 0 };
  const va = saa / n - (sa / n) ** 2;
  const vb = sbb / n - (sb / n) ** 2;
  const cov = sab / n - (sa / n) * (sb / n);
  const correlation = va > 1e-6 && vb > 1e-6 ? cov / Math.sqrt(va * vb) : 0;
  const gain = va > 1e-6 ? cov / va : 1;
  const offset = sb / n - gain * (sa / n);
  // Residuals of the linear fit: small for a pure colour change, large where something was added.
  const tol = Math.max(6, 0.25 * Math.sqrt(Math.max(vb, 0)));
  let agree = 0;
  for (let i = 0; i < n; i++) if (Math.abs(pb[i]! - (gain * pa[i]! + offset)) <= tol) agree++;
  return { correlation, overlap, agreeing: agree / n, gain, offset };
}
