/**
 * Worker kernel: the original warped onto the suspect's pixel grid, then what the colour fit
 * explains (brightness, contrast, saturation, grey) and what it cannot (marks put on top).
 */
import { apply, invert, type Affine } from '../dsp/affine.ts';
import { analyseAligned, type ColourChange } from '../dsp/colourfit.ts';

export interface AnalyseTaskInput {
  /** The original, RGB bytes. */
  original: Uint8Array;
  ow: number;
  oh: number;
  /** The suspect, RGB bytes. */
  suspect: Uint8Array;
  sw: number;
  sh: number;
  /** Original grid → suspect grid. */
  map: Affine;
  /** Also return the warped original and the residual (for the comparison renders). */
  renders: boolean;
}

export interface AnalyseTaskOutput {
  colour: ColourChange;
  /** Share of the compared area covered by marks added on top. */
  share: number;
  /** Marks' bounding box on the suspect grid. */
  box: { x: number; y: number; width: number; height: number } | null;
  /** Share of the suspect grid the original covers. */
  covered: number;
  warped: Uint8Array | null;
  inside: Uint8Array | null;
  residual: Float32Array | null;
}

/** Bilinear warp of an RGB image: for every output pixel, samples `src` at outToSrc(x, y). */
export function warpRgb(src: Uint8Array, sw: number, sh: number, outToSrc: Affine, width: number, height: number): { data: Float32Array; inside: Uint8Array } {
  const data = new Float32Array(width * height * 3);
  const inside = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [u, v] = apply(outToSrc, x + 0.5, y + 0.5);
      const fx = u - 0.5;
      const fy = v - 0.5;
      if (fx < -0.5 || fy < -0.5 || fx > sw - 0.5 || fy > sh - 0.5) continue;
      const cx = Math.min(sw - 1, Math.max(0, fx));
      const cy = Math.min(sh - 1, Math.max(0, fy));
      const x0 = Math.floor(cx), y0 = Math.floor(cy);
      const x1 = Math.min(sw - 1, x0 + 1), y1 = Math.min(sh - 1, y0 + 1);
      const wx = cx - x0, wy = cy - y0;
      const i = y * width + x;
      inside[i] = 1;
      for (let c = 0; c < 3; c++) {
        const top = src[(y0 * sw + x0) * 3 + c]! * (1 - wx) + src[(y0 * sw + x1) * 3 + c]! * wx;
        const bottom = src[(y1 * sw + x0) * 3 + c]! * (1 - wx) + src[(y1 * sw + x1) * 3 + c]! * wx;
        data[i * 3 + c] = top * (1 - wy) + bottom * wy;
      }
    }
  }
  return { data, inside };
}

export function analysePair(input: AnalyseTaskInput): AnalyseTaskOutput {
  const { data, inside } = warpRgb(input.original, input.ow, input.oh, invert(input.map), input.sw, input.sh);
  let covered = 0;
  for (let i = 0; i < inside.length; i++) covered += inside[i]!;
  covered /= inside.length || 1;
  const { colour, marks } = analyseAligned(data, input.suspect, inside, input.sw, input.sh);
  if (!input.renders) return { colour, share: marks.share, box: marks.box, covered, warped: null, inside: null, residual: null };
  return { colour, share: marks.share, box: marks.box, covered, warped: Uint8Array.from(data, (v) => Math.round(v)), inside, residual: marks.residual };
}
