/**
 * Comparison pictures for people: original and suspect side by side with the matched region
 * outlined, the original laid over the suspect, and where they differ (after colour changes).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { CoreDeps } from '../deps.ts';
import type { FindMatch } from '../../contract/index.ts';
import type { AlignedPair } from './changes.ts';

const PANEL_HEIGHT = 420;
const GAP = 16;

async function publishPng(deps: CoreDeps, png: Buffer): Promise<string> {
  await fs.mkdir(deps.config.tempDir, { recursive: true });
  const file = path.join(deps.config.tempDir, `find-${randomBytes(8).toString('hex')}.png`);
  await fs.writeFile(file, png);
  return deps.media.publish(file);
}

const polygon = (pts: { x: number; y: number }[], k: number, dx: number) => pts.map((p) => `${(p.x * k + dx).toFixed(1)},${(p.y * k).toFixed(1)}`).join(' ');

/** Original (left, the part seen in the suspect boxed) and suspect (right, where the original lands outlined). */
export async function renderSideBySide(deps: CoreDeps, originalId: number, suspectBytes: Uint8Array, suspectSize: { width: number; height: number }, match: FindMatch | null): Promise<string> {
  const pixelLimit = deps.config.pixelLimit;
  const left = await sharp(deps.library.originalPath(originalId), { limitInputPixels: pixelLimit }).rotate().resize({ height: PANEL_HEIGHT }).flatten({ background: '#ffffff' }).png().toBuffer({ resolveWithObject: true });
  const right = await sharp(suspectBytes, { limitInputPixels: pixelLimit }).rotate().resize({ height: PANEL_HEIGHT }).flatten({ background: '#ffffff' }).png().toBuffer({ resolveWithObject: true });
  const width = left.info.width + GAP + right.info.width;
  const shapes: string[] = [];
  if (match) {
    const t = match.transform;
    const ko = left.info.height / match.height;
    const ks = right.info.height / suspectSize.height;
    shapes.push(`<rect x="${t.cropBox.x * ko}" y="${t.cropBox.y * ko}" width="${t.cropBox.width * ko}" height="${t.cropBox.height * ko}" fill="none" stroke="#12b886" stroke-width="3"/>`);
    shapes.push(`<polygon points="${polygon(t.regionInSuspect, ks, left.info.width + GAP)}" fill="none" stroke="#12b886" stroke-width="3"/>`);
    if (t.overlay && t.overlayBox) {
      const b = t.overlayBox;
      shapes.push(`<rect x="${b.x * ks + left.info.width + GAP}" y="${b.y * ks}" width="${b.width * ks}" height="${b.height * ks}" fill="none" stroke="#fa5252" stroke-width="2" stroke-dasharray="6 4"/>`);
    }
  }
  const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${PANEL_HEIGHT}">${shapes.join('')}</svg>`);
  const png = await sharp({ create: { width, height: PANEL_HEIGHT, channels: 3, background: '#f1f3f5' } })
    .composite([{ input: left.data, left: 0, top: 0 }, { input: right.data, left: left.info.width + GAP, top: 0 }, { input: svg, left: 0, top: 0 }])
    .png()
    .toBuffer();
  return publishPng(deps, png);
}

/** The original warped onto the suspect, half and half; and the unexplained difference as heat. */
export async function renderOverlayAndDifference(deps: CoreDeps, pair: AlignedPair): Promise<{ overlay: string; difference: string }> {
  const { width, height, data: sus } = pair.suspect;
  const warped = pair.result.warped!;
  const inside = pair.result.inside!;
  const residual = pair.result.residual!;
  const overlay = Buffer.alloc(width * height * 3);
  const diff = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const grey = 0.299 * sus[i * 3]! + 0.587 * sus[i * 3 + 1]! + 0.114 * sus[i * 3 + 2]!;
    if (!inside[i]) {
      for (let c = 0; c < 3; c++) overlay[i * 3 + c] = Math.round(sus[i * 3 + c]! * 0.35 + 255 * 0.65);
      diff[i * 3] = diff[i * 3 + 1] = diff[i * 3 + 2] = Math.round(grey * 0.3 + 255 * 0.7);
      continue;
    }
    for (let c = 0; c < 3; c++) overlay[i * 3 + c] = Math.round((sus[i * 3 + c]! + warped[i * 3 + c]!) / 2);
    const heat = Math.min(1, residual[i]! / 80);
    const base = grey * 0.45 + 60;
    diff[i * 3] = Math.round(base * (1 - heat) + 255 * heat);
    diff[i * 3 + 1] = Math.round(base * (1 - heat) + 40 * heat);
    diff[i * 3 + 2] = Math.round(base * (1 - heat) + 40 * heat);
  }
  const raw = { raw: { width, height, channels: 3 as const } };
  const [o, d] = await Promise.all([sharp(overlay, raw).png().toBuffer(), sharp(diff, raw).png().toBuffer()]);
  return { overlay: await publishPng(deps, o), difference: await publishPng(deps, d) };
}
