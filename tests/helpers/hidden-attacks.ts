/**
 * What copycats do to a photo, with sharp: the attacks of the hidden-mark benchmark and tests.
 * Each takes the marked image as raw pixels and returns the bytes of the copy.
 */
import sharp, { type Sharp } from 'sharp';

export interface Raw {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

export type Attack = (img: Raw) => Promise<Buffer>;

const open = (r: Raw): Sharp => sharp(r.data, { raw: { width: r.width, height: r.height, channels: r.channels as 1 | 2 | 3 | 4 } });
const png = (s: Sharp) => s.png({ compressionLevel: 1 }).toBuffer();
const scaled = (r: Raw, f: number) => open(r).resize(Math.max(1, Math.round(r.width * f)), Math.max(1, Math.round(r.height * f)), { fit: 'fill' });

/** Deterministic Gaussian noise (Box–Muller on a small LCG), added to every channel. */
function addNoise(r: Raw, sigma: number, seed = 12345): Raw {
  const out = new Uint8Array(r.data);
  let s = seed >>> 0;
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
  for (let i = 0; i < out.length; i++) {
    const n = sigma * Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd());
    const v = out[i]! + n;
    out[i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
  }
  return { ...r, data: out };
}

function crop(r: Raw, keep: number, fx: number, fy: number): Sharp {
  const w = Math.round(r.width * keep);
  const h = Math.round(r.height * keep);
  return open(r).extract({ left: Math.round((r.width - w) * fx), top: Math.round((r.height - h) * fy), width: w, height: h });
}

/** A text-and-logo watermark (what a thief or a reseller stamps over a photo), drawn at 50% opacity. */
function stampSvg(width: number, height: number): Buffer {
  const fs = Math.round(Math.min(width, height) / 9);
  const rows: string[] = [];
  for (let y = fs; y < height + fs; y += fs * 3) {
    rows.push(`<text x="${-fs}" y="${y}" font-family="DejaVu Sans, sans-serif" font-weight="bold" font-size="${fs}" fill="#ffffff" stroke="#000000" stroke-width="${Math.max(1, fs / 30)}" transform="rotate(-20 ${width / 2} ${y})">© BEST DEALS SHOP · BEST DEALS SHOP</text>`);
  }
  const r = Math.round(Math.min(width, height) / 6);
  const logo = `<g transform="translate(${width - r * 1.3} ${height - r * 1.3})"><circle r="${r}" fill="#d02020"/><rect x="${-r / 2}" y="${-r / 2}" width="${r}" height="${r}" fill="#ffffff"/></g>`;
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><g opacity="0.5">${rows.join('')}${logo}</g></svg>`);
}

/** The marketplace listing: scaled to 60% and centred on a white square with a price tag. */
async function marketplace(r: Raw): Promise<Buffer> {
  const side = Math.max(r.width, r.height);
  const inner = await scaled(r, 0.6).png().toBuffer();
  const iw = Math.round(r.width * 0.6);
  const ih = Math.round(r.height * 0.6);
  const fs = Math.round(side / 14);
  const tag = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${side}" height="${side}"><rect x="${side * 0.62}" y="${side * 0.04}" width="${side * 0.34}" height="${fs * 1.6}" rx="${fs / 3}" fill="#e4002b"/><text x="${side * 0.79}" y="${side * 0.04 + fs * 1.15}" text-anchor="middle" font-family="DejaVu Sans, sans-serif" font-weight="bold" font-size="${fs}" fill="#ffffff">$19.99</text></svg>`);
  return sharp({ create: { width: side, height: side, channels: 3, background: '#ffffff' } })
    .composite([{ input: inner, left: Math.round((side - iw) / 2), top: Math.round((side - ih) / 2) }, { input: tag, left: 0, top: 0 }])
    .jpeg({ quality: 85 })
    .toBuffer();
}

/** Every attack of issue 5 (then the stretch goals), by name. */
export const attacks: Record<string, Attack> = {
  'none (JPEG 92)': (r) => open(r).jpeg({ quality: 92 }).toBuffer(),
  'JPEG 50': (r) => open(r).jpeg({ quality: 50 }).toBuffer(),
  'WebP 75': (r) => open(r).webp({ quality: 75 }).toBuffer(),
  'resize 50%': (r) => png(scaled(r, 0.5)),
  'resize 30%': (r) => png(scaled(r, 0.3)),
  'crop 60% centre': (r) => png(crop(r, 0.6, 0.5, 0.5)),
  'crop 60% off-centre': (r) => png(crop(r, 0.6, 0.1, 0.85)),
  'brightness x1.3': (r) => png(open(r).linear(1.3, 0)),
  'contrast x0.7': (r) => png(open(r).linear(0.7, 128 * 0.3)),
  'noise sigma 5': (r) => png(open(addNoise(r, 5))),
  'flip horizontal': (r) => png(open(r).flop()),
  'rotate 90': (r) => png(open(r).rotate(90)),
  'screenshot (1080 px, JPEG 85)': (r) => open(r).resize(r.width >= r.height ? { width: 1080 } : { height: 1080 }).jpeg({ quality: 85 }).toBuffer(),
  'visible text+logo 50%': (r) => open(r).composite([{ input: stampSvg(r.width, r.height), left: 0, top: 0 }]).jpeg({ quality: 90 }).toBuffer(),
  'marketplace (60% on white square)': (r) => marketplace(r),
  'stretch: rotate 3 deg': (r) => open(r).rotate(3, { background: '#ffffff' }).jpeg({ quality: 90 }).toBuffer(),
  'stretch: crop 60% + JPEG 50': async (r) => crop(r, 0.6, 0.3, 0.4).jpeg({ quality: 50 }).toBuffer(),
  'stretch: resize 50% + brightness x1.3': async (r) => png(sharp(await scaled(r, 0.5).png().toBuffer()).linear(1.3, 0)),
};

/** The attacks the issue requires (not the stretch goals). */
export const requiredAttacks = Object.keys(attacks).filter((n) => !n.startsWith('stretch'));
