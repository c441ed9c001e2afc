import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import type { Core } from '../../../electron/core/index.ts';
import type { ExportResult, Input, MarkBox } from '../../../electron/contract/index.ts';
import { call, testCore } from '../../helpers/core.ts';
import { corpusFile, tempDir } from '../../helpers/corpus.ts';
import { diffBox, rawOf, saveRender } from '../../helpers/watermark.ts';

let env: Awaited<ReturnType<typeof testCore>>;
let core: Core;
let work: { dir: string; cleanup: () => Promise<void> };
before(async () => {
  env = await testCore();
  core = env.core;
  work = await tempDir('proofmark-wm-geometry-');
});
after(async () => {
  await env.close();
  await work.cleanup();
});

const DESIGN = {
  text: { content: '© 2026 ProofMark 水印', colour: '#ffffff' },
  outline: { colour: '#000000', width: 6 },
  opacity: 1,
  size: 5,
  layout: { mode: 'single' as const, anchor: 'bottom-right' as const, margin: 3 },
};

let runs = 0;
async function exportOne(file: string, design: Input<'watermark.export'>['design'], extra: Partial<Input<'watermark.export'>> = {}): Promise<ExportResult['exported'][number]> {
  const outDir = path.join(work.dir, `out-${runs++}`);
  const r = await call(core, 'watermark.export', { sources: { paths: [file] }, outDir, design, format: 'png', ...extra });
  assert.deepEqual(r.failed, []);
  return r.exported[0]!;
}

/** The box the geometry promises, in pixels (right/bottom exclusive). */
function promised(b: MarkBox, width: number, height: number) {
  return { x0: (b.x - b.width / 2) * width, y0: (b.y - b.height / 2) * height, x1: (b.x + b.width / 2) * width, y1: (b.y + b.height / 2) * height };
}

test('the same design on a portrait, a landscape, a square and a panorama photo: the mark box matches the design numerically', async () => {
  const panorama = path.join(work.dir, 'panorama.jpg');
  await sharp(corpusFile('kleiber.jpg')).extract({ left: 0, top: 1000, width: 6000, height: 1500 }).resize(2000).jpeg({ quality: 92 }).toFile(panorama);
  const photos = [
    { name: 'portrait', file: corpusFile('grace_hopper.jpg') },
    { name: 'landscape', file: corpusFile('rocket.jpg') },
    { name: 'square', file: corpusFile('astronaut.png') },
    { name: 'panorama', file: panorama },
  ];
  const relativeHeights: number[] = [];
  for (const p of photos) {
    const marked = await exportOne(p.file, DESIGN);
    const plain = await exportOne(p.file, null);
    const [a, b] = await Promise.all([rawOf(marked.output), rawOf(plain.output)]);
    const { width: W, height: H } = a;
    const short = Math.min(W, H);
    const actual = diffBox(a, b)!;
    assert.ok(actual, `${p.name}: no mark found`);
    const geometry = (await call(core, 'watermark.preview', { source: { path: p.file }, design: DESIGN })).geometry!;
    const box = promised(geometry.boxes[0]!, W, H);
    // The ink lies inside the promised box, touching it within 2 px on every side.
    for (const [k, v] of Object.entries({ x0: actual.x0 - box.x0, y0: actual.y0 - box.y0, x1: box.x1 - actual.x1, y1: box.y1 - actual.y1 })) {
      assert.ok(v > -1 && v < 2.5, `${p.name} ${W}x${H}: ${k} is ${v.toFixed(2)} px off (actual ${JSON.stringify(actual)}, promised ${JSON.stringify(box)})`);
    }
    // The design: 3% margins on the right and bottom, font size 5% of the short side.
    assert.ok(Math.abs(box.x1 - (W - 0.03 * short)) < 1e-6, `${p.name}: right margin`);
    assert.ok(Math.abs(box.y1 - (H - 0.03 * short)) < 1e-6, `${p.name}: bottom margin`);
    assert.ok(Math.abs(geometry.fontPx - 0.05 * short) < 1e-9, `${p.name}: font ${geometry.fontPx}`);
    assert.equal(geometry.shrunk, false);
    relativeHeights.push((actual.y1 - actual.y0) / short);
    await saveRender(`geometry-${p.name}.png`, marked.output);
  }
  // The mark looks the same everywhere: its ink height is the same fraction of the short side.
  const spread = Math.max(...relativeHeights) - Math.min(...relativeHeights);
  assert.ok(spread < 0.004, `ink heights / short side: ${relativeHeights.map((h) => h.toFixed(4)).join(', ')}`);
});

