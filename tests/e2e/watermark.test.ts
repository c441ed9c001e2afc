import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { browserSkipReason, dropFiles, openApp, type AppSession } from '../helpers/browser.ts';
import { corpusFile } from '../helpers/corpus.ts';

const skip = browserSkipReason();

describe('Watermark screen in Chromium through the bridge', { skip: skip ?? false }, () => {
  let app: AppSession;
  let out: string;
  before(async () => {
    app = await openApp();
    out = await fs.mkdtemp(path.join(os.tmpdir(), 'proofmark-e2e-wm-'));
    await app.core.handlers['library.import']({ paths: ['rocket.jpg', 'kite.jpg', 'grace_hopper.jpg'].map(corpusFile), recursive: false }, { signal: new AbortController().signal, progress: () => {} });
    await app.page.evaluate(() => localStorage.clear());
    await app.page.reload();
    await app.page.getByTestId('nav-watermark').click();
  });
  after(async () => {
    await app.close();
    await fs.rm(out, { recursive: true, force: true });
  });

  const afterSrc = () => app.page.getByTestId('preview-after').getAttribute('src');

  test('picking library images shows the design on them, live', async () => {
    await app.page.waitForFunction(() => document.querySelectorAll('[data-testid="source-cell"]').length === 3);
    await app.page.locator('[data-testid="source-cell"]').nth(0).click();
    await app.page.locator('[data-testid="source-cell"]').nth(1).click();
    assert.match(await app.page.getByTestId('sources-selected').innerText(), /2 selected/);
    await app.page.getByTestId('preview-after').waitFor();
    const first = await afterSrc();
    await app.page.getByTestId('design-text').fill('© {year} 张三摄影 ProofMark');
    await app.page.waitForFunction((old) => document.querySelector('[data-testid="preview-after"]')?.getAttribute('src') !== old, first);
    await app.page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('[data-testid="preview-after"]');
      return Boolean(img && img.complete && img.naturalWidth > 0);
    });
    assert.match(await app.page.getByTestId('preview-size').innerText(), /Export size \d+ × \d+ px/);
    await app.screenshot('watermark-preview');
    await app.page.getByTestId('preview-toggle').getByText('Before').click();
    await app.page.getByTestId('preview-before').waitFor();
    await app.page.getByTestId('preview-toggle').getByText('After').click();
  });

  test('tiled layout, and a design saved as a preset', async () => {
    await app.page.getByTestId('design-mode').getByText('Tiled').click();
    const before = await afterSrc();
    await app.page.waitForFunction((old) => document.querySelector('[data-testid="preview-after"]')?.getAttribute('src') !== old, before);
    await app.page.waitForTimeout(300);
    await app.screenshot('watermark-tiled');
    await app.page.getByTestId('preset-menu').click();
    await app.page.getByTestId('preset-save').click();
    await app.page.getByTestId('preset-name').fill('E2E tiles');
    await app.page.getByTestId('preset-save-confirm').click();
    assert.equal(await app.page.getByTestId('preset-message').innerText(), 'Saved as the preset “E2E tiles”.');
    const { presets } = await app.core.handlers['watermark.presets']({}, { signal: new AbortController().signal, progress: () => {} });
    assert.equal(presets.find((p) => p.name === 'E2E tiles')?.design.layout.mode, 'tile');
  });

  test('export: settings, progress, summary; the files are on disk', async () => {
    await app.page.getByTestId('export-open').click();
    await app.page.getByTestId('export-outdir').fill(out);
    assert.equal(await app.page.getByTestId('export-quality-value').innerText(), '90');
    await app.screenshot('watermark-export-settings');
    await app.page.getByTestId('export-start').click();
    await app.page.getByTestId('export-summary').waitFor({ timeout: 60_000 });
    assert.match(await app.page.getByTestId('export-summary').innerText(), /2 exported, 0 failed/);
    assert.ok((await app.page.getByTestId('export-written').innerText()).includes(out), 'the summary names the output folder');
    await app.screenshot('watermark-export-summary');
    await app.page.getByTestId('export-close').click();
    const files = (await fs.readdir(out)).sort();
    assert.equal(files.length, 2);
    assert.ok(files.every((f) => f.endsWith('.jpg')));
  });

  test('dropped files are previewed, listed and exported; the summary gives each note with its files', async () => {
    await dropFiles(app.page, '[data-testid="watermark-drop"]', [corpusFile('coffee.png')]);
    await app.page.getByTestId('source-file').first().waitFor();
    await app.page.getByTestId('preview-after').waitFor();
    // coffee.png has no EXIF: the Artist token has no value, which the export notes.
    await app.page.getByTestId('design-text').fill('© {exif.Artist} ProofMark');
    // The design is no longer the saved preset: the "Saved as" confirmation goes.
    await app.page.getByTestId('preset-message').waitFor({ state: 'detached' });
    const dropped = path.join(out, 'dropped');
    await app.page.getByTestId('export-open').click();
    await app.page.getByTestId('export-outdir').fill(dropped);
    await app.page.getByTestId('export-start').click();
    await app.page.getByTestId('export-summary').waitFor({ timeout: 60_000 });
    assert.match(await app.page.getByTestId('export-summary').innerText(), /1 exported, 0 failed/);
    assert.match(await app.page.getByTestId('export-notes').innerText(), /\{exif\.Artist\} has no value for this image.*coffee\.png/s);
    await app.screenshot('watermark-export-notes');
    await app.page.getByTestId('export-close').click();
    assert.deepEqual(await fs.readdir(dropped), ['coffee.jpg']);
  });

  test('the screen in Chinese', async () => {
    await app.page.getByText('中文').click();
    await app.page.getByTestId('nav-watermark').getByText('水印').waitFor();
    await app.page.waitForTimeout(300);
    await app.screenshot('watermark-zh');
    await app.page.getByText('English').click();
  });
});
