import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp, { type Metadata } from 'sharp';
import { ProofmarkError } from '../../../contract/index.ts';
import { sniffFormat } from '../../imaging/format.ts';

/** Largest logo file read, and largest logo raster decoded. */
export const MAX_LOGO_BYTES = 20 * 1024 * 1024;
const MAX_LOGO_PIXELS = 64_000_000;

export interface Logo {
  sha256: string;
  name: string;
  format: 'png' | 'svg' | 'webp';
  bytes: Buffer;
  /** Intrinsic size (an SVG's from its width/height or viewBox). */
  width: number;
  height: number;
  hasAlpha: boolean;
}

/** Where `sha256:` logo references are stored (the presets table). */
export type StoredLogoLookup = (sha256: string) => { name: string; bytes: Buffer } | null;

/** Checks logo bytes: PNG, SVG or WebP, decodable, with a size. */
export async function inspectLogo(bytes: Buffer, name: string): Promise<Logo> {
  if (bytes.length === 0) throw new ProofmarkError('unsupported_format', `The logo ${name} is empty (0 bytes).`);
  if (bytes.length > MAX_LOGO_BYTES) throw new ProofmarkError('too_large', `The logo ${name} is ${Math.round(bytes.length / 1e6)} MB; logos must be under ${MAX_LOGO_BYTES / 1024 / 1024} MB.`);
  const format = sniffFormat(bytes.subarray(0, 512));
  if (format !== 'png' && format !== 'svg' && format !== 'webp') {
    throw new ProofmarkError('unsupported_format', `The logo ${name} is ${format ? format.toUpperCase() : 'not an image'}; use a PNG or SVG (with transparency).`);
  }
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: MAX_LOGO_PIXELS }).metadata();
    // Decode once: a truncated PNG or broken SVG fails here, not in the middle of a batch.
    await sharp(bytes, { limitInputPixels: MAX_LOGO_PIXELS, failOn: 'truncated' }).resize(32, 32, { fit: 'inside' }).raw().toBuffer();
  } catch (err) {
    throw new ProofmarkError('damaged_file', `The logo ${name} cannot be decoded (${(err as Error).message.split('\n')[0]}).`);
  }
  if (!meta.width || !meta.height) throw new ProofmarkError('damaged_file', `The logo ${name} has no size.`);
  return {
    sha256: createHash('sha256').update(bytes).digest('hex'),
    name,
    format,
    bytes,
    width: meta.width,
    height: meta.height,
    hasAlpha: Boolean(meta.hasAlpha),
  };
}

const cache = new Map<string, Promise<Logo>>();

function remember(key: string, job: Promise<Logo>): Promise<Logo> {
  cache.set(key, job);
  job.catch(() => cache.delete(key));
  if (cache.size > 32) cache.delete(cache.keys().next().value!);
  return job;
}

/** Loads a logo by reference: a file path (re-read when the file changes), or `sha256:<hex>` stored with the presets. */
export async function loadLogo(ref: string, stored: StoredLogoLookup): Promise<Logo> {
  if (ref.startsWith('sha256:')) {
    const hit = cache.get(ref);
    if (hit) return hit;
    const found = stored(ref.slice('sha256:'.length));
    if (!found) throw new ProofmarkError('not_found', `The logo ${ref} is not stored in this library; choose the logo file again.`);
    return remember(ref, inspectLogo(found.bytes, found.name));
  }
  let stat;
  try {
    stat = await fs.stat(ref);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ProofmarkError('not_found', `The logo file ${ref} does not exist.`);
    throw new ProofmarkError('io_error', `The logo file ${ref} cannot be read (${code ?? (err as Error).message}).`);
  }
  if (!stat.isFile()) throw new ProofmarkError('invalid_input', `The logo ${ref} is not a file.`);
  if (stat.size > MAX_LOGO_BYTES) throw new ProofmarkError('too_large', `The logo ${ref} is ${Math.round(stat.size / 1e6)} MB; logos must be under ${MAX_LOGO_BYTES / 1024 / 1024} MB.`);
  const key = `${path.resolve(ref)}:${stat.size}:${stat.mtimeMs}`;
  const hit = cache.get(key);
  if (hit) return hit;
  return remember(key, (async () => {
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(ref);
    } catch (err) {
      throw new ProofmarkError('io_error', `The logo file ${ref} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
    }
    return inspectLogo(bytes, path.basename(ref));
  })());
}

const rasterCache = new Map<string, Promise<string>>();

/**
 * The logo as a PNG data URI of exactly `height` pixels (width by aspect), scaled by sharp with a
 * good filter; librsvg would otherwise scale a large logo down with a blurry or aliased filter.
 */
export function logoDataUri(logo: Logo, height: number): Promise<string> {
  const h = Math.max(1, Math.round(height));
  const w = Math.max(1, Math.round((logo.width / logo.height) * h));
  const key = `${logo.sha256}:${w}x${h}`;
  let hit = rasterCache.get(key);
  if (!hit) {
    hit = (async () => {
      const density = logo.format === 'svg' ? Math.min(2400, Math.max(72, (72 * h) / logo.height * 1.05)) : undefined;
      const png = await sharp(logo.bytes, { limitInputPixels: MAX_LOGO_PIXELS, ...(density ? { density } : {}) })
        .ensureAlpha()
        .resize(w, h, { fit: 'fill' })
        .png({ compressionLevel: 1 })
        .toBuffer();
      return `data:image/png;base64,${png.toString('base64')}`;
    })();
    rasterCache.set(key, hit);
    hit.catch(() => rasterCache.delete(key));
    if (rasterCache.size > 64) rasterCache.delete(rasterCache.keys().next().value!);
  }
  return hit;
}
