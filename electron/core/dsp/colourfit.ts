/**
 * Colour changes and added marks between an original and a suspect already aligned onto the
 * same pixel grid: a 3×3 colour matrix plus offset explains brightness, contrast, saturation,
 * greyscale and tints; what it cannot explain, in solid patches, was put on top.
 */

/** Box blur of radius r (separable running sums, edges clamped). */
export function boxBlurF(src: Float32Array, width: number, height: number, r: number): Float32Array {
  const tmp = new Float32Array(src.length);
  const out = new Float32Array(src.length);
  const d = 2 * r + 1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let s = 0;
    for (let k = -r; k <= r; k++) s += src[row + Math.min(width - 1, Math.max(0, k))]!;
    for (let x = 0; x < width; x++) {
      tmp[row + x] = s / d;
      s += src[row + Math.min(width - 1, x + r + 1)]! - src[row + Math.max(0, x - r)]!;
    }
  }
  for (let x = 0; x < width; x++) {
    let s = 0;
    for (let k = -r; k <= r; k++) s += tmp[Math.min(height - 1, Math.max(0, k)) * width + x]!;
    for (let y = 0; y < height; y++) {
      out[y * width + x] = s / d;
      s += tmp[Math.min(height - 1, y + r + 1) * width + x]! - tmp[Math.max(0, y - r) * width + x]!;
    }
  }
  return out;
}

/** Shrinks a 0/1 mask by r pixels (a pixel stays set only if its whole box neighbourhood is set). */
export function erodeMask01(mask: Uint8Array, width: number, height: number, r: number): Uint8Array {
  const f = Float32Array.from(mask);
  const m = boxBlurF(f, width, height, r);
  const out = new Uint8Array(mask.length);
  for (let i = 0; i < out.length; i++) out[i] = mask[i] && m[i]! > 0.999 ? 1 : 0;
  return out;
}

export interface ColourChange {
  brightness: number;
  contrast: number;
  saturation: number;
  greyscale: boolean;
}

export interface AddedMarks {
  /** Share of the compared area covered by added marks. */
  share: number;
  /** Bounding box of the marks in the grid's pixels, or null. */
  box: { x: number; y: number; width: number; height: number } | null;
  /** Residual after the colour fit, blurred (0–~440), for the difference view. */
  residual: Float32Array;
  /** The area compared (inside both pictures, away from the edges). */
  compared: Uint8Array;
}

/** Solves the 4×4 system A·x = b in place (Gaussian elimination with partial pivoting). */
function solve4(a: number[][], b: number[]): number[] | null {
  const n = 4;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    if (Math.abs(a[p]![c]!) < 1e-9) return null;
    [a[c], a[p]] = [a[p]!, a[c]!];
    [b[c], b[p]] = [b[p]!, b[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k < n; k++) a[r]![k]! -= f * a[c]![k]!;
      b[r]! -= f * b[c]!;
    }
  }
  const x = [0, 0, 0, 0];
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r]!;
    for (let k = r + 1; k < n; k++) s -= a[r]![k]! * x[k]!;
    x[r] = s / a[r]![r]!;
  }
  return x;
}

/** Per suspect channel, coefficients [wR, wG, wB, offset] on the original's RGB, fitted on `use`. */
function fitColourMatrix(orig: Float32Array, sus: Uint8Array, use: Uint8Array): number[][] {
  const out: number[][] = [];
  for (let ch = 0; ch < 3; ch++) {
    const ata = [0, 1, 2, 3].map(() => [0, 0, 0, 0]);
    const atb = [0, 0, 0, 0];
    for (let i = 0; i < use.length; i++) {
      if (!use[i]) continue;
      const v = [orig[i * 3]!, orig[i * 3 + 1]!, orig[i * 3 + 2]!, 1];
      const t = sus[i * 3 + ch]!;
      for (let r = 0; r < 4; r++) {
        atb[r]! += v[r]! * t;
        for (let c = 0; c < 4; c++) ata[r]![c]! += v[r]! * v[c]!;
      }
    }
    // A whisper of ridge regularisation keeps flat pictures (one colour) solvable.
    for (let r = 0; r < 3; r++) ata[r]![r]! += 1e-3 * (ata[3]![3]! || 1);
    out.push(solve4(ata, atb) ?? (ch === 0 ? [1, 0, 0, 0] : ch === 1 ? [0, 1, 0, 0] : [0, 0, 1, 0]));
  }
  return out;
}

