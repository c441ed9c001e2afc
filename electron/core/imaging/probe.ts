import sharp, { type Metadata } from 'sharp';
import { ProofmarkError, type ImageFormat, type StoredDensity } from '../../contract/index.ts';
import { sniffFormat } from './format.ts';
import { readStoredDensity } from './density.ts';

/** Refuse images that declare more pixels than this before decoding them (a decompression bomb guard). */
export const DEFAULT_PIXEL_LIMIT = 250_000_000;

export interface ImageProbe {
  format: ImageFormat;
  width: number;
  height: number;
  density: StoredDensity | null;
  colourSpace: string;
  channels: number;
  bitDepth: number;
  hasAlpha: boolean;
  hasIcc: boolean;
  orientation: number | null;
  pages: number;
}

const DEPTH_BITS: Record<string, number> = { uchar: 8, char: 8, ushort: 16, short: 16, uint: 32, int: 32, float: 32, complex: 64, double: 64, dpcomplex: 128 };

/** Header-only facts about an image: format by magic bytes, size, density, colour. Never decodes pixels. */
export async function probeImage(bytes: Uint8Array, opts: { pixelLimit?: number; name?: string } = {}): Promise<ImageProbe> {
  return (await probeWithMetadata(bytes, opts)).probe;
}

/**
 * probeImage, with sharp's metadata of the same header parse (the blocks an export carries over),
 * so a caller that needs both parses the header once. Every refusal says which file and why.
 */
export async function probeWithMetadata(bytes: Uint8Array, opts: { pixelLimit?: number; name?: string } = {}): Promise<{ probe: ImageProbe; meta: Metadata }> {
  const name = opts.name ?? 'the file';
  if (bytes.length === 0) throw new ProofmarkError('unsupported_format', `${name} is empty (0 bytes).`).worded('file.empty');
  const format = sniffFormat(bytes.subarray(0, 512));
  if (!format) throw new ProofmarkError('unsupported_format', `${name} is not an image: its bytes are not JPEG, PNG, WebP, GIF, TIFF, AVIF, HEIF, BMP or SVG.`).worded('file.not-image');
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new ProofmarkError('damaged_file', `${name} looks like ${format.toUpperCase()} but its header cannot be read (${(err as Error).message}).`).worded('file.header-unreadable', { format: format.toUpperCase() });
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (!width || !height) throw new ProofmarkError('damaged_file', `${name} declares no pixel size.`).worded('file.no-size');
  const limit = opts.pixelLimit ?? DEFAULT_PIXEL_LIMIT;
  if (width * height > limit) {
    const values = { width, height, mp: Math.round((width * height) / 1e6), limit: Math.round(limit / 1e6) };
    throw new ProofmarkError('too_large', `${name} declares ${width}x${height} pixels (${values.mp} MP), over the ${values.limit} MP limit; it was not decoded.`).worded('file.over-pixel-limit', values);
  }
  const bitDepth = format === 'png' && meta.bitsPerSample ? meta.bitsPerSample : DEPTH_BITS[meta.depth ?? 'uchar'] ?? 8;
  const probe: ImageProbe = {
    format,
    width,
    height,
    density: readStoredDensity(bytes),
    colourSpace: meta.space ?? 'unknown',
    channels: meta.channels ?? 0,
    bitDepth,
    hasAlpha: meta.hasAlpha ?? false,
    hasIcc: Boolean(meta.icc),
    orientation: meta.orientation ?? null,
    pages: meta.pages ?? 1,
  };
  return { probe, meta };
}

/** The error for an image whose pixels cannot be decoded (sharp's first line says where it failed). */
export function undecodable(err: unknown): ProofmarkError {
  return new ProofmarkError('damaged_file', `The image cannot be decoded; it is damaged or truncated (${(err as Error).message.split('\n')[0]}).`).worded('file.damaged');
}

/** Decode fully (catches truncation) and make an upright sRGB thumbnail. */
export async function makeThumbnail(bytes: Uint8Array, opts: { size?: number; pixelLimit?: number } = {}): Promise<Buffer> {
  const size = opts.size ?? 384;
  try {
    return await sharp(bytes, { limitInputPixels: opts.pixelLimit ?? DEFAULT_PIXEL_LIMIT, failOn: 'truncated' })
      .rotate()
      .resize(size, size, { fit: 'inside', withoutEnlargement: true })
      .toColourspace('srgb')
      .webp({ quality: 80, effort: 2 })
      .toBuffer();
  } catch (err) {
    throw undecodable(err);
  }
}
