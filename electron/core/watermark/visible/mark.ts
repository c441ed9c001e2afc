import sharp from 'sharp';
import { ProofmarkError, type WatermarkDesign } from '../../../contract/index.ts';
import { blendOver, visibleSpans, type Overlay } from './blend.ts';
import { ensureFontconfig, fontFile } from './fonts.ts';
import type { InkBox } from './layout.ts';
import { logoDataUri, type Logo } from './logo.ts';

/**
 * Draws marks: text (with outline and shadow) and logo composed in one SVG in design units
 * (font size 100), rasterised by sharp/librsvg. A mark is measured once (its ink box in design
 * units) and then rasterised at any scale by mapping exactly that box onto the canvas, so every
 * size shows the same relative geometry.
 */

const LINE_HEIGHT = 125;
const ASCENT = 88;
const LOGO_GAP = 30;

export interface MarkSpec {
  lines: string[];
  family: string;
  weight: 400 | 700;
  fill: string;
  outline: { colour: string; width: number } | null;
  shadow: { colour: string; opacity: number; blur: number; offset: number } | null;
  logo: { logo: Logo; height: number; width: number; x: number; y: number } | null;
  /** Text alignment: lines line up on the side of the image the mark sits on. */
  anchor: 'start' | 'middle' | 'end';
}

/** The design with its text filled in, in design units. */
export function markSpec(design: WatermarkDesign, text: string, resourcesDir: string, logo: Logo | null): MarkSpec {
  const lines = design.text ? text.split('\n').map((l) => l.trimEnd()) : [];
  const hasText = lines.some((l) => l.trim().length > 0);
  if (!hasText && !logo) throw new ProofmarkError('invalid_input', 'The mark would be empty: its text has no characters after filling in the tokens, and it has no logo.');
  let family = 'Source Han Sans SC';
  if (hasText && design.text) {
    ensureFontconfig(resourcesDir);
    family = fontFile(resourcesDir, design.text.font, design.text.weight).family;
  }
  const blockH = hasText ? (lines.length - 1) * LINE_HEIGHT + 100 : 0;
  const above = Boolean(logo && hasText && design.logo?.position === 'above');
  let logoSpec: MarkSpec['logo'] = null;
  if (logo) {
    const height = hasText ? (design.logo?.scale ?? 1.2) * blockH : 100;
    const width = (logo.width / logo.height) * height;
    const x = !hasText ? 0 : above ? -width / 2 : -LOGO_GAP - width;
    const y = !hasText ? 0 : above ? -LOGO_GAP - height : (blockH - height) / 2;
    logoSpec = { logo, height, width, x, y };
  }
  return {
    lines: hasText ? lines : [],
    family,
    weight: design.text?.weight === 'regular' ? 400 : 700,
    fill: design.text?.colour ?? '#ffffff',
    outline: design.outline ? { colour: design.outline.colour, width: design.outline.width } : null,
    shadow: design.shadow ? { ...design.shadow } : null,
    logo: logoSpec,
    anchor: above ? 'middle' : logoSpec ? 'start' : alignFor(design),
  };
}

function alignFor(design: WatermarkDesign): MarkSpec['anchor'] {
  if (design.layout.mode === 'tile') return 'middle';
  const a = design.layout.anchor;
  return a.endsWith('left') ? 'start' : a.endsWith('right') ? 'end' : 'middle';
}

