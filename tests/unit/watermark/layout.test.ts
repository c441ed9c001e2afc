import assert from 'node:assert/strict';
import { test } from 'node:test';
import { anchors, WatermarkDesign } from '../../../electron/contract/index.ts';
import { layoutMark, relativeGeometry, scaleLayout, targetSize, type InkBox } from '../../../electron/core/watermark/visible/layout.ts';

// A long one-line mark (≈ "© 2026 ProofMark 张三摄影") and a square logo, in design units.
const LONG: InkBox = { x: -2, y: 5, width: 1450, height: 96 };
const SQUARE: InkBox = { x: 0, y: 0, width: 100, height: 100 };

const sides = [64, 100, 333, 1000, 4000, 12_000];
const aspects = [1 / 4, 1 / 2, 1, 3 / 2, 4];

function sizesToTest(): { width: number; height: number }[] {
  const out: { width: number; height: number }[] = [];
  for (const long of sides) {
    for (const a of aspects) {
      const width = a >= 1 ? long : Math.max(16, Math.round(long * a));
      const height = a >= 1 ? Math.max(16, Math.round(long / a)) : long;
      out.push({ width, height });
    }
  }
  return out;
}

test('a single mark is never clipped and keeps its margin, from 64 px to 12,000 px and 1:4 to 4:1', () => {
  for (const ink of [LONG, SQUARE]) {
    for (const anchor of anchors) {
      for (const size of [2, 5, 20, 50]) {
        const design = WatermarkDesign.parse({ text: { content: 'x' }, size, layout: { mode: 'single', anchor, margin: 3 } });
        for (const { width, height } of sizesToTest()) {
          const l = layoutMark(design, ink, width, height);
          const c = l.centers[0]!;
          const m = 0.03 * Math.min(width, height) - 1e-6;
          const where = `${width}x${height} ${anchor} size ${size}`;
          assert.ok(c.x - l.width / 2 >= m && c.x + l.width / 2 <= width - m, `${where}: x range ${c.x - l.width / 2}..${c.x + l.width / 2}`);
          assert.ok(c.y - l.height / 2 >= m && c.y + l.height / 2 <= height - m, `${where}: y range`);
          assert.ok(l.width > 0 && l.height > 0);
        }
      }
    }
  }
});

test('the mark sits exactly at its anchor and margin, at the design size when it fits', () => {
  const design = WatermarkDesign.parse({ text: { content: 'x' }, size: 4, layout: { mode: 'single', anchor: 'bottom-right', margin: 3 } });
  const l = layoutMark(design, SQUARE, 3000, 2000);
  // 4% of the 2000 px short side = 80 px font; the 100-unit ink box is 80 px.
  assert.equal(l.k, 0.8);
  assert.equal(l.width, 80);
  assert.equal(l.shrunk, false);
  assert.deepEqual(l.centers[0], { x: 3000 - 60 - 40, y: 2000 - 60 - 40 });
  const tl = layoutMark({ ...design, layout: { mode: 'single', anchor: 'top-left', margin: 3 } }, SQUARE, 3000, 2000);
  assert.deepEqual(tl.centers[0], { x: 100, y: 100 });
  const c = layoutMark({ ...design, layout: { mode: 'single', anchor: 'center', margin: 3 } }, SQUARE, 3000, 2000);
  assert.deepEqual(c.centers[0], { x: 1500, y: 1000 });
});

test('too long a mark is shrunk to fit between the margins, and says so', () => {
  const design = WatermarkDesign.parse({ text: { content: 'x' }, size: 10, layout: { mode: 'single', anchor: 'bottom', margin: 5 } });
  const l = layoutMark(design, LONG, 1000, 4000);
  assert.equal(l.shrunk, true);
  assert.ok(Math.abs(l.width - 900) < 1e-9, `width ${l.width}`);
});

test('tiles cover the whole image and at least one whole tile fits', () => {
  for (const angle of [-45, -30, 0, 30, 90]) {
    const design = WatermarkDesign.parse({ text: { content: 'x' }, size: 6, layout: { mode: 'tile', angle, spacing: 10, stagger: true } });
    for (const { width, height } of sizesToTest()) {
      const l = layoutMark(design, LONG, width, height);
      assert.ok(l.centers.length >= 1);
      const rad = (angle * Math.PI) / 180;
      const rw = (l.width * Math.abs(Math.cos(rad)) + l.height * Math.abs(Math.sin(rad))) / 2;
      const rh = (l.width * Math.abs(Math.sin(rad)) + l.height * Math.abs(Math.cos(rad))) / 2;
      const whole = l.centers.some((c) => c.x - rw >= -1e-6 && c.x + rw <= width + 1e-6 && c.y - rh >= -1e-6 && c.y + rh <= height + 1e-6);
      assert.ok(whole, `${width}x${height} angle ${angle}: no whole tile`);
    }
  }
  // Coverage: every point of a grid over the image is near some tile centre.
  const design = WatermarkDesign.parse({ text: { content: 'x' }, size: 5, layout: { mode: 'tile', angle: -30, spacing: 10, stagger: true } });
  const l = layoutMark(design, LONG, 4000, 3000);
  const reach = Math.hypot(l.width, l.height) / 2 + 0.1 * 3000;
  for (let y = 0; y <= 3000; y += 250) {
    for (let x = 0; x <= 4000; x += 250) {
      assert.ok(l.centers.some((c) => Math.hypot(c.x - x, c.y - y) <= reach), `(${x}, ${y}) is far from every tile`);
    }
  }
});

test('the preview geometry is the export geometry scaled: the same relative boxes', () => {
  const design = WatermarkDesign.parse({ text: { content: 'x' }, size: 4, layout: { mode: 'single', anchor: 'top-right', margin: 2 } });
  const exportLayout = layoutMark(design, LONG, 6000, 4000);
  const preview = scaleLayout(exportLayout, 1200 / 6000, 800 / 4000);
  const a = relativeGeometry(exportLayout, 6000, 4000).boxes[0]!;
  const b = relativeGeometry(preview, 1200, 800).boxes[0]!;
  for (const k of ['x', 'y', 'width', 'height'] as const) assert.ok(Math.abs(a[k] - b[k]) < 1e-12, k);
});

test('output size: upright size, long edge or fit box, never enlarged', () => {
  assert.deepEqual(targetSize(6000, 4000, { mode: 'none' }), { width: 6000, height: 4000 });
  assert.deepEqual(targetSize(6000, 4000, { mode: 'long-edge', size: 1500 }), { width: 1500, height: 1000 });
  assert.deepEqual(targetSize(4000, 6000, { mode: 'long-edge', size: 1500 }), { width: 1000, height: 1500 });
  assert.deepEqual(targetSize(6000, 4000, { mode: 'fit', width: 1000, height: 1000 }), { width: 1000, height: 667 });
  assert.deepEqual(targetSize(800, 600, { mode: 'long-edge', size: 1500 }), { width: 800, height: 600 });
});
