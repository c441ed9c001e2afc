import { move } from 'piscina';
import { scanFiles, walkSync } from '../compliance/scan.ts';
import { applyBand, planHidden, searchHidden } from '../watermark/hidden/mark.ts';
import { fingerprintPicture, verifyCandidates } from '../similarity/kernels.ts';
import { analysePair } from '../similarity/pixels.ts';
import { alignRegion } from '../bundles/align.ts';
import { blendPrepared, type PreparedOverlay, type RawPixels } from '../watermark/visible/blend.ts';
import { spliceMarkedJpeg, type SpliceInput } from '../watermark/visible/splice.ts';
import { markJpegInWorker, type WorkerJpegInput } from '../watermark/visible/worker-jpeg.ts';

/**
 * A JPEG made on this thread for the caller: in the caller's shared buffer it simply crosses;
 * in memory of its own it is moved (not copied), and piscina unwraps it there.
 */
const handBack = (jpeg: Uint8Array | null) => (jpeg && !(jpeg.buffer instanceof SharedArrayBuffer) ? (move(jpeg) as Uint8Array) : jpeg);

/**
 * The pixel tasks worker threads can run. Each feature adds its kernels here; the worker
 * (worker.ts) dispatches by name. Inputs and outputs must be structured-cloneable.
 */
export const tasks = {
  /** Sum of a byte array; used by the pool's own tests. */
  'test.sum': (input: { data: Uint8Array }) => input.data.reduce((a, b) => a + b, 0),
  /** Registration check: header-only facts of a batch of JPEG/PNG files (synchronous reads, off the main thread). */
  'check.scan': scanFiles,
  /** Registration check: expand files and folders into image files. */
  'check.walk': (input: { paths: string[]; recursive: boolean }) => walkSync(input.paths, input.recursive),
  /** Visible mark: blend a prepared overlay at its positions into a frame on shared memory, in place. */
  'watermark.blend': (input: { image: RawPixels; overlay: PreparedOverlay; positions: Int32Array }) => {
    blendPrepared(input.image, input.overlay, input.positions);
    return input.positions.length / 2;
  },
  /** Visible mark: a JPEG export with one mark, streamed by libvips with only the marked restart intervals re-encoded. */
  'watermark.splice': (input: SpliceInput) => handBack(spliceMarkedJpeg(input)),
  /** Visible mark: a JPEG export decoded, marked and encoded by libvips on this thread's reused frame. */
  'watermark.jpeg': (input: WorkerJpegInput) => handBack(markJpegInWorker(input)),
  /** Hidden mark: plan the luma change at working size (perceptual mask × keyed payload tile). */
  'hidden.plan': planHidden,
  /** Hidden mark: add the planned change to a band of full-resolution rows. */
  'hidden.apply': applyBand,
  /** Hidden mark: blind search of an analysis-size luma image with every key. */
  'hidden.search': searchHidden,
  /** Find: global hashes, ORB keypoints and a small thumbnail of a decoded greyscale picture. */
  'find.fingerprint': fingerprintPicture,
  /** Find: keypoint matching, RANSAC and pixel agreement of a query against candidate originals. */
  'find.verify': verifyCandidates,
  /** Find: the original warped onto the suspect, colour changes and marks added on top. */
  'find.analyse': analysePair,
  /** Bundles: the region of the original a suspect lines up with, for the evidence overlay. */
  'bundles.align': alignRegion,
} satisfies Record<string, (input: never) => unknown>;

export type TaskName = keyof typeof tasks;
export type TaskInput<N extends TaskName> = Parameters<(typeof tasks)[N]>[0];
export type TaskOutput<N extends TaskName> = Awaited<ReturnType<(typeof tasks)[N]>>;
