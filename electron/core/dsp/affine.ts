/** 2-D affine maps as [a, b, c, d, e, f]: x' = a·x + b·y + c, y' = d·x + e·y + f. */
import type { Similarity } from './ransac.ts';

export type Affine = readonly [number, number, number, number, number, number];

export const IDENTITY: Affine = [1, 0, 0, 0, 1, 0];

export function fromSimilarity(m: Similarity): Affine {
  return [m.a, -m.b, m.c, m.b, m.a, m.d];
}

export function scaling(sx: number, sy = sx): Affine {
  return [sx, 0, 0, 0, sy, 0];
}

export function translation(tx: number, ty: number): Affine {
  return [1, 0, tx, 0, 1, ty];
}

/** Mirror left↔right of an image `width` pixels wide (pixel-centre coordinates). */
export function mirrorX(width: number): Affine {
  return [-1, 0, width - 1, 0, 1, 0];
}

/** `second ∘ first`: apply `first`, then `second`. */
export function compose(second: Affine, first: Affine): Affine {
  const [a2, b2, c2, d2, e2, f2] = second;
  const [a1, b1, c1, d1, e1, f1] = first;
  return [a2 * a1 + b2 * d1, a2 * b1 + b2 * e1, a2 * c1 + b2 * f1 + c2, d2 * a1 + e2 * d1, d2 * b1 + e2 * e1, d2 * c1 + e2 * f1 + f2];
}

/** Apply maps left to right: chain(m1, m2, m3) = m3 ∘ m2 ∘ m1. */
export function chain(...maps: Affine[]): Affine {
  return maps.reduce((acc, m) => compose(m, acc), IDENTITY);
}

export function invert(m: Affine): Affine {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (Math.abs(det) < 1e-12) throw new RangeError('The map cannot be inverted (it collapses the plane).');
  const ia = e / det, ib = -b / det, id = -d / det, ie = a / det;
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
}

export function apply(m: Affine, x: number, y: number): [number, number] {
  return [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];
}

/** Whether the map mirrors (negative determinant). */
export const isMirrored = (m: Affine) => m[0] * m[4] - m[1] * m[3] < 0;

/** Uniform scale of a similarity-like map (square root of |det|). */
export const scaleOfAffine = (m: Affine) => Math.sqrt(Math.abs(m[0] * m[4] - m[1] * m[3]));
