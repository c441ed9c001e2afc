import assert from 'node:assert/strict';
import { test } from 'node:test';
import { autocorrelate2d, crossCorrelate2d, fft, fft2d } from '../../../electron/core/dsp/fft.ts';
import { crc32 } from '../../../electron/core/dsp/crc32.ts';
import { codedLength, convolutionalEncode, viterbiDecode } from '../../../electron/core/dsp/convolutional.ts';
import { Xoshiro128 } from '../../../electron/core/dsp/prng.ts';
import { boxBlur, gaussianBlur, gaussianKernel } from '../../../electron/core/dsp/blur.ts';
import { CODED_BITS, INFO_BITS, makeLayout, parsePayload, payloadBits } from '../../../electron/core/watermark/hidden/layout.ts';
import { bandLimitedTile, chipGrid, dihedral, pilotGrid } from '../../../electron/core/watermark/hidden/pattern.ts';
import { inverseSymmetry } from '../../../electron/core/watermark/hidden/detector.ts';
import { applyMark } from '../../../electron/core/watermark/hidden/embedder.ts';
import { keyLayout } from '../../../electron/core/watermark/hidden/mark.ts';

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} ≠ ${b}`);

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
}

test('FFT: textbook values, and agrees with a direct DFT', () => {
  const re = Float64Array.from([1, 2, 3, 4]);
  const im = new Float64Array(4);
  fft(re, im);
  [10, -2, -2, -2].forEach((v, k) => close(re[k]!, v, 1e-12));
  [0, 2, 0, -2].forEach((v, k) => close(im[k]!, v, 1e-12));
  const r = rng(1);
  const n = 64;
  const xr = Float64Array.from({ length: n }, r);
  const xi = Float64Array.from({ length: n }, r);
  const fr = Float64Array.from(xr);
  const fi = Float64Array.from(xi);
  fft(fr, fi);
  for (const k of [0, 1, 7, 31, 32, 63]) {
    let sr = 0;
    let si = 0;
    for (let t = 0; t < n; t++) {
      const a = (-2 * Math.PI * k * t) / n;
      sr += xr[t]! * Math.cos(a) - xi[t]! * Math.sin(a);
      si += xr[t]! * Math.sin(a) + xi[t]! * Math.cos(a);
    }
    close(fr[k]!, sr);
    close(fi[k]!, si);
  }
  fft(fr, fi, true);
  for (let t = 0; t < n; t++) close(fr[t]!, xr[t]!);
  assert.throws(() => fft(new Float64Array(6), new Float64Array(6)), /power of two/);
});

test('2-D FFT round trip; autocorrelation and cross-correlation match direct sums', () => {
  const r = rng(2);
  const w = 16;
  const h = 8;
  const a = Float64Array.from({ length: w * h }, r);
  const re = Float64Array.from(a);
  const im = new Float64Array(w * h);
  fft2d(re, im, w, h);
  close(re[0]!, a.reduce((s, v) => s + v, 0));
  fft2d(re, im, w, h, true);
  for (let i = 0; i < a.length; i++) close(re[i]!, a[i]!);
  const ac = autocorrelate2d(a, w, h);
  const b = Float64Array.from({ length: w * h }, r);
  const cc = crossCorrelate2d(a, b, w, h);
  for (const [dx, dy] of [[0, 0], [3, 1], [15, 7], [8, 4]] as const) {
    let s = 0;
    let c = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        s += a[y * w + x]! * a[((y + dy) % h) * w + ((x + dx) % w)]!;
        c += a[((y + dy) % h) * w + ((x + dx) % w)]! * b[y * w + x]!;
      }
    }
    close(ac[dy * w + dx]!, s);
    close(cc[dy * w + dx]!, c);
  }
});

test('CRC-32 check value and xoshiro128** reference outputs', () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
  const seed = new Uint8Array(16);
  const v = new DataView(seed.buffer);
  [1, 2, 3, 4].forEach((x, i) => v.setUint32(i * 4, x, true));
  const g = new Xoshiro128(seed);
  assert.deepEqual([g.nextUint32(), g.nextUint32(), g.nextUint32()], [11520, 0, 5927040]);
  const perm = new Xoshiro128(seed).shuffle(Uint16Array.from({ length: 50 }, (_, i) => i));
  assert.deepEqual([...perm].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
  assert.throws(() => new Xoshiro128(new Uint8Array(8)), /16-byte/);
});

test('convolutional code: lengths, clean round trip, corrects scattered errors', () => {
  assert.equal(codedLength(96), 306);
  assert.equal(CODED_BITS, 306);
  const r = rng(3);
  const bits = Uint8Array.from({ length: INFO_BITS }, () => (r() > 0 ? 1 : 0));
  const coded = convolutionalEncode(bits);
  assert.equal(coded.length, CODED_BITS);
  const soft = Float64Array.from(coded, (b) => (b ? 1 : -1));
  assert.deepEqual([...viterbiDecode(soft, INFO_BITS)], [...bits]);
  // Flip every 9th coded bit (34 errors, 11%) and add noise: still decoded exactly.
  for (let i = 0; i < soft.length; i += 9) soft[i] = -soft[i]!;
  for (let i = 0; i < soft.length; i++) soft[i]! += 0.4 * r();
  assert.deepEqual([...viterbiDecode(soft, INFO_BITS)], [...bits]);
  assert.throws(() => viterbiDecode(new Float64Array(10), INFO_BITS), /soft values/);
});

test('blur kernels: normalised, constant-preserving, box blur equals a direct mean', () => {
  close(gaussianKernel(1.6).reduce((a, b) => a + b, 0), 1, 1e-12);
  const flat = new Float32Array(20 * 10).fill(7);
  for (const v of gaussianBlur(flat, 20, 10, 2)) close(v, 7, 1e-5);
  const r = rng(4);
  const img = Float32Array.from({ length: 20 * 10 }, () => 100 * r());
  const b = boxBlur(img, 20, 10, 2);
  let s = 0;
  for (let y = 3; y <= 7; y++) for (let x = 8; x <= 12; x++) s += img[y * 20 + x]!;
  close(b[5 * 20 + 10]!, s / 25, 1e-3);
});

test('payload: 96 bits round trip; the keyed check fails with another key', () => {
  const layout = keyLayout(new Uint8Array(32).fill(1));
  const other = keyLayout(new Uint8Array(32).fill(2));
  const bits = payloadBits(0xdeadbeef, 123456, layout.checkMask);
  assert.deepEqual(parsePayload(bits, layout.checkMask), { ownerId: 0xdeadbeef, imageId: 123456, checkOk: true });
  assert.equal(parsePayload(bits, other.checkMask).checkOk, false);
  bits[70] = bits[70]! ^ 1;
  assert.equal(parsePayload(bits, layout.checkMask).checkOk, false);
  // A quarter of the chips are pilots; every coded bit is carried by at least two chips.
  const pilots = [...layout.bit].filter((b) => b < 0).length;
  assert.equal(pilots, 256);
  const counts = new Map<number, number>();
  for (const b of layout.bit) if (b >= 0) counts.set(b, (counts.get(b) ?? 0) + 1);
  assert.equal(counts.size, CODED_BITS);
  assert.ok(Math.min(...counts.values()) >= 2);
  assert.notDeepEqual([...layout.sign], [...other.sign]);
  assert.deepEqual([...makeLayout(new Uint8Array(32).fill(9), new Uint8Array(32)).sign], [...makeLayout(new Uint8Array(32).fill(9), new Uint8Array(32)).sign]);
});

test('tile: unit RMS, chip centres carry the chip signs; symmetries invert', () => {
  const layout = keyLayout(new Uint8Array(32).fill(5));
  const grid = chipGrid(layout, convolutionalEncode(payloadBits(1, 2, layout.checkMask)));
  const tile = bandLimitedTile(Float64Array.from(grid));
  close(Math.sqrt(tile.reduce((s, v) => s + v * v, 0) / tile.length), 1, 1e-9);
  let agree = 0;
  for (let j = 0; j < 32; j++) for (let i = 0; i < 32; i++) if (Math.sign(tile[2 * j * 64 + 2 * i]!) === grid[j * 32 + i]) agree++;
  assert.ok(agree / 1024 > 0.9, `chip signs at centres: ${agree}/1024`);
  const pilot = bandLimitedTile(pilotGrid(layout));
  for (let d = 0; d < 8; d++) {
    const back = dihedral(dihedral(pilot, 64, d), 64, inverseSymmetry(d));
    for (let i = 0; i < back.length; i += 97) close(back[i]!, pilot[i]!);
  }
});

test('apply: white and black stay untouched, alpha is kept, the change is luma-only', () => {
  const width = 8;
  const height = 4;
  const pixels = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) pixels.set(i < 8 ? [255, 255, 255, 255] : i < 16 ? [0, 0, 0, 128] : [120, 100, 80, 255], i * 4);
  const delta = new Float32Array(4 * 2).fill(3);
  const sse = applyMark({ pixels, width, height, channels: 4, delta, ww: 4, wh: 2, rowStart: 0, rowEnd: height });
  for (let i = 0; i < 8; i++) assert.deepEqual([...pixels.subarray(i * 4, i * 4 + 4)], [255, 255, 255, 255]);
  for (let i = 8; i < 16; i++) assert.deepEqual([...pixels.subarray(i * 4, i * 4 + 4)], [0, 0, 0, 128]);
  for (let i = 16; i < 32; i++) assert.deepEqual([...pixels.subarray(i * 4, i * 4 + 4)], [123, 103, 83, 255]);
  assert.equal(sse, 16 * 3 * 9);
});

test('apply: RGB (its own unrolled loop) marks exactly like the general loop does for opaque RGBA', () => {
  const width = 301;
  const height = 77;
  const rgb = new Uint8Array(width * height * 3);
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    // Every level, with near-black and near-white runs where the change is scaled down or clipped.
    const v = [(i * 37) % 256, (i * 11 + 3) % 256, i % 7 === 0 ? 254 : (i * 5) % 256];
    rgb.set(v, i * 3);
    rgba.set([...v, 255], i * 4);
  }
  const ww = 40;
  const wh = 11;
  const delta = new Float32Array(ww * wh).map((_, i) => Math.sin(i * 1.7) * 5);
  const a = applyMark({ pixels: rgb, width, height, channels: 3, delta, ww, wh, rowStart: 0, rowEnd: height });
  const b = applyMark({ pixels: rgba, width, height, channels: 4, delta, ww, wh, rowStart: 0, rowEnd: height });
  assert.ok(a > 0);
  assert.equal(a, b);
  for (let i = 0; i < width * height; i++) assert.deepEqual([...rgb.subarray(i * 3, i * 3 + 3)], [...rgba.subarray(i * 4, i * 4 + 3)], `pixel ${i}`);
});
