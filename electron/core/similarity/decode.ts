/**
 * Reading a suspect picture and decoding pictures for fingerprints and comparisons (sharp, on
 * libuv threads). Header checks come first, so bad input fails fast with a specific message.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { ProofmarkError } from '../../contract/index.ts';
import { probeImage, type ImageProbe } from '../imaging/probe.ts';

/** Long side of the picture fingerprints are computed from. */
export const DECODE_SIDE = 1024;
/** A suspect smaller than this (either side) has too little in it to compare. */
export const MIN_QUERY_SIDE = 24;

export interface SuspectInput {
  path?: string | undefined;
  base64?: string | undefined;
  name?: string | undefined;
}

/** The bytes of a suspect given as a path or as base64 (a data: URL is accepted too). */
export async function readSuspect(input: SuspectInput): Promise<{ bytes: Buffer; name: string }> {
  if (input.path !== undefined) {
    const name = input.name ?? path.basename(input.path);
    try {
      const stat = await fs.stat(input.path);
      if (!stat.isFile()) throw new ProofmarkError('invalid_input', `${input.path} is not a file.`);
      if (stat.size > 1024 * 1024 * 1024) throw new ProofmarkError('too_large', `${name} is ${Math.round(stat.size / 1e6)} MB, over the 1 GB limit.`);
      return { bytes: await fs.readFile(input.path), name };
    } catch (err) {
      if (err instanceof ProofmarkError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new ProofmarkError('not_found', `There is no file at ${input.path}.`);
      throw new ProofmarkError('io_error', `${input.path} cannot be read (${code ?? (err as Error).message}).`);
    }
  }
  const text = (input.base64 ?? '').replace(/^data:[^,]*;base64,/, '').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) throw new ProofmarkError('invalid_input', 'The pasted image is not valid base64 data.');
  return { bytes: Buffer.from(text, 'base64'), name: input.name ?? 'pasted image' };
}

export interface Luma {
  luma: Uint8Array;
  width: number;
  height: number;
  /** The picture's own upright size. */
  original: { width: number; height: number };
  probe: ImageProbe;
}

function uprightSize(p: ImageProbe): { width: number; height: number } {
  return p.orientation !== null && p.orientation >= 5 ? { width: p.height, height: p.width } : { width: p.width, height: p.height };
}

function decodeError(name: string, err: unknown): ProofmarkError {
  return new ProofmarkError('damaged_file', `${name} cannot be decoded; it is damaged or truncated (${(err as Error).message.split('\n')[0]}).`);
}

/** Upright greyscale, transparent areas on white, long side at most DECODE_SIDE. */
export async function decodeLuma(bytes: Uint8Array, opts: { pixelLimit: number; name: string; query: boolean }): Promise<Luma> {
  const probe = await probeImage(bytes, { pixelLimit: opts.pixelLimit, name: opts.name });
  const original = uprightSize(probe);
  if (opts.query && Math.min(original.width, original.height) < MIN_QUERY_SIDE) {
    throw new ProofmarkError('invalid_input', `${opts.name} is only ${original.width}x${original.height} pixels: too small to compare (at least ${MIN_QUERY_SIDE} pixels on each side).`);
  }
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: opts.pixelLimit, failOn: 'truncated' })
      .rotate()
      .flatten({ background: '#ffffff' })
      .resize(DECODE_SIDE, DECODE_SIDE, { fit: 'inside', withoutEnlargement: true })
      .greyscale()
      .extractChannel(0)
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { luma: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, original, probe };
  } catch (err) {
    throw decodeError(opts.name, err);
  }
}

export interface Rgb {
  data: Uint8Array;
  width: number;
  height: number;
  /** Decoded pixels per original pixel. */
  scale: number;
}

/** Upright sRGB, transparent areas on white, long side at most `side`. */
export async function decodeRgb(bytes: Uint8Array, opts: { pixelLimit: number; name: string; side: number }): Promise<Rgb> {
  const probe = await probeImage(bytes, { pixelLimit: opts.pixelLimit, name: opts.name });
  const original = uprightSize(probe);
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: opts.pixelLimit, failOn: 'truncated' })
      .rotate()
      .flatten({ background: '#ffffff' })
      .resize(opts.side, opts.side, { fit: 'inside', withoutEnlargement: true })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, scale: info.width / original.width };
  } catch (err) {
    throw decodeError(opts.name, err);
  }
}