const luma = (r: number, g: number, b: number) => 0.299 * r + 0.587 * g + 0.114 * b;
const chroma = (r: number, g: number, b: number) => Math.max(r, g, b) - Math.min(r, g, b);

/**
 * Compares `orig` (the original warped onto the suspect's grid, RGB floats) with `sus` (RGB bytes)
 * where `inside` is set.
 */
export function analyseAligned(orig: Float32Array, sus: Uint8Array, inside: Uint8Array, width: number, height: number): { colour: ColourChange; marks: AddedMarks } {
  const compared = erodeMask01(inside, width, height, 2);
  let matrix = fitColourMatrix(orig, sus, compared);
  const residualOf = (m: number[][]) => {
    const r = new Float32Array(width * height);
    for (let i = 0; i < r.length; i++) {
      if (!compared[i]) continue;
      let s = 0;
      for (let ch = 0; ch < 3; ch++) {
        const w = m[ch]!;
        const pred = w[0]! * orig[i * 3]! + w[1]! * orig[i * 3 + 1]! + w[2]! * orig[i * 3 + 2]! + w[3]!;
        s += (sus[i * 3 + ch]! - pred) ** 2;
      }
      r[i] = Math.sqrt(s);
    }
    return r;
  };
  // Refit without the worst-explained pixels, so marks on top do not bend the colour fit.
  let raw = residualOf(matrix);
  const vals = [];
  for (let i = 0; i < raw.length; i++) if (compared[i]) vals.push(raw[i]!);
  vals.sort((a, b) => a - b);
  const cut = vals[Math.floor(vals.length * 0.85)] ?? Infinity;
  const core = new Uint8Array(compared.length);
  for (let i = 0; i < core.length; i++) core[i] = compared[i] && raw[i]! <= cut ? 1 : 0;
  matrix = fitColourMatrix(orig, sus, core);
  raw = residualOf(matrix);

  // Colour statistics on the well-explained pixels.
  let n = 0, lo = 0, ls = 0, loo = 0, lss = 0, co = 0, cs = 0;
  for (let i = 0; i < core.length; i++) {
    if (!core[i]) continue;
    const o = luma(orig[i * 3]!, orig[i * 3 + 1]!, orig[i * 3 + 2]!);
    const s = luma(sus[i * 3]!, sus[i * 3 + 1]!, sus[i * 3 + 2]!);
    n++; lo += o; ls += s; loo += o * o; lss += s * s;
    co += chroma(orig[i * 3]!, orig[i * 3 + 1]!, orig[i * 3 + 2]!);
    cs += chroma(sus[i * 3]!, sus[i * 3 + 1]!, sus[i * 3 + 2]!);
  }
  const mo = n ? lo / n : 0, ms = n ? ls / n : 0;
  const so = n ? Math.sqrt(Math.max(0, loo / n - mo * mo)) : 0;
  const ss = n ? Math.sqrt(Math.max(0, lss / n - ms * ms)) : 0;
  const mco = n ? co / n : 0, mcs = n ? cs / n : 0;
  const colour: ColourChange = {
    brightness: mo > 1 ? ms / mo : 1,
    contrast: so > 1 ? ss / so : 1,
    saturation: mco > 2 ? mcs / mco : 1,
    greyscale: mco > 10 && mcs < 3,
  };

  // Added marks: solid patches the colour fit cannot explain (thin misalignment lines blur away).
  const residual = boxBlurF(raw, width, height, Math.max(2, Math.round(Math.max(width, height) / 200)));
  const inCompared: number[] = [];
  for (let i = 0; i < residual.length; i++) if (compared[i]) inCompared.push(residual[i]!);
  inCompared.sort((a, b) => a - b);
  const median = inCompared[inCompared.length >> 1] ?? 0;
  const threshold = Math.max(28, 5 * median);
  let marked = 0, x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (!compared[i] || residual[i]! <= threshold) continue;
      marked++;
      if (x < x0) x0 = x;
      if (y < y0) y0 = y;
      if (x > x1) x1 = x;
      if (y > y1) y1 = y;
    }
  }
  const share = inCompared.length ? marked / inCompared.length : 0;
  return {
    colour,
    marks: { share, box: marked ? { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 } : null, residual, compared },
  };
}
