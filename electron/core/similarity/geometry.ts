/**
 * From fits in the normalised "work" pictures to statements in real pixels: the map from the
 * original's pixels to the suspect's, its scale, rotation, mirror and the crop box.
 */
import { apply, chain, compose, invert, isMirrored, mirrorX, scaleOfAffine, scaling, translation, type Affine } from '../dsp/affine.ts';
import type { PixelBox } from '../../contract/index.ts';
import type { PictureFingerprint } from './kernels.ts';

type Frame = Pick<PictureFingerprint, 'decodedWidth' | 'decodedHeight' | 'trim' | 'workWidth' | 'workHeight'> & { width: number; height: number };

/** A picture's own pixels → its work picture. */
export function pixelsToWork(f: Frame): Affine {
  return chain(
    scaling(f.decodedWidth / f.width, f.decodedHeight / f.height),
    translation(-f.trim.x, -f.trim.y),
    scaling(f.workWidth / f.trim.width, f.workHeight / f.trim.height),
  );
}

/** Original pixels → suspect pixels, from a fit between the work pictures. */
export function pixelMapFromWorkFit(original: Frame, suspect: Frame, workMap: Affine): Affine {
  return chain(pixelsToWork(original), workMap, invert(pixelsToWork(suspect)));
}

/**
 * Original pixels → suspect pixels when only the global hash matched: the trimmed content of one
 * fills the trimmed content of the other, under dihedral variant `variant` (the variant that,
 * applied to the suspect, gave the original's hash).
 */
export function pixelMapFromVariant(original: Frame, suspect: Frame, variant: number): Affine {
  const toUnit = (f: Frame) => chain(
    scaling(f.decodedWidth / f.width, f.decodedHeight / f.height),
    translation(-f.trim.x, -f.trim.y),
    scaling(1 / f.trim.width, 1 / f.trim.height),
  );
  // The variant maps the suspect's unit square to the original's; invert it.
  const flip = variant >= 4;
  let d: Affine = flip ? [-1, 0, 1, 0, 1, 0] : [1, 0, 0, 0, 1, 0];
  for (let r = 0; r < (variant & 3); r++) d = compose([0, -1, 1, 1, 0, 0], d); // clockwise quarter turn of the unit square
  return chain(toUnit(original), invert(d), invert(toUnit(suspect)));
}

export interface Geometry {
  scale: number;
  flip: boolean;
  rotation: number;
  cropBox: PixelBox;
  cropShare: number;
  regionInSuspect: { x: number; y: number }[];
  padded: boolean;
}

/** Reads scale, mirror, rotation, crop and padding off the original → suspect pixel map. */
export function describeMap(map: Affine, original: { width: number; height: number }, suspect: { width: number; height: number }): Geometry {
  const flip = isMirrored(map);
  const unflipped = flip ? compose(map, mirrorX(original.width)) : map;
  let rotation = (Math.atan2(unflipped[3], unflipped[0]) * 180) / Math.PI;
  if (rotation <= -180) rotation += 360;
  const inverse = invert(map);
  const corners = [[0, 0], [suspect.width, 0], [suspect.width, suspect.height], [0, suspect.height]] as const;
  const back = corners.map(([x, y]) => apply(inverse, x, y));
  const x0 = Math.max(0, Math.min(...back.map((p) => p[0])));
  const y0 = Math.max(0, Math.min(...back.map((p) => p[1])));
  const x1 = Math.min(original.width, Math.max(...back.map((p) => p[0])));
  const y1 = Math.min(original.height, Math.max(...back.map((p) => p[1])));
  const cropBox = { x: Math.round(x0), y: Math.round(y0), width: Math.max(0, Math.round(x1 - x0)), height: Math.max(0, Math.round(y1 - y0)) };
  const regionInSuspect = [[0, 0], [original.width, 0], [original.width, original.height], [0, original.height]].map(([x, y]) => {
    const [u, v] = apply(map, x!, y!);
    return { x: Math.round(u), y: Math.round(v) };
  });
  // Padded: the original's outline sits well inside the suspect on some side.
  const us = regionInSuspect.map((p) => p.x);
  const vs = regionInSuspect.map((p) => p.y);
  const margin = 0.04 * Math.max(suspect.width, suspect.height);
  const padded = Math.min(...us) > margin || Math.min(...vs) > margin || Math.max(...us) < suspect.width - margin || Math.max(...vs) < suspect.height - margin;
  return {
    scale: scaleOfAffine(map),
    flip,
    rotation: Math.round(rotation * 10) / 10,
    cropBox,
    cropShare: (cropBox.width * cropBox.height) / (original.width * original.height),
    regionInSuspect,
    padded,
  };
}
