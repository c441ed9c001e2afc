/**
 * Rate-1/3 convolutional code, constraint length 7 (64 states), generators 133, 171, 165 (octal,
 * as in LTE), zero-terminated; soft-decision Viterbi decoding. Pure typed-array code.
 */

export const CONSTRAINT_LENGTH = 7;
const MEMORY = CONSTRAINT_LENGTH - 1;
const STATES = 1 << MEMORY;
const GENERATORS = [0o133, 0o171, 0o165] as const;
export const CODE_RATE_INVERSE = GENERATORS.length;

function parity(x: number): number {
  x ^= x >>> 4;
  x ^= x >>> 2;
  x ^= x >>> 1;
  return x & 1;
}

/** Number of coded bits for `infoBits` input bits (including the termination tail). */
export function codedLength(infoBits: number): number {
  return (infoBits + MEMORY) * CODE_RATE_INVERSE;
}

/** Encodes bits (0/1 values) and appends the zero tail that returns the encoder to state 0. */
export function convolutionalEncode(bits: Uint8Array): Uint8Array {
  const out = new Uint8Array(codedLength(bits.length));
  let state = 0;
  let o = 0;
  for (let t = 0; t < bits.length + MEMORY; t++) {
    const b = t < bits.length ? bits[t]! & 1 : 0;
    const reg = (b << MEMORY) | state;
    for (const g of GENERATORS) out[o++] = parity(reg & g);
    state = reg >>> 1;
  }
  return out;
}

/** Expected output signs (±1) for the transition into state `next` from predecessor bit x. */
const branchSigns = (() => {
  const signs = new Int8Array(STATES * 2 * CODE_RATE_INVERSE);
  for (let next = 0; next < STATES; next++) {
    const b = next >>> (MEMORY - 1);
    for (let x = 0; x < 2; x++) {
      const prev = ((next << 1) & (STATES - 1)) | x;
      const reg = (b << MEMORY) | prev;
      for (let j = 0; j < CODE_RATE_INVERSE; j++) signs[(next * 2 + x) * CODE_RATE_INVERSE + j] = parity(reg & GENERATORS[j]!) ? 1 : -1;
    }
  }
  return signs;
})();

/**
 * Maximum-likelihood decoding of soft values (positive = bit 1, magnitude = reliability) for a
 * zero-terminated codeword of `infoBits` input bits. Returns the input bits (0/1).
 */
export function viterbiDecode(soft: Float64Array | Float32Array, infoBits: number): Uint8Array {
  const steps = infoBits + MEMORY;
  if (soft.length < steps * CODE_RATE_INVERSE) throw new RangeError(`need ${steps * CODE_RATE_INVERSE} soft values, got ${soft.length}`);
  let metric = new Float64Array(STATES).fill(-Infinity);
  let nextMetric = new Float64Array(STATES);
  metric[0] = 0;
  const decisions = new Uint8Array(steps * STATES);
  for (let t = 0; t < steps; t++) {
    const s0 = soft[t * 3]!;
    const s1 = soft[t * 3 + 1]!;
    const s2 = soft[t * 3 + 2]!;
    const tail = t >= infoBits;
    for (let next = 0; next < STATES; next++) {
      // In the tail only 0 inputs are possible.
      if (tail && next >>> (MEMORY - 1)) {
        nextMetric[next] = -Infinity;
        continue;
      }
      const base = (next << 1) & (STATES - 1);
      const i0 = next * 2 * 3;
      const m0 = metric[base]! + branchSigns[i0]! * s0 + branchSigns[i0 + 1]! * s1 + branchSigns[i0 + 2]! * s2;
      const m1 = metric[base | 1]! + branchSigns[i0 + 3]! * s0 + branchSigns[i0 + 4]! * s1 + branchSigns[i0 + 5]! * s2;
      if (m1 > m0) {
        nextMetric[next] = m1;
        decisions[t * STATES + next] = 1;
      } else nextMetric[next] = m0;
    }
    const swap = metric;
    metric = nextMetric;
    nextMetric = swap;
  }
  const bits = new Uint8Array(steps);
  let state = 0;
  for (let t = steps - 1; t >= 0; t--) {
    bits[t] = state >>> (MEMORY - 1);
    state = ((state << 1) & (STATES - 1)) | decisions[t * STATES + state]!;
  }
  return bits.subarray(0, infoBits);
}
