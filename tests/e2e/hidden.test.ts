import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { dispatch } from '../../electron/contract/dispatch.ts';
import type { Input, MethodName, Output } from '../../electron/contract/index.ts';
import { browserSkipReason, dropFiles, openApp, type AppSession } from '../helpers/browser.ts';
import { corpusFile } from '../helpers/corpus.ts';

const skip = browserSkipReason();

describe('Hidden mark screen in Chromium through the bridge', { skip: skip ?? false }, () => {
  let app: AppSession;
  let work: string;
  const call = async <M extends MethodName>(method: M, input: Input<M>): Promise<Output<M>> => {
    const r = await dispatch(app.core.handlers, method, input, { signal: new AbortController().signal, progress: () => {} });
    if (!r.ok) throw new Error(r.error.message);
    return r.value as Output<M>;
  };
  before(async () => {
    app = await openApp();
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'proofmark-e2e-hidden-'));
  });
  after(async () => {
    await app.close();
    await fs.rm(work, { recursive: true, force: true });
  });

  test('a new library has no key; creating one shows the owner id', async () => {
    await app.page.getByTestId('nav-hidden').click();
    await app.page.getByTestId('hidden-key-create').click();
    await app.page.getByTestId('hidden-owner-id').waitFor();
    const info = await call('hidden.key.info', {});
    assert.equal(await app.page.getByTestId('hidden-owner-id').innerText(), String(info.own!.ownerId));
    await app.screenshot('hidden-key');
  });

  test('dropping a marked copy names the owner and the library image; an unmarked photo is not found', async () => {
    const src = path.join(work, 'teapot.jpg');
    await sharp(corpusFile('colorful-cups.jpg')).resize(1400).jpeg({ quality: 92 }).toFile(src);
    const imported = await call('library.import', { paths: [src] });
    const id = imported.imported[0]!.id;
    await call('library.update', { id, title: 'Red teapot, front' });
    const marked = path.join(work, 'marked.jpg');
    await call('hidden.embed', { input: src, output: marked });
    const copy = path.join(work, 'listing-copy.jpg');
    await sharp(marked).resize(900).flop().jpeg({ quality: 70 }).toFile(copy);
    await dropFiles(app.page, '[data-testid="hidden-screen"]', [copy, corpusFile('kite.jpg')]);
    await app.page.locator('[data-testid="hidden-result"][data-found="true"]').waitFor({ timeout: 60_000 });
    await app.page.locator('[data-testid="hidden-result"][data-found="false"]').waitFor({ timeout: 60_000 });
    const head = await app.page.getByTestId('hidden-result-head').innerText();
    assert.match(head, new RegExp(`image #${id} — "Red teapot, front"`));
    assert.match(await app.page.locator('[data-found="true"]').innerText(), /mirrored left-right/);
    await app.screenshot('hidden-results');
  });

  test('the key backup is shown with a warning', async () => {
    await app.page.getByTestId('hidden-key-export').click();
    const text = await app.page.getByTestId('hidden-key-backup').inputValue();
    assert.match(text, /"format": "proofmark-hidden-key"/);
    await app.screenshot('hidden-key-backup');
    await app.page.keyboard.press('Escape');
  });

  test('in Chinese', async () => {
    await app.page.getByText('中文').click();
    await app.page.getByText('检查一张副本').waitFor();
    await app.screenshot('hidden-zh');
    await app.page.getByText('English').click();
  });
});
