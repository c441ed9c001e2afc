/**
 * The keyed geometry of the hidden mark: a square tile of CHIPS×CHIPS chips, repeated over the
 * image. Some chips are pilots (a keyed ±1 pattern, used to find the tile's position); the others
 * carry the convolutionally coded payload, each multiplied by a keyed ±1 sign and scattered by a
 * keyed permutation. Pure code (runs in worker threads); seeds come from the key via SHA-256.
 */
import { Xoshiro128 } from '../../dsp/prng.ts';
import { codedLength } from '../../dsp/convolutional.ts';
import { crc32 } from '../../dsp/crc32.ts';

/** Chips along one side of the tile. */
export const CHIPS = 32;
/** Working-resolution pixels per chip (the tile is band-limited to CHIPS/2 cycles). */
export const CHIP_PX = 2;
/** Tile side in working pixels. */
export const TILE = CHIPS * CHIP_PX;
/** Chips that are pilots (a quarter of the tile). */
export const PILOT_CHIPS = (CHIPS * CHIPS) / 4;
/** 32-bit owner id + 32-bit image id. */
export const PAYLOAD_BITS = 64;
/** Keyed check bits: CRC-32 of the payload XOR a secret 32-bit mask. */
export const CHECK_BITS = 32;
export const INFO_BITS = PAYLOAD_BITS + CHECK_BITS;
export const CODED_BITS = codedLength(INFO_BITS);

export interface Layout {
  /** ±1 sign of each chip (row-major CHIPS×CHIPS). */
  sign: Int8Array;
  /** Coded-bit index carried by each chip, or -1 for a pilot chip. */
  bit: Int16Array;
  /** Secret XOR mask of the check bits. */
  checkMask: number;
}

/** Builds the layout from two independent 32-byte seeds (layout seed, check seed). */
export function makeLayout(layoutSeed: Uint8Array, checkSeed: Uint8Array): Layout {
  const rng = new Xoshiro128(layoutSeed);
  const n = CHIPS * CHIPS;
  const sign = new Int8Array(n);
  for (let i = 0; i < n; i++) sign[i] = rng.nextUint32() & 1 ? 1 : -1;
  const order = rng.shuffle(Uint16Array.from({ length: n }, (_, i) => i));
  const bit = new Int16Array(n);
  for (let k = 0; k < n; k++) bit[order[k]!] = k < PILOT_CHIPS ? -1 : (k - PILOT_CHIPS) % CODED_BITS;
  const checkMask = new DataView(checkSeed.buffer, checkSeed.byteOffset, 4).getUint32(0, false);
  return { sign, bit, checkMask };
}

/** The 96 information bits (MSB first): owner id, image id, keyed check. */
export function payloadBits(ownerId: number, imageId: number, checkMask: number): Uint8Array {
  const bytes = new Uint8Array(12);
  const v = new DataView(bytes.buffer);
  v.setUint32(0, ownerId >>> 0, false);
  v.setUint32(4, imageId >>> 0, false);
  v.setUint32(8, (crc32(bytes.subarray(0, 8)) ^ checkMask) >>> 0, false);
  const bits = new Uint8Array(INFO_BITS);
  for (let i = 0; i < INFO_BITS; i++) bits[i] = (bytes[i >> 3]! >> (7 - (i & 7))) & 1;
  return bits;
}

/** Reads owner id and image id back and says whether the keyed check matches. */
export function parsePayload(bits: Uint8Array, checkMask: number): { ownerId: number; imageId: number; checkOk: boolean } {
  const bytes = new Uint8Array(12);
  for (let i = 0; i < INFO_BITS; i++) bytes[i >> 3]! |= (bits[i]! & 1) << (7 - (i & 7));
  const v = new DataView(bytes.buffer);
  const ownerId = v.getUint32(0, false);
  const imageId = v.getUint32(4, false);
  const check = v.getUint32(8, false);
  return { ownerId, imageId, checkOk: check === ((crc32(bytes.subarray(0, 8)) ^ checkMask) >>> 0) };
}