export function specKey(s: MarkSpec): string {
  return JSON.stringify({ ...s, logo: s.logo ? { ...s.logo, logo: s.logo.logo.sha256 } : null });
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** SVG elements of the mark in design units; `pxPerUnit` picks the logo raster's resolution. */
async function content(s: MarkSpec, pxPerUnit: number): Promise<string> {
  let body = '';
  if (s.logo) {
    const uri = await logoDataUri(s.logo.logo, s.logo.height * pxPerUnit);
    body += `<image x="${s.logo.x}" y="${s.logo.y}" width="${s.logo.width}" height="${s.logo.height}" preserveAspectRatio="none" href="${uri}"/>`;
  }
  if (s.lines.length) {
    const stroke = s.outline ? ` stroke="${s.outline.colour}" stroke-width="${s.outline.width * 2}" stroke-linejoin="round" paint-order="stroke"` : '';
    const spans = s.lines.map((line, i) => `<tspan x="0" y="${ASCENT + i * LINE_HEIGHT}">${esc(line)}</tspan>`).join('');
    body += `<text font-family="${esc(s.family)}" font-size="100" font-weight="${s.weight}" fill="${s.fill}" text-anchor="${s.anchor}" xml:space="preserve"${stroke}>${spans}</text>`;
  }
  return body;
}

/** A generous guess of the mark's extent, before measuring. */
function estimate(s: MarkSpec): InkBox {
  let x0 = 0;
  let y0 = 0;
  let x1 = 0;
  let y1 = 0;
  if (s.lines.length) {
    const widest = Math.max(...s.lines.map((l) => [...l].reduce((sum, c) => sum + (c.codePointAt(0)! >= 0x2e80 ? 100 : 65), 0)));
    x0 = s.anchor === 'middle' ? -widest / 2 : s.anchor === 'end' ? -widest - 15 : -15;
    x1 = s.anchor === 'middle' ? widest / 2 : s.anchor === 'end' ? 15 : widest + 15;
    y0 = -15;
    y1 = (s.lines.length - 1) * LINE_HEIGHT + 130;
  }
  if (s.logo) {
    x0 = Math.min(x0, s.logo.x);
    y0 = Math.min(y0, s.logo.y);
    x1 = Math.max(x1, s.logo.x + s.logo.width);
    y1 = Math.max(y1, s.logo.y + s.logo.height);
  }
  const grow = (s.outline?.width ?? 0) + (s.shadow ? s.shadow.blur * 3 + s.shadow.offset : 0);
  return { x: x0 - grow, y: y0 - grow, width: x1 - x0 + 2 * grow, height: y1 - y0 + 2 * grow };
}

/**
 * Rasterises the SVG, then adds the drop shadow (offset and blur in pixels) from the drawn alpha.
 * librsvg's own blur filter costs about 0.5 µs a pixel; libvips blurs the alpha plane ~50x faster.
 * The shadow falls down-right in image space, also for rotated tiles.
 */
async function rasterize(svg: string, width: number, height: number, shadow: MarkSpec['shadow'], k: number, withSpans = true): Promise<Overlay> {
  const { data, info } = await sharp(Buffer.from(svg), { density: 72, limitInputPixels: false }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.height !== height || info.channels !== 4) {
    throw new Error(`The mark was rasterised at ${info.width}x${info.height}x${info.channels}, not ${width}x${height}x4.`);
  }
  const mark: Overlay = { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width, height };
  if (!shadow || shadow.opacity <= 0) return withSpans ? { ...mark, spans: visibleSpans(mark) } : mark;
  const n = width * height;
  const alpha = new Uint8Array(n);
  for (let i = 0; i < n; i++) alpha[i] = mark.data[i * 4 + 3]!;
  const sigma = shadow.blur * k;
  const blurred = sigma >= 0.3 ? new Uint8Array(await sharp(alpha, { raw: { width, height, channels: 1 } }).blur(sigma).extractChannel(0).raw().toBuffer()) : alpha;
  const d = Math.round(shadow.offset * k);
  const rgb = [1, 3, 5].map((i) => parseInt(shadow.colour.slice(i, i + 2), 16));
  const op = Math.round(shadow.opacity * 255);
  const out = new Uint8Array(n * 4);
  for (let y = d; y < height; y++) {
    for (let x = d; x < width; x++) {
      const a = blurred[(y - d) * width + (x - d)]!;
      if (a === 0) continue;
      const o = (y * width + x) * 4;
      out[o] = rgb[0]!;
      out[o + 1] = rgb[1]!;
      out[o + 2] = rgb[2]!;
      out[o + 3] = Math.round((a * op) / 255);
    }
  }
  blendOver({ data: out, width, height, channels: 4 }, mark, 0, 0, 1);
  const result: Overlay = { data: out, width, height };
  return withSpans ? { ...result, spans: visibleSpans(result) } : result;
}

/** Tight box of the pixels with any alpha; null when none. */
export function alphaBounds(o: Overlay): { x0: number; y0: number; x1: number; y1: number } | null {
  let x0 = o.width;
  let y0 = o.height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < o.height; y++) {
    const row = y * o.width * 4;
    for (let x = 0; x < o.width; x++) {
      if (o.data[row + x * 4 + 3]! > 0) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        y1 = y;
      }
    }
  }
  return x1 < 0 ? null : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

/** Measured ink boxes and rendered overlays, kept while a batch runs (most images share sizes). */
export class MarkRenderer {
  private readonly inks = new Map<string, Promise<InkBox>>();
  private readonly rasters = new Map<string, Promise<Overlay>>();
  private rasterBytes = 0;
  private static readonly MAX_RASTER_BYTES = 96 * 1024 * 1024;

