/**
 * The mark's tile: chip values spread into a band-limited TILE×TILE pattern (the chips' spectrum,
 * zero-padded), so all of its energy sits at frequencies that survive downscaling and JPEG.
 * Also the eight flips/rotations of a tile. Pure typed-array code.
 */
import { fft2d } from '../../dsp/fft.ts';
import { CHIPS, TILE, type Layout } from './layout.ts';

/** Chip values ±1 for a codeword (pilots carry their sign, payload chips sign × coded bit). */
export function chipGrid(layout: Layout, coded: Uint8Array): Float64Array {
  const g = new Float64Array(CHIPS * CHIPS);
  for (let i = 0; i < g.length; i++) {
    const b = layout.bit[i]!;
    g[i] = layout.sign[i]! * (b < 0 ? 1 : coded[b]! ? 1 : -1);
  }
  return g;
}

/** Pilot chips only (payload chips zero): the reference used to find the tile's position. */
export function pilotGrid(layout: Layout): Float64Array {
  const g = new Float64Array(CHIPS * CHIPS);
  for (let i = 0; i < g.length; i++) if (layout.bit[i]! < 0) g[i] = layout.sign[i]!;
  return g;
}

/**
 * Band-limited periodic interpolation of a CHIPS×CHIPS grid to TILE×TILE (value at chip centre
 * (2i, 2j) equals the chip, up to the dropped Nyquist terms). Result scaled to unit RMS.
 */
export function bandLimitedTile(grid: Float64Array): Float64Array {
  const re = Float64Array.from(grid);
  const im = new Float64Array(CHIPS * CHIPS);
  fft2d(re, im, CHIPS, CHIPS);
  const tile = copyChipBand(re, im, CHIPS, TILE);
  fft2d(tile.re, tile.im, TILE, TILE, true);
  return normaliseRms(tile.re);
}

/**
 * Copies the chip band (frequencies below CHIPS/2, Nyquist dropped) of a `from`×`from` spectrum
 * into a zeroed `to`×`to` spectrum: up from chips to a tile when embedding, down when detecting.
 */
export function copyChipBand(re: Float64Array, im: Float64Array, from: number, to: number): { re: Float64Array; im: Float64Array } {
  const out = { re: new Float64Array(to * to), im: new Float64Array(to * to) };
  const half = CHIPS / 2;
  for (let ky = -half + 1; ky < half; ky++) {
    for (let kx = -half + 1; kx < half; kx++) {
      const src = ((ky + from) % from) * from + ((kx + from) % from);
      const dst = ((ky + to) % to) * to + ((kx + to) % to);
      out.re[dst] = re[src]!;
      out.im[dst] = im[src]!;
    }
  }
  return out;
}

export function normaliseRms(a: Float64Array): Float64Array {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  const k = s > 0 ? 1 / Math.sqrt(s / a.length) : 0;
  for (let i = 0; i < a.length; i++) a[i]! *= k;
  return a;
}

/**
 * The eight symmetries of the square acting on tile coordinates about the origin:
 * bit 0 swaps the axes, bit 1 negates u, bit 2 negates v. out(u, v) = in(D(u, v)).
 */
export function dihedral(src: Float64Array, size: number, d: number): Float64Array {
  const out = new Float64Array(size * size);
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      let a = d & 1 ? v : u;
      let b = d & 1 ? u : v;
      if (d & 2) a = (size - a) % size;
      if (d & 4) b = (size - b) % size;
      out[v * size + u] = src[b * size + a]!;
    }
  }
  return out;
}

/** Where a shift vector s (in the frame of dihedral(F, d)) points in the frame of F. */
export function dihedralVector(d: number, s: [number, number]): [number, number] {
  let a = d & 1 ? s[1] : s[0];
  let b = d & 1 ? s[0] : s[1];
  if (d & 2) a = -a;
  if (d & 4) b = -b;
  return [a, b];
}
