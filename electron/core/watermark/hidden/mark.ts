/**
 * The hidden mark end to end, as pure typed-array steps shared by the worker tasks, the
 * benchmark and the tests: sizes (resolution normalisation), keys → layouts, the payload tile,
 * planning and applying the mark, and the blind search on an analysis-resolution luma image.
 */
import { createHash } from 'node:crypto';
import { convolutionalEncode } from '../../dsp/convolutional.ts';
import { detectMark, pilotBank, type DetectKey, type KeyResult } from './detector.ts';
import { applyMark, planMark, type MarkPlan } from './embedder.ts';
import { makeLayout, payloadBits, type Layout } from './layout.ts';
import { bandLimitedTile, chipGrid } from './pattern.ts';

/**
 * Working area (pixels) of the embedding: every image is planned at this size whatever its pixel
 * count, so one tile always covers the same fraction of the picture (about 10×6 tiles on 16:10).
 */
export const WORK_AREA = 512 * 512;
/** Analysis area of a suspect: larger than the working area so scaled-down copies still show a tile period the lattice search reaches. */
export const ANALYSIS_AREA = 2 * WORK_AREA;
/** A suspect is enlarged at most this much for analysis. */
export const MAX_UPSCALE = 4;
/** The shorter side an image needs to carry the mark (about three tiles at working size). */
export const MIN_SIDE = 192;
/** Below this share of a fully textured image's strength, the mark is reported as weak. */
export const WEAK_COVERAGE = 0.05;

export interface Size {
  width: number;
  height: number;
}

/** Working (planning) size: the image scaled to WORK_AREA, never enlarged. */
export function workingSize(width: number, height: number): Size {
  const s = Math.min(1, Math.sqrt(WORK_AREA / (width * height)));
  return { width: Math.max(1, Math.round(width * s)), height: Math.max(1, Math.round(height * s)) };
}

/** Analysis size of a suspect: scaled to ANALYSIS_AREA × areaFactor (enlarged at most MAX_UPSCALE times). */
export function analysisSize(width: number, height: number, areaFactor = 1): Size {
  const s = Math.min(MAX_UPSCALE, Math.sqrt((ANALYSIS_AREA * areaFactor) / (width * height)));
  return { width: Math.max(1, Math.round(width * s)), height: Math.max(1, Math.round(height * s)) };
}

/** Why an image cannot carry the mark, or null. */
export function tooSmall(width: number, height: number): string | null {
  if (Math.min(width, height) >= MIN_SIDE) return null;
  return `The image is ${width}×${height} px; the hidden mark needs at least ${MIN_SIDE} px on the shorter side.`;
}

/** The keyed seeds of an owner secret (domain-separated SHA-256). */
export function keySeeds(secret: Uint8Array): { layout: Uint8Array; check: Uint8Array } {
  const h = (label: string) => new Uint8Array(createHash('sha256').update(`proofmark-hidden-v1:${label}:`).update(secret).digest());
  return { layout: h('layout'), check: h('check') };
}

export function keyLayout(secret: Uint8Array): Layout {
  const s = keySeeds(secret);
  return makeLayout(s.layout, s.check);
}

/** The unit-RMS payload tile for an owner and image. */
export function payloadTile(layout: Layout, ownerId: number, imageId: number): Float64Array {
  const coded = convolutionalEncode(payloadBits(ownerId, imageId, layout.checkMask));
  return bandLimitedTile(chipGrid(layout, coded));
}

export interface PlanInput {
  /** Working-size luma (8 bit), WORK size of the image. */
  luma: Uint8Array;
  width: number;
  height: number;
  secret: Uint8Array;
  ownerId: number;
  imageId: number;
}

/** Plans the luma change at working size. */
export function planHidden(input: PlanInput): MarkPlan {
  const layout = keyLayout(input.secret);
  const tile = payloadTile(layout, input.ownerId, input.imageId);
  return planMark(Float32Array.from(input.luma), input.width, input.height, tile);
}