test('the preview shows the export geometry exactly (same relative boxes), tiles included', async () => {
  for (const design of [DESIGN, { ...DESIGN, opacity: 0.5, layout: { mode: 'tile' as const, angle: -30, spacing: 8, stagger: true } }]) {
    const file = corpusFile('kite.jpg');
    const resize = { mode: 'long-edge' as const, size: 1800 };
    const preview = await call(core, 'watermark.preview', { source: { path: file }, design, maxSize: 600, resize });
    assert.deepEqual([preview.exportWidth, preview.exportHeight], [1800, 1125]);
    assert.deepEqual([preview.width, preview.height], [600, 375]);
    const exported = await exportOne(file, design, { resize });
    assert.equal(exported.width, 1800);
    // Same relative geometry, to the last bit.
    const dir = path.dirname(exported.output);
    const again = await call(core, 'watermark.export', { sources: { paths: [file] }, outDir: `${dir}-again`, design, resize, format: 'png' });
    assert.ok(again.exported[0]);
    assert.deepEqual(preview.geometry!.boxes.length > 0, true);
    if (design.layout.mode === 'single') {
      // Compare where the ink really is in both renders.
      const plainPreview = await rawOf(await fs.readFile(mediaPath(preview.before)));
      const markedPreview = await rawOf(await fs.readFile(mediaPath(preview.after!)));
      // Previews are JPEG: a high threshold keeps block noise out and the strong ink in.
      const p = diffBox(markedPreview, plainPreview, 64)!;
      const plainExport = await exportOne(file, null, { resize });
      const e = diffBox(await rawOf(exported.output), await rawOf(plainExport.output))!;
      const scale = 600 / 1800;
      for (const k of ['x0', 'y0', 'x1', 'y1'] as const) assert.ok(Math.abs(p[k] - e[k] * scale) <= 2, `${k}: preview ${p[k]} vs export ${e[k]} × ${scale}`);
      await saveRender('preview-after.jpg', await fs.readFile(mediaPath(preview.after!)));
    } else {
      await saveRender('export-tiled.png', exported.output);
      // Tiles reach every quarter of the image.
      const plainExport = await exportOne(file, null, { resize });
      const a = await rawOf(exported.output);
      const b = await rawOf(plainExport.output);
      for (const [qx, qy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
        const q = (r: typeof a) => ({ ...r, data: Buffer.from(cropRaw(r, qx! * 900, qy! * 562, 900, 562)), width: 900, height: 562 });
        assert.ok(diffBox(q(a), q(b)), `no tile in quarter ${qx},${qy}`);
      }
    }
  }
});

function cropRaw(r: { data: Buffer; width: number; channels: number }, left: number, top: number, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h * r.channels);
  for (let y = 0; y < h; y++) out.set(r.data.subarray(((top + y) * r.width + left) * r.channels, ((top + y) * r.width + left + w) * r.channels), y * w * r.channels);
  return out;
}

function mediaPath(token: string): string {
  return core.deps.media.resolve('file', token).path;
}

test('outputs are upright: EXIF orientation is applied before marking, and the size is the upright size', async () => {
  const src = corpusFile('rocket.jpg');
  const stored = path.join(work.dir, 'stored-sideways.jpg');
  // Pixels stored turned a quarter, with orientation 6 ("rotate 90° clockwise to view").
  await sharp(src).rotate(-90).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toFile(stored);
  const plain = await exportOne(stored, null);
  assert.deepEqual([plain.width, plain.height], [640, 427]);
  const a = await rawOf(plain.output);
  const b = await rawOf(await sharp(src).png().toBuffer());
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i]! - b.data[i]!);
  assert.ok(sum / a.data.length < 4, `mean difference from the upright original ${(sum / a.data.length).toFixed(2)}`);
  const meta = await sharp(plain.output).metadata();
  assert.equal(meta.orientation, 1);
  const marked = await exportOne(stored, DESIGN);
  const box = diffBox(await rawOf(marked.output), a)!;
  assert.ok(box.x1 > 600 && box.y1 > 400, `mark at the bottom right of the upright image: ${JSON.stringify(box)}`);
  await saveRender('upright-from-orientation-6.png', marked.output);
});

test('tiny, huge and extreme-aspect images: the mark is whole and inside, from 64 px to 12,000 px', { timeout: 120_000 }, async () => {
  const sizes = [[64, 64], [64, 256], [256, 64], [12_000, 3000], [3000, 12_000]] as const;
  for (const [w, h] of sizes) {
    const file = path.join(work.dir, `solid-${w}x${h}.jpg`);
    await sharp({ create: { width: w, height: h, channels: 3, background: '#4a6b8a' } }).jpeg({ quality: 95 }).toFile(file);
    const format = w * h > 1e6 ? 'jpeg' : 'png';
    const design = { ...DESIGN, size: 8, text: { content: '© 2026 ProofMark 水印 long enough to need shrinking on narrow images', colour: '#ffffff' } };
    const marked = await exportOne(file, design, { format, quality: 95 });
    const plain = await exportOne(file, null, { format, quality: 95 });
    assert.deepEqual([marked.width, marked.height], [w, h]);
    const box = diffBox(await rawOf(marked.output), await rawOf(plain.output), format === 'jpeg' ? 24 : 0)!;
    const margin = 0.03 * Math.min(w, h);
    const slack = format === 'jpeg' ? 9 : 1;
    assert.ok(box.x0 >= margin - slack && box.y0 >= margin - slack && box.x1 <= w - margin + slack && box.y1 <= h - margin + slack, `${w}x${h}: mark ${JSON.stringify(box)} crosses the margin ${margin}`);
    // Whole: the ink reaches (nearly) the promised box on the far sides, so nothing was cut away.
    const g = (await call(core, 'watermark.preview', { source: { path: file }, design, maxSize: 256 })).geometry!;
    const p = promised(g.boxes[0]!, w, h);
    assert.ok(Math.abs(box.x1 - p.x1) <= slack + 1 && Math.abs(box.y1 - p.y1) <= slack + 1, `${w}x${h}: ${JSON.stringify(box)} vs ${JSON.stringify(p)}`);
    if (w === 64 && h === 256) await saveRender('narrow-64x256.png', marked.output);
  }
});
