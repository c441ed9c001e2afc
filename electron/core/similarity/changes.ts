/**
 * Pixel-level changes between a library original and a suspect under a known geometric map:
 * decoding on sharp's threads, the warp and colour fit in a worker thread.
 */
import fs from 'node:fs/promises';
import type { CoreDeps } from '../deps.ts';
import { chain, scaling, type Affine } from '../dsp/affine.ts';
import type { ColourChange } from '../dsp/colourfit.ts';
import type { PixelBox } from '../../contract/index.ts';
import { decodeRgb, type Rgb } from './decode.ts';
import type { AnalyseTaskOutput } from './pixels.ts';

/** Long side of the suspect grid the comparison runs on. */
export const ANALYSE_SIDE = 512;

export interface PixelChanges {
  colour: ColourChange;
  overlayShare: number;
  /** In the suspect's own pixels. */
  overlayBox: PixelBox | null;
}

export interface AlignedPair extends PixelChanges {
  suspect: Rgb;
  result: AnalyseTaskOutput;
}

/** `map`: original pixels → suspect pixels. */
export async function alignPair(deps: CoreDeps, originalId: number, suspectBytes: Uint8Array, map: Affine, opts: { renders: boolean; side?: number }): Promise<AlignedPair> {
  const side = opts.side ?? ANALYSE_SIDE;
  const pixelLimit = deps.config.pixelLimit;
  const [original, suspect] = await Promise.all([
    fs.readFile(deps.library.originalPath(originalId)).then((b) => decodeRgb(b, { pixelLimit, name: `#${originalId}`, side: side * 2 })),
    decodeRgb(suspectBytes, { pixelLimit, name: 'the picture', side }),
  ]);
  const gridMap = chain(scaling(1 / original.scale), map, scaling(suspect.scale));
  const result = await deps.pool.run('find.analyse', {
    original: original.data, ow: original.width, oh: original.height,
    suspect: suspect.data, sw: suspect.width, sh: suspect.height, map: gridMap, renders: opts.renders,
  });
  const b = result.box;
  const overlayBox = b
    ? { x: Math.round(b.x / suspect.scale), y: Math.round(b.y / suspect.scale), width: Math.round(b.width / suspect.scale), height: Math.round(b.height / suspect.scale) }
    : null;
  return { colour: result.colour, overlayShare: result.share, overlayBox, suspect, result };
}

export async function analysePixels(deps: CoreDeps, originalId: number, suspectBytes: Uint8Array, map: Affine): Promise<PixelChanges> {
  const { colour, overlayShare, overlayBox } = await alignPair(deps, originalId, suspectBytes, map, { renders: false });
  return { colour, overlayShare, overlayBox };
}
