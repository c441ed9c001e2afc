import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { browserSkipReason, dropFiles, openApp, type AppSession } from '../helpers/browser.ts';
import { corpusFile, pngHeaderOnly } from '../helpers/corpus.ts';

const skip = browserSkipReason();

describe('Check screen in Chromium through the bridge', { skip: skip ?? false }, () => {
  let app: AppSession;
  let work: string;
  before(async () => {
    app = await openApp();
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'proofmark-e2e-check-'));
  });
  after(async () => {
    await app.close();
    await fs.rm(work, { recursive: true, force: true });
  });

  test('an empty Check screen says what to do', async () => {
    await app.page.getByTestId('nav-check').click();
    await app.page.getByTestId('check-empty').waitFor();
    await app.screenshot('check-empty');
  });

  test('dropping the corpus and broken files gives a verdict per file and rule', async () => {
    const autumn = await fs.readFile(corpusFile('autumn.jpg'));
    await fs.writeFile(path.join(work, 'truncated.jpg'), autumn.subarray(0, 300_000));
    await fs.writeFile(path.join(work, 'huge.png'), pngHeaderOnly(40_000, 40_000));
    await fs.copyFile(corpusFile('grace_hopper.jpg'), path.join(work, 'hopper.png'));
    const names = ['astronaut.png', 'chelsea.png', 'coffee.png', 'rocket.jpg', 'kite.jpg', 'wine.jpg', 'colorful-cups.jpg', 'autumn.jpg'];
    await dropFiles(app.page, '[data-testid="check-drop"]', [...names.map(corpusFile), ...['truncated.jpg', 'huge.png', 'hopper.png'].map((n) => path.join(work, n))]);
    await app.page.getByTestId('check-summary').waitFor();
    assert.match(await app.page.getByTestId('check-summary').innerText(), /11 files: 3 pass, 0 with warnings, 8 fail/);
    const verdicts = await app.page.getByTestId('check-row').evaluateAll((rows) => rows.map((r) => `${r.querySelector('p')?.textContent}:${r.getAttribute('data-verdict')}`));
    assert.ok(verdicts.includes('astronaut.png:pass') && verdicts.includes('rocket.jpg:fail') && verdicts.includes('truncated.jpg:fail'), verdicts.join(' '));
    await app.page.locator('[data-testid="check-row"]', { hasText: 'rocket.jpg' }).click();
    const details = await app.page.getByTestId('check-details').innerText();
    assert.match(details, /Density is 72 dpi; the rule needs at least 300 dpi\. At 300 dpi this photo prints at 5\.4 x 3\.6 cm\./);
    await app.screenshot('check-table');
  });

  test('fix all previews the changes, then writes new files that pass', async () => {
    const out = path.join(work, 'fixed');
    await app.page.getByTestId('fix-all').click();
    await app.page.getByTestId('fix-outdir').fill(out);
    await app.page.getByTestId('fix-preview').click();
    await app.page.getByTestId('fix-summary').getByText(/files will be changed; nothing has been written yet/).waitFor();
    assert.match(await app.page.getByTestId('fix-list').innerText(), /Set the density to 300 dpi in the JFIF header; the compressed pixels are not touched\./);
    await assert.rejects(fs.access(out));
    await app.screenshot('check-fix-preview');
    await app.page.getByTestId('fix-run').click();
    await app.page.getByTestId('fix-summary').getByText(/\d+ fixed/).waitFor();
    const written = await fs.readdir(out);
    assert.ok(written.includes('rocket.jpg') && written.includes('hopper.jpg'), written.join(' '));
    await app.screenshot('check-fix-done');
    await app.page.getByText('Check the fixed files').click();
    await app.page.getByTestId('check-summary').getByText(/files: \d+ pass, 0 with warnings, 0 fail/).waitFor();
  });

  test('a profile can be copied, edited and used; the report exports', async () => {
    await app.page.getByTestId('profile-copy').click();
    await app.page.getByTestId('profile-editor').waitFor();
    await app.page.getByTestId('param-density').fill('72');
    await app.screenshot('check-profile-editor');
    await app.page.getByTestId('profile-save').click();
    await app.page.getByTestId('profile-editor').waitFor({ state: 'detached' });
    // The copy is selected once the profile list has reloaded.
    await app.page.waitForFunction(() => document.querySelector<HTMLInputElement>('[data-testid="check-profile"]')?.value.startsWith('Copy of CPCC'));
    const { profiles } = await app.core.handlers['check.profiles']({}, { signal: new AbortController().signal, progress: () => {} });
    const mine = profiles.find((p) => p.profile.id === 'my-cpcc-photo')!.profile;
    const density = mine.rules.find((r) => r.kind === 'minDensity');
    assert.deepEqual(density && density.kind === 'minDensity' ? [density.dpi, density.source] : null, [72, 'user']);
    await app.page.getByTestId('export-csv').click();
    await app.page.getByTestId('export-done').waitFor();
    assert.match(await app.page.getByTestId('export-done').innerText(), /Report saved: .*check-my-cpcc-photo-.*\.csv/);
  });
});
