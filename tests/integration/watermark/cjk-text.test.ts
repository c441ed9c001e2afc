import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { WatermarkDesign } from '../../../electron/contract/index.ts';
import { defaultResourcesDir } from '../../../electron/core/config.ts';
import { ensureFontconfig } from '../../../electron/core/watermark/visible/fonts.ts';
import { alphaBounds, MarkRenderer, markSpec } from '../../../electron/core/watermark/visible/mark.ts';
import type { Overlay } from '../../../electron/core/watermark/visible/blend.ts';
import { call, testCore } from '../../helpers/core.ts';
import { corpusFile, tempDir } from '../../helpers/corpus.ts';
import { saveRender } from '../../helpers/watermark.ts';

const resources = defaultResourcesDir();
ensureFontconfig(resources);
const renderer = new MarkRenderer();

/** The glyph drawn alone at 200 px, cropped to its ink, as a 0/1 mask. */
async function glyph(text: string, weight: 'regular' | 'bold' = 'regular'): Promise<{ mask: Uint8Array; width: number; height: number; overlay: Overlay }> {
  const design = WatermarkDesign.parse({ text: { content: text, weight, colour: '#000000' } });
  const spec = markSpec(design, text, resources, null);
  const ink = await renderer.measure(spec);
  const overlay = await renderer.single(spec, ink, 2, 0, 0);
  const b = alphaBounds(overlay)!;
  const width = b.x1 - b.x0;
  const height = b.y1 - b.y0;
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) mask[y * width + x] = overlay.data[((y + b.y0) * overlay.width + x + b.x0) * 4 + 3]! > 128 ? 1 : 0;
  return { mask, width, height, overlay };
}

/** Overlap of two masks after scaling both to 64x64 (intersection over union). */
function iou(a: { mask: Uint8Array; width: number; height: number }, b: { mask: Uint8Array; width: number; height: number }): number {
  let inter = 0;
  let union = 0;
  for (let y = 0; y < 64; y++) {
    for (let x = 0; x < 64; x++) {
      const va = a.mask[Math.floor((y * a.height) / 64) * a.width + Math.floor((x * a.width) / 64)]!;
      const vb = b.mask[Math.floor((y * b.height) / 64) * b.width + Math.floor((x * b.width) / 64)]!;
      inter += va & vb;
      union += va | vb;
    }
  }
  return inter / union;
}

async function save(name: string, o: Overlay) {
  await saveRender(name, await sharp(o.data, { raw: { width: o.width, height: o.height, channels: 4 } }).flatten({ background: '#ffffff' }).png().toBuffer());
}

for (const weight of ['regular', 'bold'] as const) {
  test(`Chinese renders with the bundled font, not as missing-glyph boxes (${weight})`, async () => {
    const tofu = await glyph('\u0378', weight); // unassigned code point: every font lacks it
    const one = await glyph('一', weight);
    const middle = await glyph('中', weight);
    const water = await glyph('水印', weight);
    await save(`cjk-${weight}-tofu.png`, tofu.overlay);
    await save(`cjk-${weight}-zhong.png`, middle.overlay);
    await save(`cjk-${weight}-shuiyin.png`, water.overlay);

    // The missing-glyph box is a tall frame; 一 is a single flat stroke.
    assert.ok(tofu.height / tofu.width > 1.1, `tofu box ${tofu.width}x${tofu.height}`);
    assert.ok(one.height / one.width < 0.25, `一 is ${one.width}x${one.height}, not a flat stroke`);
    // 中 has a vertical stroke through its middle, top to bottom.
    const col = Math.floor(middle.width / 2);
    let inkRows = 0;
    for (let y = 0; y < middle.height; y++) if (middle.mask[y * middle.width + col - 1]! || middle.mask[y * middle.width + col]! || middle.mask[y * middle.width + col + 1]!) inkRows++;
    assert.ok(inkRows / middle.height > 0.9, `中's centre stroke covers ${inkRows}/${middle.height} rows`);
    assert.ok(iou(middle, tofu) < 0.5, `中 looks like the missing-glyph box (IoU ${iou(middle, tofu).toFixed(2)})`);
    // Two different characters draw two different shapes (missing-glyph boxes would be near-identical).
    const shui = await glyph('水', weight);
    assert.ok(iou(shui, middle) < 0.5, `水 and 中 overlap ${iou(shui, middle).toFixed(2)}`);
    assert.ok(water.width > 1.8 * water.height, 'two characters side by side');
  });
}

test('a missing or damaged bundled font is a clear error, and nothing is written', async () => {
  const env = await testCore();
  const { dir, cleanup } = await tempDir();
  const res = path.join(dir, 'resources');
  await fs.mkdir(path.join(res, 'fonts'), { recursive: true });
  await fs.writeFile(path.join(res, 'fonts', 'SourceHanSansSC-Regular.otf'), 'this is not a font');
  // The same library, opened with a broken resources folder.
  await env.core.close();
  const { createCore } = await import('../../../electron/core/index.ts');
  const core = await createCore({ libraryDir: env.libraryDir, resourcesDir: res });
  const out = path.join(dir, 'out');
  const base = { sources: { paths: [corpusFile('rocket.jpg')] }, outDir: out };
  await assert.rejects(call(core, 'watermark.export', { ...base, design: { text: { content: '水印', weight: 'bold' } } }), /bundled font SourceHanSansSC-Bold\.otf is missing/);
  await assert.rejects(call(core, 'watermark.export', { ...base, design: { text: { content: '水印', weight: 'regular' } } }), /SourceHanSansSC-Regular\.otf is damaged/);
  await assert.rejects(call(core, 'watermark.preview', { source: { path: corpusFile('rocket.jpg') }, design: { text: { content: '水印', weight: 'regular' } } }), /damaged/);
  await assert.rejects(fs.stat(out), /ENOENT/);
  await core.close();
  await cleanup();
});
