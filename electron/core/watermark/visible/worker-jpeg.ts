import { libvips, type Libvips, type Pixels8 } from '../../imaging/libvips.ts';
import { turbojpeg, type TurboJpeg } from '../../imaging/turbojpeg.ts';
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
 *
 * Where TurboJPEG can be loaded (turbojpeg.ts) and gives libvips' very pixels and bytes, it does the
 * encoding, and the decoding of JPEGs that need no turn and no colour conversion: the same codec
 * without libvips' pipeline, for about two thirds of the CPU at 4 MP.
 */

/** PROOFMARK_WORKER_JPEG=off: these exports take the frame path. */
export const markingInWorker = new FastPath('PROOFMARK_WORKER_JPEG');

/** PROOFMARK_TURBOJPEG=off: libvips decodes and encodes these exports. Counts the encodes TurboJPEG made. */
export const turboJpeg = new FastPath('PROOFMARK_TURBOJPEG');

export interface WorkerJpegInput {
  /** The source JPEG file (8-bit RGB, exported at its own upright size). */
  source: Uint8Array;
  /** Upright size (EXIF orientation applied). */
  width: number;
  height: number;
  quality: number;
  /** Convert an embedded profile to sRGB (the export's colour "srgb"). */
  toSrgb: boolean;
  /** The stored pixels are the export's: no EXIF turn, and no embedded profile to convert. */
  asStored: boolean;
  /** The mark; null for an export with none. */
  overlay: PreparedOverlay | null;
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
const encoded = new Kept();

/**
 * Whether TurboJPEG encodes a test image to libvips' very bytes at two qualities, and decodes it
 * to libvips' very pixels. A width and height that are not multiples of the 16-pixel block cover
 * the edges of 4:2:0 chroma.
 */
function agrees(tj: TurboJpeg, vips: Libvips): boolean {
  const [width, height] = [37, 29];
  const image: Pixels8 = { data: new Uint8Array(width * height * 3), width, height, channels: 3 };
  for (let i = 0; i < image.data.length; i++) image.data[i] = (i * 7 + ((i / 111) | 0) * 13) & 255;
  const frameOf = () => ({ ...image, data: new Uint8Array(image.data.length) });
  return [50, 90].every((quality) => {
    const ours = tj.encodeJpeg(image, { quality }, (bytes) => new Uint8Array(bytes)).slice();
    const theirs = vips.encodeJpeg(image, { quality }, (jpeg) => jpeg.slice());
    const [a, b] = [frameOf(), frameOf()];
    tj.decodeInto(theirs, a);
    vips.decodeJpegInto(theirs, b, { toSrgb: false, stored: (bytes) => new Uint8Array(bytes) });
    return Buffer.from(ours).equals(theirs) && Buffer.from(a.data).equals(b.data);
  });
}

let checked: TurboJpeg | null | undefined;

/** TurboJPEG for this thread when it loads and agrees with libvips; else null. */
function fastCodec(vips: Libvips): TurboJpeg | null {
  if (checked === undefined) {
    const tj = turbojpeg();
    try {
      checked = tj && agrees(tj, vips) ? tj : null;
    } catch {
      checked = null;
    }
  }
  return checked;
}

/**
 * Whether an export of `pixels` marked in a worker is coded by TurboJPEG (the worker threads find
 * the same library, and it passes the same check). The first call loads both libraries and runs
 * the check on this thread: ~36 ms here, once per process.
 */
export function turboJpegReady(pixels: number): boolean {
  const vips = libvips();
  return Boolean(vips && turboJpeg.applies(pixels) && fastCodec(vips));
}

/** The marked JPEG (without metadata), in the caller's buffer or in memory of its own (moved to the caller); null when libvips cannot be reached from this thread. */
export function markJpegInWorker(input: WorkerJpegInput): Uint8Array | null {
  const vips = libvips();
  if (!vips) return null;
  const tj = turboJpeg.applies(input.width * input.height) ? fastCodec(vips) : null;
  const pixels = { data: frame.take(input.width * input.height * 3), width: input.width, height: input.height, channels: 3 };
  if (tj && input.asStored) tj.decodeInto(input.source, pixels);
  else vips.decodeJpegInto(input.source, pixels, { toSrgb: input.toSrgb, stored: (bytes) => stored.take(bytes) });
  if (input.overlay) blendPrepared(pixels, input.overlay, input.positions);
  if (!tj) return vips.encodeJpeg(pixels, { quality: input.quality }, (jpeg) => resultCopy(jpeg, input.into));
  const jpeg = resultCopy(tj.encodeJpeg(pixels, { quality: input.quality }, (bytes) => encoded.take(bytes)), input.into);
  turboJpeg.count();
  return jpeg;
}
