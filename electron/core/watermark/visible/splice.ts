import { extractIntervals, indexRestarts, intervalsCovering, rectPixels, replaceIntervals } from '../../imaging/jpeg-restart.ts';
import { libvips } from '../../imaging/libvips.ts';
import { resultCopy, resultSpace } from '../../jobs/shared-bytes.ts';
import { blendPrepared, type PreparedOverlay } from './blend.ts';
import { FastPath } from './fast-path.ts';

/**
 * A JPEG export with one mark, without holding the image in memory.
 *
 * Holding a 24 MP frame (72 MB) between decoder and encoder costs a fifth of a plain re-encode;
 * a corner mark touches 1–2% of it. So libvips streams the upright source straight into the
 * encoder as sharp would, adding restart markers; then only the restart intervals under the mark
 * are cut out (a small JPEG of their own), decoded, marked, encoded again with the same tables
 * and put back in place of the old ones. Outside those intervals the file is exactly the plain
 * re-encode; inside, the pixels the mark does not cover went through one more JPEG round at the
 * same quality.
 */

/**
 * Splicing spares holding the frame but decodes and encodes the mark's intervals a second time.
 * Against marking on the worker's reused frame (worker-jpeg.ts) it was 10% slower at 4 MP; from
 * 12 MP the two run within this machine's noise of each other, and the splice holds far less
 * (47 MP, two in flight: 446–466 MiB peak against 652–679). PROOFMARK_JPEG_SPLICE=off: no image
 * is spliced.
 */
export const splicing = new FastPath('PROOFMARK_JPEG_SPLICE', 12_000_000);

/** MCU width in pixels: exports are 4:2:0. */
const MCU = 16;

/**
 * MCUs per restart interval for an image `mcusPerRow` MCUs wide: a divisor of the row so that
 * intervals form a grid, of 16–32 MCUs (256–512 px) if there is one, else 8–15, else the whole
 * row. Each interval costs a marker and a fresh DC start: 0.3–0.75% of the file on the corpus
 * photos at 16–32 MCUs (0.05% with whole rows).
 */
export function restartIntervalFor(mcusPerRow: number): number {
  for (let k = 32; k >= 16; k--) if (mcusPerRow % k === 0) return k;
  for (let k = 15; k >= 8; k--) if (mcusPerRow % k === 0) return k;
  return mcusPerRow;
}

export interface SpliceInput {
  /** The source JPEG file. */
  source: Uint8Array;
  /** Upright width of the source (= of the export: no resize on this path). */
  width: number;
  quality: number;
  /** Convert an embedded profile to sRGB (the export's colour "srgb"). */
  toSrgb: boolean;
  overlay: PreparedOverlay;
  /** Where the overlay's top-left corner lies in the image. */
  left: number;
  top: number;
  /** The caller's shared buffer for the result, used when it fits. */
  into?: Uint8Array;
}

/**
 * The marked JPEG (without metadata), in the caller's buffer or in memory of its own (so it can
 * be handed back without a copy); null when libvips cannot be reached from this thread.
 */
export function spliceMarkedJpeg(input: SpliceInput): Uint8Array | null {
  const vips = libvips();
  if (!vips) return null;
  const settings = { quality: input.quality, restartInterval: restartIntervalFor(Math.ceil(input.width / MCU)) };
  return vips.recodeJpeg(input.source, { ...settings, toSrgb: input.toSrgb }, (jpeg) => {
    const plain = indexRestarts(jpeg);
    if (!plain) throw new Error('the re-encoded JPEG has no usable restart intervals');
    const box = { left: input.left, top: input.top, width: input.overlay.width, height: input.overlay.height };
    const inner = intervalsCovering(plain, box);
    if (inner.row0 >= inner.row1 || inner.col0 >= inner.col1) return resultCopy(jpeg, input.into);
    // One interval (or MCU row) of context around the patch: the decoder's chroma upsampling reads
    // neighbouring samples, so the patch's own pixels decode exactly as in the whole file.
    const outer = intervalsCovering(plain, box, 1);
    const at = rectPixels(plain, outer);
    const pixels = vips.decodeJpeg(extractIntervals(plain, outer));
    if (pixels.channels !== 3 || pixels.width !== at.width || pixels.height !== at.height) throw new Error('the cut-out intervals decoded to an unexpected size');
    blendPrepared(pixels, input.overlay, Int32Array.of(input.left - at.left, input.top - at.top));
    const region = rectPixels(plain, inner);
    const patch = indexRestarts(vips.encodeRegion(pixels, { ...region, left: region.left - at.left, top: region.top - at.top }, settings));
    if (!patch) throw new Error('the marked patch has no usable restart intervals');
    return replaceIntervals(plain, inner, patch, resultSpace(input.into));
  });
}
