import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { corpusFile, corpusNames } from './corpus.ts';

/**
 * `count` distinct real photos: crops of the corpus photos at varying positions and sizes, so every
 * file has different bytes and content. Returns their paths.
 */
export async function makePhotoSet(dir: string, count: number, opts: { maxSide?: number } = {}): Promise<string[]> {
  await fs.mkdir(dir, { recursive: true });
  const names = await corpusNames();
  const sources = await Promise.all(names.map(async (n) => ({ name: n, meta: await sharp(corpusFile(n)).metadata() })));
  const maxSide = opts.maxSide ?? 640;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const src = sources[i % sources.length]!;
    const w = src.meta.width!;
    const h = src.meta.height!;
    const side = Math.max(64, Math.floor(Math.min(w, h) * (0.5 + ((i * 37) % 40) / 100)));
    const left = Math.floor(((i * 131) % 97) / 97 * (w - side));
    const top = Math.floor(((i * 71) % 89) / 89 * (h - side));
    const file = path.join(dir, `photo-${String(i).padStart(4, '0')}.jpg`);
    await sharp(corpusFile(src.name)).extract({ left, top, width: side, height: side }).resize(Math.min(side, maxSide)).jpeg({ quality: 88 }).toFile(file);
    out.push(file);
  }
  return out;
}