  /** The mark's ink box in design units (font size 100), found by rendering it once. */
  measure(spec: MarkSpec): Promise<InkBox> {
    const key = specKey(spec);
    let hit = this.inks.get(key);
    if (!hit) {
      hit = this.measureNow(spec);
      this.inks.set(key, hit);
      hit.catch(() => this.inks.delete(key));
      if (this.inks.size > 256) this.inks.delete(this.inks.keys().next().value!);
    }
    return hit;
  }

  private async measureNow(spec: MarkSpec): Promise<InkBox> {
    let est = estimate(spec);
    for (let attempt = 0; attempt < 4; attempt++) {
      const pad = 0.1 * Math.max(est.width, est.height) + 40;
      const box = { x: est.x - pad, y: est.y - pad, width: est.width + 2 * pad, height: est.height + 2 * pad };
      // Two measuring pixels per design unit for short marks; long ones are measured on at most ~1.5 MP.
      const s = Math.min(2, Math.sqrt(1.5e6 / (box.width * box.height)));
      const w = Math.ceil(box.width * s);
      const h = Math.ceil(box.height * s);
      const body = await content(spec, s);
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="${box.x} ${box.y} ${w / s} ${h / s}">${body}</svg>`;
      const b = alphaBounds(await rasterize(svg, w, h, spec.shadow, s, false));
      if (!b) throw new ProofmarkError('invalid_input', 'The mark has nothing visible (fully transparent logo, or only spaces).');
      if (b.x0 === 0 || b.y0 === 0 || b.x1 === w || b.y1 === h) {
        est = { x: est.x - est.width / 2, y: est.y - est.height / 2, width: est.width * 2, height: est.height * 2 };
        continue;
      }
      // One measuring pixel of slack on each side: an edge too faint to count here may show when drawn larger.
      return { x: box.x + (b.x0 - 1) / s, y: box.y + (b.y0 - 1) / s, width: (b.x1 - b.x0 + 2) / s, height: (b.y1 - b.y0 + 2) / s };
    }
    throw new ProofmarkError('invalid_input', 'The mark is too large to draw; shorten the text.');
  }

  private cached(key: string, make: () => Promise<Overlay>): Promise<Overlay> {
    let hit = this.rasters.get(key);
    if (hit) {
      this.rasters.delete(key);
      this.rasters.set(key, hit);
      return hit;
    }
    hit = make();
    this.rasters.set(key, hit);
    hit.then(
      (o) => {
        this.rasterBytes += o.data.byteLength;
        while (this.rasterBytes > MarkRenderer.MAX_RASTER_BYTES && this.rasters.size > 1) {
          const [oldKey, old] = this.rasters.entries().next().value!;
          this.rasters.delete(oldKey);
          void old.then((v) => (this.rasterBytes -= v.data.byteLength), () => {});
        }
      },
      () => this.rasters.delete(key),
    );
    return hit;
  }

  /**
   * The mark at `k` pixels per unit, its ink box starting at the fractional offset (fx, fy) of the
   * returned canvas, so placing the canvas at whole pixels puts the ink exactly where the layout says.
   */
  single(spec: MarkSpec, ink: InkBox, k: number, fx: number, fy: number): Promise<Overlay> {
    const w = Math.max(1, Math.ceil(ink.width * k + fx));
    const h = Math.max(1, Math.ceil(ink.height * k + fy));
    return this.cached(`${specKey(spec)}|s|${k}|${fx}|${fy}`, async () => {
      const body = await content(spec, k);
      const vx = ink.x - fx / k;
      const vy = ink.y - fy / k;
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="${vx} ${vy} ${w / k} ${h / k}" preserveAspectRatio="none">${body}</svg>`;
      return rasterize(svg, w, h, spec.shadow, k);
    });
  }

  /** The mark rotated by `angle` degrees about its ink box centre, centred on the canvas. */
  rotated(spec: MarkSpec, ink: InkBox, k: number, angle: number): Promise<Overlay> {
    const rad = (angle * Math.PI) / 180;
    const cos = Math.abs(Math.cos(rad));
    const sin = Math.abs(Math.sin(rad));
    const w = Math.ceil(ink.width * k * cos + ink.height * k * sin) + 2;
    const h = Math.ceil(ink.width * k * sin + ink.height * k * cos) + 2;
    return this.cached(`${specKey(spec)}|r|${k}|${angle}`, async () => {
      const body = await content(spec, k);
      const cx = ink.x + ink.width / 2;
      const cy = ink.y + ink.height / 2;
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><g transform="translate(${w / 2} ${h / 2}) rotate(${angle}) scale(${k}) translate(${-cx} ${-cy})">${body}</g></svg>`;
      return rasterize(svg, w, h, spec.shadow, k);
    });
  }
}
