/**
 * The plain JavaScript brute-force matcher of 256-bit binary descriptors (8 words each): the
 * reference the WebAssembly matcher in Find's kernels must agree with exactly.
 */
import { popcount32 } from '../../electron/core/dsp/phash.ts';
import type { DescriptorMatch } from '../../electron/core/similarity/kernels.ts';

const DESC_WORDS = 8;

interface MatchOptions {
  /** Best distance must be below this share of the second best (Lowe's ratio test). @default 0.8 */
  ratio?: number;
  /** Largest Hamming distance accepted at all. @default 64 */
  maxDistance?: number;
}

/**
 * For each query descriptor, its nearest train descriptor when that is clearly better than
 * the second nearest. Brute force: the sets verified here are a few hundred each.
 */
export function referenceMatches(query: Uint32Array, nq: number, train: Uint32Array, nt: number, opts: MatchOptions = {}): DescriptorMatch[] {
  const ratio = opts.ratio ?? 0.8;
  const maxDistance = opts.maxDistance ?? 64;
  const out: DescriptorMatch[] = [];
  for (let i = 0; i < nq; i++) {
    const qo = i * DESC_WORDS;
    const q0 = query[qo]!, q1 = query[qo + 1]!, q2 = query[qo + 2]!, q3 = query[qo + 3]!;
    const q4 = query[qo + 4]!, q5 = query[qo + 5]!, q6 = query[qo + 6]!, q7 = query[qo + 7]!;
    let best = 257;
    let second = 257;
    let bestIdx = -1;
    for (let j = 0; j < nt; j++) {
      const to = j * DESC_WORDS;
      // Half the words first: most candidates are already too far after 128 bits.
      let d = popcount32(q0 ^ train[to]!) + popcount32(q1 ^ train[to + 1]!) + popcount32(q2 ^ train[to + 2]!) + popcount32(q3 ^ train[to + 3]!);
      if (d >= second) continue;
      d += popcount32(q4 ^ train[to + 4]!) + popcount32(q5 ^ train[to + 5]!) + popcount32(q6 ^ train[to + 6]!) + popcount32(q7 ^ train[to + 7]!);
      if (d < best) {
        second = best;
        best = d;
        bestIdx = j;
      } else if (d < second) second = d;
    }
    if (bestIdx >= 0 && best <= maxDistance && best < ratio * second) out.push({ q: i, t: bestIdx, distance: best });
  }
  return out;
}