export interface ApplyBandInput {
  /** The whole image (interleaved 8 bit), usually on a SharedArrayBuffer: rows rowStart..rowEnd-1 are changed in place. */
  pixels: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  rowStart: number;
  rowEnd: number;
  delta: Float32Array;
  ww: number;
  wh: number;
}

/** Adds the planned change to one band of rows in place; returns the sum of squared changes (for PSNR). */
export function applyBand(input: ApplyBandInput): number {
  return applyMark({ pixels: input.pixels, width: input.width, height: input.height, channels: input.channels, delta: input.delta, ww: input.ww, wh: input.wh, rowStart: input.rowStart, rowEnd: input.rowEnd });
}

export interface SearchKey {
  ownerId: number;
  secret: Uint8Array;
}

export interface SearchInput {
  /** Analysis-size luma (8 bit). */
  luma: Uint8Array;
  width: number;
  height: number;
  keys: SearchKey[];
}

export interface SearchHit {
  found: boolean;
  /** Index into keys of the key that decoded, or of the strongest pilot. */
  key: number;
  ownerId: number | null;
  imageId: number | null;
  /** Pilot correlation z-score of the best candidate. */
  z: number;
  codedErrors: number | null;
  pilotSnr: number | null;
  symmetry: number;
  /** Tile period (analysis pixels) and lattice angle (degrees) of the best candidate. */
  period: number;
  angleDeg: number;
  decodes: number;
  /**
   * The best decode of the reported key even when it failed (for benchmarks): the payload read,
   * and how many of the 64 bits known in advance (owner id + keyed check) disagree.
   */
  decoded: { ownerId: number; imageId: number; checkOk: boolean; knownBitErrors: number } | null;
}

function popcount(x: number): number {
  x >>>= 0;
  let n = 0;
  while (x) {
    x &= x - 1;
    n++;
  }
  return n;
}

/**
 * Found only when the decoded payload passes the key's secret 32-bit check AND names the key's
 * own owner id (another 32 known bits): a chance pass needs 64 bits to agree.
 */
export function searchHidden(input: SearchInput): SearchHit {
  const keys: DetectKey[] = input.keys.map((k) => {
    const layout = keyLayout(k.secret);
    return { layout, bank: pilotBank(layout) };
  });
  const luma = Float32Array.from(input.luma);
  const result = detectMark(luma, input.width, input.height, keys);
  let best: { r: KeyResult; ok: boolean } | null = null;
  for (const r of result.keys) {
    const ok = Boolean(r.decode?.checkOk && r.decode.ownerId === input.keys[r.key]!.ownerId >>> 0);
    if (!best || (ok && !best.ok) || (ok === best.ok && r.z > best.r.z)) best = { r, ok };
  }
  if (!best) return { found: false, key: -1, ownerId: null, imageId: null, z: 0, codedErrors: null, pilotSnr: null, symmetry: 0, period: 0, angleDeg: 0, decodes: 0, decoded: null };
  const { r, ok } = best;
  let decoded: SearchHit['decoded'] = null;
  if (r.decode) {
    const bits = r.decode.bits;
    let check = 0;
    for (let i = 64; i < 96; i++) check = ((check << 1) | bits[i]!) >>> 0;
    const expected = payloadBits(r.decode.ownerId, r.decode.imageId, keys[r.key]!.layout.checkMask);
    let expCheck = 0;
    for (let i = 64; i < 96; i++) expCheck = ((expCheck << 1) | expected[i]!) >>> 0;
    decoded = {
      ownerId: r.decode.ownerId,
      imageId: r.decode.imageId,
      checkOk: r.decode.checkOk,
      knownBitErrors: popcount(r.decode.ownerId ^ (input.keys[r.key]!.ownerId >>> 0)) + popcount(check ^ expCheck),
    };
  }
  return {
    found: ok,
    key: r.key,
    ownerId: ok ? r.decode!.ownerId : null,
    imageId: ok ? r.decode!.imageId : null,
    z: r.z,
    codedErrors: r.decode?.codedErrors ?? null,
    pilotSnr: r.decode?.pilotSnr ?? null,
    symmetry: r.symmetry,
    period: r.period,
    angleDeg: r.angleDeg,
    decodes: r.decodes,
    decoded,
  };
}
