import sharp, { type Sharp } from 'sharp';

/**
 * The edits people make to a copied product photo, as the find feature's tests and benchmark
 * apply them (real sharp operations on real photos).
 */
export const transformNames = [
  'jpeg50', 'resize25', 'crop60-centre', 'crop60-offcentre', 'brightness1.3', 'contrast0.7', 'greyscale',
  'hflip', 'rot90', 'rot5', 'border10', 'text-overlay', 'price-square', 'screenshot',
] as const;
export type TransformName = (typeof transformNames)[number];

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Semi-transparent text lines across a band covering about a fifth of the picture. */
function textOverlaySvg(w: number, h: number, text: string): Buffer {
  const bandH = Math.round(h * 0.2);
  const top = Math.round(h * 0.55);
  const size = Math.max(10, Math.round(bandH * 0.42));
  const lines = [0, 1].map((i) => `<text x="${Math.round(w * 0.04)}" y="${top + Math.round(size * (1.05 + i * 1.1))}" font-family="DejaVu Sans, sans-serif" font-weight="bold" font-size="${size}" fill="white" fill-opacity="0.6" stroke="black" stroke-opacity="0.35" stroke-width="${Math.max(1, size / 18)}">${escapeXml(text)}</text>`);
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">${lines.join('')}</svg>`);
}

/** A red price tag in a corner of a white listing square. */
function priceTagSvg(side: number): Buffer {
  const w = Math.round(side * 0.3);
  const h = Math.round(side * 0.13);
  const x = side - w - Math.round(side * 0.03);
  const y = Math.round(side * 0.03);
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${side}" height="${side}"><rect x="${x}" y="${y}" width="${w}" height="${h}" rx="${h / 5}" fill="#d81e06"/><text x="${x + w / 2}" y="${y + h * 0.7}" text-anchor="middle" font-family="DejaVu Sans, sans-serif" font-weight="bold" font-size="${Math.round(h * 0.55)}" fill="white">¥ 99.00</text></svg>`);
}

/** Applies one named edit to an image file's bytes; returns JPEG (or the format the edit implies). */
export async function applyTransform(input: Buffer | string, name: TransformName): Promise<Buffer> {
  const img = () => sharp(input).rotate();
  const meta = await img().toBuffer({ resolveWithObject: true }).then((r) => r.info);
  const w = meta.width;
  const h = meta.height;
  const jpeg = (s: Sharp, quality = 90) => s.jpeg({ quality }).toBuffer();
  switch (name) {
    case 'jpeg50': return jpeg(img(), 50);
    case 'resize25': return jpeg(img().resize(Math.max(1, Math.round(w * 0.25))));
    case 'crop60-centre': {
      const cw = Math.round(w * 0.6), ch = Math.round(h * 0.6);
      return jpeg(img().extract({ left: Math.round((w - cw) / 2), top: Math.round((h - ch) / 2), width: cw, height: ch }));
    }
    case 'crop60-offcentre': {
      const cw = Math.round(w * 0.6), ch = Math.round(h * 0.6);
      return jpeg(img().extract({ left: Math.round((w - cw) * 0.9), top: Math.round((h - ch) * 0.15), width: cw, height: ch }));
    }
    case 'brightness1.3': return jpeg(img().modulate({ brightness: 1.3 }));
    case 'contrast0.7': return jpeg(img().linear(0.7, 128 * 0.3));
    case 'greyscale': return jpeg(img().greyscale());
    case 'hflip': return jpeg(img().flop());
    case 'rot90': return jpeg(img().rotate(90));
    case 'rot5': return jpeg(sharp(await img().toBuffer()).rotate(5, { background: '#ffffff' }));
    case 'border10': {
      const bx = Math.round(w * 0.1), by = Math.round(h * 0.1);
      return jpeg(img().extend({ top: by, bottom: by, left: bx, right: bx, background: '#ffffff' }));
    }
    case 'text-overlay': return jpeg(img().composite([{ input: textOverlaySvg(w, h, 'BEST PRICE SHOP 123') }]));
    case 'price-square': {
      const side = Math.max(w, h);
      const scaled = await img().resize(Math.round(w * 0.6 * (side / Math.max(w, h)))).toBuffer({ resolveWithObject: true });
      const left = Math.round((side - scaled.info.width) / 2);
      const top = Math.round((side - scaled.info.height) / 2);
      return jpeg(
        sharp({ create: { width: side, height: side, channels: 3, background: '#ffffff' } })
          .composite([{ input: scaled.data, left, top }, { input: priceTagSvg(side) }]),
      );
    }
    case 'screenshot': {
      const long = 1080;
      const resized = w >= h ? img().resize({ width: long }) : img().resize({ height: long });
      return jpeg(resized, 85);
    }
  }
}
