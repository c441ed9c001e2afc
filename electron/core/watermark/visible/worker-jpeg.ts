import { libvips } from '../../imaging/libvips.ts';
import { resultCopy } from '../../jobs/shared-bytes.ts';
import { blendPrepared, type PreparedOverlay } from './blend.ts';
import { FastPath } from './fast-path.ts';
import { SPOOL_MAX_BYTES } from './spool.ts';

/**
 * A marked JPEG export made in a worker thread, on a frame the thread keeps from image to image.
 *
 * sharp hands decoded pixels back in fresh memory, and touching fresh memory costs a page fault
 * per 4 KB (72 MB at 24 MP; see spool.ts). Here libvips (through the koffi binding) decodes
 * straight into the thread's own frame, the marks are blended there, and libvips encodes from it
 * with sharp's settings: the same decoder, blend and encoder as the frame path, so the same file,
 * for about the cost of a plain re-encode.
 */

/** PROOFMARK_WORKER_JPEG=off: these exports take the frame path. */
export const markingInWorker = new FastPath('PROOFMARK_WORKER_JPEG');

export interface WorkerJpegInput {
  /** The source JPEG file (8-bit RGB, exported at its own upright size). */
  source: Uint8Array;
  /** Upright size (EXIF orientation applied). */
  width: number;
  height: number;
  quality: number;
  /** Convert an embedded profile to sRGB (the export's colour "srgb"). */
  toSrgb: boolean;
  overlay: PreparedOverlay;
  /** Top-left corner of each copy of the overlay. */
  positions: Int32Array;
  /** The caller's shared buffer for the result, used when it fits. */
  into?: Uint8Array;
}

/**
 * Memory this thread keeps from image to image: the upright frame, and the stored pixels of a
 * turned JPEG before they are turned. None over SPOOL_MAX_BYTES is kept.
 */
class Kept {
  #buffer: Uint8Array | null = null;

  take(bytes: number): Uint8Array {
    if (this.#buffer && this.#buffer.byteLength >= bytes) return this.#buffer.subarray(0, bytes);
    const fresh = new Uint8Array(bytes);
    this.#buffer = bytes <= SPOOL_MAX_BYTES ? fresh : null;
    return fresh;
  }
}
const frame = new Kept();
const stored = new Kept();

/** The marked JPEG (without metadata), in the caller's buffer or in memory of its own (moved to the caller); null when libvips cannot be reached from this thread. */
export function markJpegInWorker(input: WorkerJpegInput): Uint8Array | null {
  const vips = libvips();
  if (!vips) return null;
  const pixels = { data: frame.take(input.width * input.height * 3), width: input.width, height: input.height, channels: 3 };
  vips.decodeJpegInto(input.source, pixels, { toSrgb: input.toSrgb, stored: (bytes) => stored.take(bytes) });
  blendPrepared(pixels, input.overlay, input.positions);
  return vips.encodeJpeg(pixels, { quality: input.quality }, (jpeg) => resultCopy(jpeg, input.into));
}
