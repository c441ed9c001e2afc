import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alignRegion } from '../../../electron/core/bundles/align.ts';

/** A smooth, textured grey picture (sums of sines), so every shift changes the correlation. */
function picture(width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = Math.sin(x / 7) * 40 + Math.cos(y / 5) * 40 + Math.sin((x + y) / 11) * 30 + Math.cos((x - 2 * y) / 13) * 20;
      out[y * width + x] = Math.max(0, Math.min(255, Math.round(128 + v)));
    }
  }
  return out;
}

/** The region of `grey` resampled to w×h, brighter and with less contrast (as a shop would edit it). */
function cut(grey: Uint8Array, W: number, r: { x: number; y: number; width: number; height: number }, w: number, h: number) {
  const data = new Uint8Array(w * h);
  for (let v = 0; v < h; v++) {
    for (let u = 0; u < w; u++) {
      const o = grey[Math.floor(r.y + ((v + 0.5) * r.height) / h) * W + Math.floor(r.x + ((u + 0.5) * r.width) / w)]!;
      data[v * w + u] = Math.min(255, Math.round(o * 0.8 + 40));
    }
  }
  return { data, width: w, height: h };
}

test('alignRegion finds the region a suspect was cut from, starting from a guess off by a few pixels and 3% in scale', () => {
  const W = 600;
  const H = 400;
  const grey = picture(W, H);
  const truth = { x: 150, y: 90, width: 300, height: 210 };
  const guess = { x: 143, y: 95, width: 309, height: 216 };
  const found = alignRegion({ grey, width: W, height: H, coarse: cut(grey, W, truth, 160, 112), fine: cut(grey, W, truth, 300, 210), region: guess });
  for (const k of ['x', 'y', 'width', 'height'] as const) assert.ok(Math.abs(found[k] - truth[k]) <= 2, `${k}: ${found[k]} vs ${truth[k]}`);
});

test('alignRegion keeps the given region when it already lines up', () => {
  const W = 400;
  const H = 300;
  const grey = picture(W, H);
  const truth = { x: 50, y: 40, width: 200, height: 150 };
  const found = alignRegion({ grey, width: W, height: H, coarse: cut(grey, W, truth, 160, 120), fine: cut(grey, W, truth, 200, 150), region: truth });
  assert.deepEqual(found, truth);
});
