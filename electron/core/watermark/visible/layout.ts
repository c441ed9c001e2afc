import type { MarkGeometry, WatermarkDesign } from '../../../contract/index.ts';

/**
 * Geometry of a mark, in pixels of one image. Pure arithmetic, no I/O, so the preview and the
 * export compute exactly the same thing and tests can check it on any size.
 *
 * Units: a mark is drawn once in "design units" where the font size is 100 (a logo alone is 100
 * units tall). `ink` is the tight box of its visible pixels in those units, measured by rendering.
 * `k` is pixels per design unit in the image.
 */

/** Below this short side a visible mark cannot be made legible; such images are refused. */
export const MIN_SIDE_FOR_MARK = 16;
/** A mark is never drawn with a font smaller than this (unless the image is tiny, see `minFontPx`). */
export const MIN_FONT_PX = 8;
export const UNITS_PER_EM = 100;

export interface InkBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Layout {
  mode: 'single' | 'tile';
  /** Pixels per design unit. */
  k: number;
  /** Size of the ink box in pixels (unrotated). */
  width: number;
  height: number;
  angle: number;
  /** Centre of each placed copy, in pixels. */
  centers: { x: number; y: number }[];
  shrunk: boolean;
}

function minFontPx(short: number): number {
  return Math.min(MIN_FONT_PX, short / 4);
}

/** Lays a mark with the given ink box out on a `width` x `height` image. */
export function layoutMark(design: Pick<WatermarkDesign, 'size' | 'layout'>, ink: InkBox, width: number, height: number): Layout {
  const short = Math.min(width, height);
  let k = Math.max((design.size / 100) * short, minFontPx(short)) / UNITS_PER_EM;
  let w = ink.width * k;
  let h = ink.height * k;
  const layout = design.layout;
  if (layout.mode === 'single') {
    const m = (layout.margin / 100) * short;
    // Never clipped: shrink to fit between the margins (margins are at most 25% of the short side).
    const fit = Math.min(1, (width - 2 * m) / w, (height - 2 * m) / h);
    const shrunk = fit < 1;
    if (shrunk) {
      k *= fit;
      w *= fit;
      h *= fit;
    }
    const [row, col] = anchorParts(layout.anchor);
    const x = col === 0 ? m : col === 1 ? (width - w) / 2 : width - m - w;
    const y = row === 0 ? m : row === 1 ? (height - h) / 2 : height - m - h;
    return { mode: 'single', k, width: w, height: h, angle: 0, centers: [{ x: x + w / 2, y: y + h / 2 }], shrunk };
  }

  const angle = layout.angle;
  const rad = (angle * Math.PI) / 180;
  const cos = Math.abs(Math.cos(rad));
  const sin = Math.abs(Math.sin(rad));
  // One whole tile always fits, so at least the centre copy is complete.
  const fit = Math.min(1, width / (w * cos + h * sin), height / (w * sin + h * cos));
  const shrunk = fit < 1;
  if (shrunk) {
    k *= fit;
    w *= fit;
    h *= fit;
  }
  const gap = (layout.spacing / 100) * short;
  // A lattice along the mark's own direction: copies sit on parallel lines, odd lines shifted by half a step.
  const ax = Math.cos(rad) * (w + gap);
  const ay = Math.sin(rad) * (w + gap);
  const bx = -Math.sin(rad) * (h + gap);
  const by = Math.cos(rad) * (h + gap);
  const cx = width / 2;
  const cy = height / 2;
  const rw = (w * cos + h * sin) / 2;
  const rh = (w * sin + h * cos) / 2;
  const reach = Math.hypot(width, height) / 2 + Math.hypot(w, h);
  const maxI = Math.ceil(reach / (w + gap)) + 1;
  const maxJ = Math.ceil(reach / (h + gap)) + 1;
  const centers: { x: number; y: number }[] = [];
  for (let j = -maxJ; j <= maxJ; j++) {
    const shift = layout.stagger && j % 2 !== 0 ? 0.5 : 0;
    for (let i = -maxI; i <= maxI; i++) {
      const x = cx + (i + shift) * ax + j * bx;
      const y = cy + (i + shift) * ay + j * by;
      if (x + rw <= 0 || x - rw >= width || y + rh <= 0 || y - rh >= height) continue;
      centers.push({ x, y });
    }
  }
  centers.sort((p, q) => p.y - q.y || p.x - q.x);
  return { mode: 'tile', k, width: w, height: h, angle, centers, shrunk };
}

/** [row, column], each 0, 1 or 2. */
export function anchorParts(anchor: string): [number, number] {
  const row = anchor.startsWith('top') ? 0 : anchor.startsWith('bottom') ? 2 : 1;
  const col = anchor.endsWith('left') ? 0 : anchor.endsWith('right') ? 2 : 1;
  return [row, col];
}

/** The same layout on an image scaled by (sx, sy): how the preview shows the export. */
export function scaleLayout(l: Layout, sx: number, sy: number): Layout {
  return {
    ...l,
    k: l.k * sx,
    width: l.width * sx,
    height: l.height * sx,
    centers: l.centers.map((c) => ({ x: c.x * sx, y: c.y * sy })),
  };
}

/** Geometry relative to the image (0..1), as the contract reports it. */
export function relativeGeometry(l: Layout, width: number, height: number): MarkGeometry {
  return {
    mode: l.mode,
    boxes: l.centers.map((c) => ({ x: c.x / width, y: c.y / height, width: l.width / width, height: l.height / height, angle: l.angle })),
    fontPx: l.k * UNITS_PER_EM,
    shrunk: l.shrunk,
  };
}

/** Output size after orientation and resizing (never enlarged). */
export function targetSize(width: number, height: number, resize: { mode: 'none' } | { mode: 'long-edge'; size: number } | { mode: 'fit'; width: number; height: number }): { width: number; height: number } {
  let scale = 1;
  if (resize.mode === 'long-edge') scale = Math.min(1, resize.size / Math.max(width, height));
  else if (resize.mode === 'fit') scale = Math.min(1, resize.width / width, resize.height / height);
  if (scale >= 1) return { width, height };
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}
