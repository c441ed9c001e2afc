import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blendOver, blendPrepared, prepareOverlay, visibleSpans, type Overlay, type RawPixels } from '../../../electron/core/watermark/visible/blend.ts';

/** A seeded generator, so a failure can be reproduced. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomOverlay(w: number, h: number, r: () => number): Overlay {
  const data = new Uint8Array(w * h * 4);
  for (let i = 0; i < data.length; i += 4) {
    data[i] = Math.floor(r() * 256);
    data[i + 1] = Math.floor(r() * 256);
    data[i + 2] = Math.floor(r() * 256);
    // Mostly transparent, like text: runs of zero alpha between strokes.
    data[i + 3] = r() < 0.6 ? 0 : r() < 0.3 ? 255 : Math.floor(r() * 256);
  }
  return { data, width: w, height: h };
}

/** Straight-alpha source-over in floating point: the reference. */
function reference(img: RawPixels, o: Overlay, left: number, top: number, opacity: number): Float64Array {
  const out = Float64Array.from(img.data);
  for (let y = 0; y < o.height; y++) {
    for (let x = 0; x < o.width; x++) {
      const ix = left + x;
      const iy = top + y;
      if (ix < 0 || iy < 0 || ix >= img.width || iy >= img.height) continue;
      const s = (y * o.width + x) * 4;
      const d = (iy * img.width + ix) * img.channels;
      const a = (o.data[s + 3]! / 255) * opacity;
      if (img.channels === 3) {
        for (let c = 0; c < 3; c++) out[d + c] = o.data[s + c]! * a + out[d + c]! * (1 - a);
      } else {
        const da = out[d + 3]! / 255;
        const oa = a + da * (1 - a);
        for (let c = 0; c < 3; c++) out[d + c] = oa === 0 ? out[d + c]! : (o.data[s + c]! * a + out[d + c]! * da * (1 - a)) / oa;
        out[d + 3] = oa * 255;
      }
    }
  }
  return out;
}

for (const channels of [3, 4]) {
  test(`blendOver matches floating-point source-over within 1.5 levels (two integer roundings) (${channels} channels, clipped at every edge)`, () => {
    const r = rng(channels);
    for (const [left, top] of [[5, 7], [-9, -4], [40, 30], [-3, 25]] as const) {
      const img: RawPixels = { data: new Uint8Array(48 * 36 * channels).map(() => Math.floor(r() * 256)), width: 48, height: 36, channels };
      const o = randomOverlay(20, 15, r);
      const ref = reference(img, o, left, top, 0.7);
      blendOver(img, { ...o, spans: visibleSpans(o) }, left, top, 0.7);
      let worst = 0;
      for (let i = 0; i < ref.length; i += channels) {
        for (let c = 0; c < channels; c++) {
          // RGBA is compared premultiplied: a colour under almost no alpha is invisible however it rounds.
          const w = channels === 4 && c < 3 ? ref[i + 3]! / 255 : 1;
          worst = Math.max(worst, Math.abs(ref[i + c]! - img.data[i + c]!) * w);
        }
      }
      assert.ok(worst <= 1.5, `worst difference ${worst} at offset ${left},${top}`);
    }
  });
}

test('blending only the visible runs gives exactly what blending every pixel gives', () => {
  const r = rng(11);
  const o = randomOverlay(64, 40, r);
  const base = new Uint8Array(100 * 80 * 3).map(() => Math.floor(r() * 256));
  const a: RawPixels = { data: base.slice(), width: 100, height: 80, channels: 3 };
  const b: RawPixels = { data: base.slice(), width: 100, height: 80, channels: 3 };
  blendOver(a, o, 10, 20, 0.5);
  blendOver(b, { ...o, spans: visibleSpans(o) }, 10, 20, 0.5);
  assert.deepEqual(a.data, b.data);
});

test('nothing outside the overlay changes; zero opacity changes nothing', () => {
  const img: RawPixels = { data: new Uint8Array(30 * 20 * 3).fill(90), width: 30, height: 20, channels: 3 };
  const o: Overlay = { data: new Uint8Array(4 * 4 * 4).fill(255), width: 4, height: 4 };
  blendOver(img, o, 0, 0, 0);
  assert.ok(img.data.every((v) => v === 90));
  blendPrepared(img, prepareOverlay(o, 1, 3), Int32Array.from([2, 3, 28, 18]));
  let changed = 0;
  for (let y = 0; y < 20; y++) {
    for (let x = 0; x < 30; x++) {
      const inside = (x >= 2 && x < 6 && y >= 3 && y < 7) || (x >= 28 && y >= 18);
      const v = img.data[(y * 30 + x) * 3]!;
      if (v !== 90) changed++;
      assert.equal(v, inside ? 255 : 90, `(${x}, ${y})`);
    }
  }
  assert.equal(changed, 16 + 4);
});

test('visible runs skip transparent pixels and bridge short gaps', () => {
  const o: Overlay = { data: new Uint8Array(40 * 2 * 4), width: 40, height: 2 };
  for (const x of [2, 3, 4, 9, 30]) o.data[x * 4 + 3] = 200;
  assert.deepEqual([...visibleSpans(o)], [0, 2, 10, 0, 30, 31]);
});
