/**
 * Locality-sensitive keys for 256-bit binary descriptors: each key is a fixed sample of the
 * descriptor's bits, so descriptors a few bits apart share a key with high probability and
 * unrelated ones rarely do (bit-sampling LSH for Hamming space).
 */
import { mulberry32 } from './ransac.ts';

export interface LshLayout {
  bits: number;
  /** For each table, the descriptor bit positions its key is made of. */
  positions: Uint16Array[];
}

/** A fixed, seeded layout: the same keys on every run and machine (stored indexes stay valid). */
export function lshLayout(tables: number, bits: number, seed = 0x5eed): LshLayout {
  const rand = mulberry32(seed);
  const positions: Uint16Array[] = [];
  for (let t = 0; t < tables; t++) {
    const all = Array.from({ length: 256 }, (_, i) => i);
    for (let i = 255; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [all[i], all[j]] = [all[j]!, all[i]!];
    }
    positions.push(Uint16Array.from(all.slice(0, bits)));
  }
  return { bits, positions };
}

/** Key of descriptor `i` (8 words each) in table `t`. */
export function lshKey(layout: LshLayout, desc: Uint32Array, i: number, t: number): number {
  const pos = layout.positions[t]!;
  const base = i * 8;
  let k = 0;
  for (let b = 0; b < pos.length; b++) {
    const p = pos[b]!;
    k |= ((desc[base + (p >>> 5)]! >>> (p & 31)) & 1) << b;
  }
  return k >>> 0;
}
