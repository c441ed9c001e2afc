/**
 * ORB keypoints and binary descriptors through OpenCV's WebAssembly build
 * (@techstark/opencv-js: the official opencv.js of OpenCV 4.12, Apache-2.0).
 * Loaded lazily, once per worker thread (about 0.6 s and 100 MB), never on the main thread.
 */
export interface Keypoints {
  n: number;
  /** Positions in the work image's pixels. */
  x: Float32Array;
  y: Float32Array;
  /** Orientation in degrees, 0–360, in image coordinates (y down). */
  angle: Float32Array;
  /** Pyramid level (scale 1.2^octave). */
  octave: Uint8Array;
  /** 256-bit descriptors, 8 words each. */
  desc: Uint32Array;
}

/** The small part of the OpenCV.js API used here. */
interface CvMat { data: Uint8Array; rows: number; delete(): void }
interface CvKeyPoint { pt: { x: number; y: number }; angle: number; response: number; octave: number }
interface CvKeyPointVector { size(): number; get(i: number): CvKeyPoint; delete(): void }
interface CvOrb { detectAndCompute(img: CvMat, mask: CvMat, kps: CvKeyPointVector, desc: CvMat): void; delete(): void }
interface Cv {
  Mat: new (rows?: number, cols?: number, type?: number) => CvMat;
  KeyPointVector: new () => CvKeyPointVector;
  ORB: new (nfeatures: number, scaleFactor: number, nlevels: number, edgeThreshold: number, firstLevel: number, WTA_K: number, scoreType: number, patchSize: number, fastThreshold: number) => CvOrb;
  CV_8UC1: number;
  ORB_HARRIS_SCORE: number;
  onRuntimeInitialized?: () => void;
}

// The module object is a "thenable" that resolves to itself, so it must never be returned from an
// async function or passed to resolve() (that loops forever); it is kept inside a plain holder.
let loading: Promise<{ cv: Cv }> | null = null;

function loadCv(): Promise<{ cv: Cv }> {
  // A dynamic import: only workers that match images pay for loading it, and bundlers leave it external.
  loading ??= import('@techstark/opencv-js').then(
    (ns) => new Promise<{ cv: Cv }>((resolve) => {
      const cv = (ns as unknown as { default: Cv & { Mat?: unknown } }).default;
      if (typeof cv.Mat === 'function') resolve({ cv });
      else cv.onRuntimeInitialized = () => resolve({ cv });
    }),
    (err: unknown) => {
      loading = null;
      throw new Error(`The image-matching engine (OpenCV.js) could not be loaded: ${(err as Error).message}`);
    },
  );
  return loading;
}

/**
 * Stretches the 0.5%–99.5% luma range to 0–255, so a contrast or brightness change does not
 * change which corners pass the FAST threshold.
 */
export function stretchContrast(luma: Uint8Array): Uint8Array {
  const hist = new Uint32Array(256);
  for (let i = 0; i < luma.length; i++) hist[luma[i]!]!++;
  const cut = luma.length * 0.005;
  let lo = 0;
  for (let acc = 0; lo < 255 && acc + hist[lo]! <= cut; lo++) acc += hist[lo]!;
  let hi = 255;
  for (let acc = 0; hi > 0 && acc + hist[hi]! <= cut; hi--) acc += hist[hi]!;
  if (hi - lo < 8) return luma;
  const lut = new Uint8Array(256);
  for (let v = 0; v < 256; v++) lut[v] = Math.max(0, Math.min(255, Math.round(((v - lo) * 255) / (hi - lo))));
  const out = new Uint8Array(luma.length);
  for (let i = 0; i < luma.length; i++) out[i] = lut[luma[i]!]!;
  return out;
}

export interface OrbOptions {
  /** Keypoints kept, spread over the picture. @default 500 */
  keep?: number;
  /** Keypoints detected before spreading. @default 3000 */
  detect?: number;
  /** Side of the grid used to spread keypoints. @default 8 */
  grid?: number;
}

/**
 * ORB on an 8-bit greyscale image. Detects many keypoints, then keeps the strongest of each grid
 * cell in turn, so one busy area (a logo, stamped text, a price tag) cannot take the whole budget.
 */
export async function detectOrb(luma: Uint8Array, width: number, height: number, opts: OrbOptions = {}): Promise<Keypoints> {
  const { cv } = await loadCv();
  const keep = opts.keep ?? 500;
  const grid = opts.grid ?? 8;
  const mat = new cv.Mat(height, width, cv.CV_8UC1);
  const mask = new cv.Mat();
  let kps = new cv.KeyPointVector();
  let desc = new cv.Mat();
  const detect = opts.detect ?? 3000;
  // Smooth pictures (bokeh, sky, soft product shots) give few corners at the usual FAST threshold:
  // lower it step by step until there are enough keypoints to match on.
  const thresholds = [12, 6, 3];
  const minimum = Math.min(keep, 400);
  try {
    mat.data.set(stretchContrast(luma.subarray(0, width * height)));
    for (const threshold of thresholds) {
      // Small patches and edge margins so that small pictures and crops still have keypoints near edges.
      const orb = new cv.ORB(detect, 1.2, 8, 19, 0, 2, cv.ORB_HARRIS_SCORE, 19, threshold);
      try {
        kps.delete();
        desc.delete();
        kps = new cv.KeyPointVector();
        desc = new cv.Mat();
        orb.detectAndCompute(mat, mask, kps, desc);
      } finally {
        orb.delete();
      }
      if (kps.size() >= minimum) break;
    }
    const total = kps.size();
    const cells: { i: number; r: number }[][] = Array.from({ length: grid * grid }, () => []);
    const points: CvKeyPoint[] = [];
    for (let i = 0; i < total; i++) {
      const k = kps.get(i);
      points.push(k);
      const cx = Math.min(grid - 1, Math.floor((k.pt.x / width) * grid));
      const cy = Math.min(grid - 1, Math.floor((k.pt.y / height) * grid));
      cells[cy * grid + cx]!.push({ i, r: k.response });
    }
    for (const c of cells) c.sort((a, b) => b.r - a.r || a.i - b.i);
    const chosen: number[] = [];
    for (let round = 0; chosen.length < keep; round++) {
      let any = false;
      for (const c of cells) {
        if (round >= c.length) continue;
        any = true;
        chosen.push(c[round]!.i);
        if (chosen.length >= keep) break;
      }
      if (!any) break;
    }
    const n = chosen.length;
    const out: Keypoints = { n, x: new Float32Array(n), y: new Float32Array(n), angle: new Float32Array(n), octave: new Uint8Array(n), desc: new Uint32Array(n * 8) };
    const bytes = new Uint8Array(out.desc.buffer);
    const src = desc.data;
    chosen.forEach((ki, j) => {
      const k = points[ki]!;
      out.x[j] = k.pt.x;
      out.y[j] = k.pt.y;
      out.angle[j] = k.angle;
      out.octave[j] = k.octave;
      bytes.set(src.subarray(ki * 32, ki * 32 + 32), j * 32);
    });
    return out;
  } finally {
    mat.delete();
    mask.delete();
    kps.delete();
    desc.delete();
  }
}
