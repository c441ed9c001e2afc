/**
 * Finds the content box inside uniform borders (white padding, black bars, a plain canvas
 * around a scaled-down copy), so global hashes compare content with content.
 */

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface TrimOptions {
  /** Largest luma difference from the border colour that still counts as border. @default 14 */
  tolerance?: number;
  /** Share of a row or column that must be border colour for it to be trimmed. @default 0.985 */
  coverage?: number;
  /** Keep at least this share of each side; a nearly uniform image is not trimmed to nothing. @default 0.1 */
  minKeep?: number;
}

/** Median of the luma values on the outermost ring of pixels: the border colour, if any. */
function borderLevel(luma: Uint8Array, w: number, h: number): number {
  const hist = new Uint32Array(256);
  for (let x = 0; x < w; x++) {
    hist[luma[x]!]!++;
    hist[luma[(h - 1) * w + x]!]!++;
  }
  for (let y = 1; y < h - 1; y++) {
    hist[luma[y * w]!]!++;
    hist[luma[y * w + w - 1]!]!++;
  }
  const total = 2 * w + 2 * Math.max(0, h - 2);
  let acc = 0;
  for (let v = 0; v < 256; v++) {
    acc += hist[v]!;
    if (acc * 2 >= total) return v;
  }
  return 255;
}

/**
 * The box of a single-channel image that is left after removing rows and columns made (almost)
 * only of the border colour. Returns the whole image when there is no uniform border.
 */
export function trimUniformBorder(luma: Uint8Array, w: number, h: number, opts: TrimOptions = {}): Box {
  const tolerance = opts.tolerance ?? 14;
  const coverage = opts.coverage ?? 0.985;
  const minKeep = opts.minKeep ?? 0.1;
  const level = borderLevel(luma, w, h);
  const isBorder = (v: number) => Math.abs(v - level) <= tolerance;
  const rowIsBorder = (y: number, x0: number, x1: number) => {
    let n = 0;
    for (let x = x0; x < x1; x++) if (isBorder(luma[y * w + x]!)) n++;
    return n >= coverage * (x1 - x0);
  };
  const colIsBorder = (x: number, y0: number, y1: number) => {
    let n = 0;
    for (let y = y0; y < y1; y++) if (isBorder(luma[y * w + x]!)) n++;
    return n >= coverage * (y1 - y0);
  };
  let top = 0;
  let bottom = h;
  let left = 0;
  let right = w;
  const maxCutY = Math.floor(h * (1 - minKeep));
  const maxCutX = Math.floor(w * (1 - minKeep));
  while (bottom - top > h - maxCutY && rowIsBorder(top, left, right)) top++;
  while (bottom - top > h - maxCutY && rowIsBorder(bottom - 1, left, right)) bottom--;
  while (right - left > w - maxCutX && colIsBorder(left, top, bottom)) left++;
  while (right - left > w - maxCutX && colIsBorder(right - 1, top, bottom)) right--;
  return { x: left, y: top, width: right - left, height: bottom - top };
}

/**
 * Inside a trimmed box, the main block of content when small separate marks sit apart from it on
 * the plain canvas (a price tag or a shop name in a corner of a listing square): rows, then
 * columns, are split at bands of border colour, and the band holding most of the content is kept
 * when the rest holds at most `maxDropped` of it. Returns `box` unchanged otherwise.
 */
export function mainBlock(luma: Uint8Array, w: number, h: number, box: Box, opts: TrimOptions & { maxDropped?: number; minGap?: number } = {}): Box {
  const tolerance = opts.tolerance ?? 14;
  const maxDropped = opts.maxDropped ?? 0.25;
  const minGap = opts.minGap ?? 0.015;
  const level = borderLevel(luma, w, h);
  let b = box;
  for (const axis of ['y', 'x', 'y'] as const) {
    const along = axis === 'y' ? b.height : b.width;
    const across = axis === 'y' ? b.width : b.height;
    const mass = new Float64Array(along);
    for (let i = 0; i < along; i++) {
      let n = 0;
      for (let j = 0; j < across; j++) {
        const v = axis === 'y' ? luma[(b.y + i) * w + b.x + j]! : luma[(b.y + j) * w + b.x + i]!;
        if (Math.abs(v - level) > tolerance) n++;
      }
      mass[i] = n > across * 0.015 ? n : 0;
    }
    // Segments of content separated by gaps of at least minGap of the side.
    const gap = Math.max(2, Math.round(minGap * along));
    const segments: { from: number; to: number; mass: number }[] = [];
    let i = 0;
    while (i < along) {
      while (i < along && mass[i] === 0) i++;
      if (i >= along) break;
      const from = i;
      let m = 0;
      let last = i;
      let empty = 0;
      while (i < along && empty < gap) {
        if (mass[i]! > 0) {
          m += mass[i]!;
          last = i;
          empty = 0;
        } else empty++;
        i++;
      }
      segments.push({ from, to: last + 1, mass: m });
    }
    if (segments.length === 0) continue;
    const total = segments.reduce((a, s) => a + s.mass, 0);
    const main = segments.reduce((a, s) => (s.mass > a.mass ? s : a));
    if (total - main.mass > maxDropped * total) continue;
    // Keep at least a tenth of the side: a nearly blank picture is not cut down to a speck.
    if (main.to - main.from < 0.1 * along) continue;
    b = axis === 'y' ? { x: b.x, y: b.y + main.from, width: b.width, height: main.to - main.from } : { x: b.x + main.from, y: b.y, width: main.to - main.from, height: b.height };
  }
  return b;
}
