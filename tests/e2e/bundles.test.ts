import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Locator } from 'playwright-core';
import sharp from 'sharp';
import { browserSkipReason, dropFiles, openApp, type AppSession } from '../helpers/browser.ts';
import { call } from '../helpers/core.ts';
import { corpusFile } from '../helpers/corpus.ts';
import { makeScan, TEST_ID_NUMBER } from '../helpers/bundles.ts';

const skip = browserSkipReason();

/** Waits for the build to finish; a build error fails the test with its message. */
async function built(wizard: Locator): Promise<void> {
  const done = wizard.getByTestId('build-done');
  const failed = wizard.getByTestId('build-error');
  await done.or(failed).first().waitFor({ timeout: 120_000 });
  if (await failed.isVisible()) assert.fail(`the build failed: ${await failed.innerText()}`);
}

describe('Bundles screen in Chromium through the bridge', { skip: skip ?? false }, () => {
  let app: AppSession;
  let work: string;
  before(async () => {
    app = await openApp();
    work = path.join(path.dirname(app.libraryDir), 'e2e-bundles');
    await fs.mkdir(work, { recursive: true });
    await call(app.core, 'library.import', { paths: ['colorful-cups.jpg', 'kite.jpg'].map(corpusFile) });
    const scan = await makeScan(path.join(work, '身份证.jpg'));
    await call(app.core, 'bundles.people.save', {
      // No address yet: the registration check asks for it and opens the profile.
      name: '张三', idNumber: TEST_ID_NUMBER, nationality: '中国', province: '浙江省', city: '杭州市',
      phone: '13800138000', email: 'zhangsan@example.com', roles: ['owner', 'author'], addScans: [scan],
    });
  });
  after(async () => {
    await app.close();
  });

  test('people are listed with their ID number masked', async () => {
    await app.page.getByTestId('nav-bundles').click();
    await app.page.getByTestId('bundle-list-empty').waitFor();
    await app.page.getByTestId('tab-people').click();
    const row = app.page.getByTestId('person-row').first();
    await row.waitFor();
    assert.match(await row.innerText(), /11\*+002X/);
    assert.ok(!(await app.page.content()).includes(TEST_ID_NUMBER));
    await app.screenshot('bundles-people');
  });

  test('a CPCC registration bundle for a series, step by step, with a preview of every page', { timeout: 180_000 }, async () => {
    const page = app.page;
    await page.getByTestId('tab-registration').click();
    const items = page.getByTestId('bundle-pick-item');
    await items.nth(1).waitFor();
    await items.nth(0).click();
    await items.nth(1).click();
    await page.getByTestId('reg-prefill').click();
    // People: the only saved owner/author is already chosen.
    await page.getByTestId('reg-owners').waitFor();
    await app.screenshot('bundles-registration-people');
    await page.getByTestId('reg-next').click();
    await page.getByTestId('reg-title').fill('彩色杯子与风筝');
    await page.getByTestId('reg-country').fill('中国');
    await app.screenshot('bundles-registration-work');
    await page.getByTestId('reg-next').click();
    // The drafted description follows the new title.
    assert.match(await page.getByTestId('desc-zh-purpose').inputValue(), /《彩色杯子与风筝》/);
    await page.getByTestId('reg-next').click();
    // The check names exactly what is missing (the city), in the interface language, with a way to it.
    const issues = page.getByTestId('reg-check').getByTestId('issue');
    await issues.first().waitFor();
    assert.deepEqual((await issues.allInnerTexts()).map((s) => s.split(' — ')[0]), ['Copyright owners (著作权人) 1: Address', 'City']);
    await page.getByText('中文').click();
    await page.getByTestId('reg-check').getByText('城市').waitFor();
    // What is wrong is said in Chinese too, not only the field's name.
    assert.deepEqual((await issues.allInnerTexts()).map((s) => s.split(' — ')[1]?.replace(/\s*去填写.*$/, '')), ['尚未填写。', '尚未填写。']);
    await page.getByTestId('reg-check').getByText('分辨率：', { exact: false }).waitFor(); // the failing sample's findings too
    await app.screenshot('bundles-registration-missing-zh');
    await page.getByText('English').click();
    // The owner's missing address opens the owner's profile; saving it checks again.
    await issues.first().getByText('Go to the field').click();
    await page.getByTestId('person-address').fill('杭州市西湖区文三路 100 号');
    await app.screenshot('bundles-person-modal');
    await page.getByTestId('person-save').click();
    await page.getByTestId('person-modal').waitFor({ state: 'detached' });
    await page.getByTestId('reg-check').getByText(/^City$/).waitFor();
    assert.equal(await issues.count(), 1);
    await issues.first().getByText('Go to the field').click();
    await page.getByTestId('reg-city').fill('杭州市');
    await page.getByTestId('reg-next').click();
    await page.getByTestId('reg-next').click();
    await page.getByTestId('sample-row').nth(1).waitFor();
    assert.match(await page.getByTestId('reg-check').innerText(), /Ready to build[\s\S]*¥400/);
    assert.match(await page.getByTestId('reg-check').innerText(), /fails/i);
    await app.screenshot('bundles-registration-check');
    await page.getByTestId('reg-next').click();
    await page.getByTestId('reg-preview').click();
    await page.getByTestId('reg-wizard').getByTestId('preview-page').first().waitFor({ timeout: 120_000 });
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('[data-testid="preview-page"]')].every((i) => i.complete && i.naturalWidth > 0));
    await app.screenshot('bundles-registration-preview');
    await page.getByTestId('reg-build').click();
    await built(page.getByTestId('reg-wizard'));
    const done = await page.getByTestId('build-done').innerText();
    assert.match(done, /Built PMR-\d{8}-[0-9A-F]{6}/);
    await app.screenshot('bundles-registration-built');
    const folder = /Folder: (.+)/.exec(done)![1]!.trim();
    assert.ok((await fs.readdir(path.join(folder, 'samples'))).includes('sample-02.jpg'));
  });

  test('a complaint bundle for a transformed copy: from Find, a second copy dropped, screenshots hashed on arrival', { timeout: 180_000 }, async () => {
    const page = app.page;
    const cups = (await call(app.core, 'library.list', { text: 'colorful-cups' })).items[0]!;
    const original = app.core.deps.library.originalPath(cups.id);
    const suspect = path.join(work, '盗图 副本.jpg');
    await sharp(original).extract({ left: 600, top: 200, width: 1400, height: 1000 }).flop().jpeg({ quality: 80 }).toFile(suspect);
    const second = path.join(work, '另一家 店.jpg');
    await sharp(original).resize(600).modulate({ brightness: 1.2 }).jpeg({ quality: 75 }).toFile(second);
    const shot = path.join(work, '商品页 截图.png');
    await sharp({ create: { width: 900, height: 1600, channels: 3, background: '#f4f4f4' } }).composite([{ input: await sharp(suspect).resize(700).toBuffer(), left: 100, top: 200 }]).png().toFile(shot);

    // Find names the original; "start a complaint" opens the wizard at the infringing use.
    await page.getByTestId('nav-find').click();
    await dropFiles(page, '[data-testid="find-drop"]', [suspect]);
    await page.getByTestId('find-summary').getByText(/colorful-cups/).waitFor({ timeout: 60_000 });
    await page.getByTestId('find-complaint').click();
    const wizard = page.getByTestId('comp-wizard');
    const cards = page.getByTestId('use-card');
    const card = cards.first();
    await card.waitFor();
    assert.match(await card.getByTestId('use-suspect').inputValue(), /盗图 副本\.jpg$/);
    await card.getByTestId('use-listing').fill('htp:/item.taobao.com');
    await card.getByText('Must be a web address starting with http:// or https://').waitFor();
    await card.getByTestId('use-listing').fill('https://item.taobao.com/item.htm?id=681234567890');
    assert.equal(await card.getByText('Must be a web address').count(), 0);
    await card.getByTestId('use-shop').fill('杯子优选旗舰店');
    await dropFiles(page, '[data-testid="use-card"]', [shot]);
    await card.getByText(/SHA-256 [0-9a-f]{16}…/).waitFor();

    // Back to the first step: a second copy dropped there becomes a second use; the first keeps what was typed.
    await wizard.getByRole('button', { name: 'Back' }).click();
    await dropFiles(page, '[data-testid="comp-wizard"]', [second]);
    await page.getByTestId('comp-suspect').nth(1).waitFor();
    await page.getByTestId('comp-start').click();
    await cards.nth(1).waitFor();
    assert.equal(await card.getByTestId('use-shop').inputValue(), '杯子优选旗舰店');
    assert.match(await cards.nth(1).getByTestId('use-suspect').inputValue(), /另一家 店\.jpg$/);
    await cards.nth(1).getByTestId('use-listing').fill('https://mobile.yangkeduo.com/goods.html?goods_id=1234567');
    await cards.nth(1).getByTestId('use-shop').fill('好杯子小店');
    assert.equal(await cards.nth(1).getByTestId('use-platform').inputValue(), 'Pinduoduo', 'the platform follows the listing URL');
    await app.screenshot('bundles-complaint-uses');
    await page.getByTestId('comp-next').click();
    assert.equal(await page.getByTestId('comp-signer').inputValue(), '张三');
    await page.getByTestId('comp-next').click();
    await page.getByTestId('comp-check').getByText('Ready to build.').waitFor();
    await page.getByTestId('comp-next').click();
    await page.getByTestId('comp-preview').click();
    // The registration tab stays mounted (hidden): look inside the complaint wizard only.
    await wizard.getByTestId('preview-page').first().waitFor({ timeout: 120_000 });
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('[data-testid="comp-wizard"] [data-testid="preview-page"]')].every((i) => i.complete && i.naturalWidth > 0));
    await app.screenshot('bundles-complaint-preview');
    await page.getByTestId('comp-build').click();
    await built(wizard);
    const done = await wizard.getByTestId('build-done').innerText();
    assert.match(done, /Built PMC-/);
    await app.screenshot('bundles-complaint-built');
    // The evidence carries Find's verdict for both copies and the hidden-mark reading.
    const folder = /Folder: (.+)/.exec(done)![1]!.trim();
    const evidence = JSON.parse(await fs.readFile(path.join(folder, 'evidence.json'), 'utf8')) as { uses: { similarity: { isMatch: boolean }; hiddenMark: { found: boolean } }[] };
    assert.deepEqual(evidence.uses.map((u) => [u.similarity.isMatch, u.hiddenMark.found]), [[true, false], [true, false]]);
  });

  test('bundles are listed with their status and verify from the list', async () => {
    await app.page.getByTestId('tab-list').click();
    await app.page.getByTestId('bundle-row').nth(1).waitFor();
    assert.deepEqual((await app.page.getByTestId('bundle-status').allInnerTexts()).map((s) => s.toLowerCase()), ['intact', 'intact']);
    await app.page.getByTestId('bundle-verify').first().click();
    await app.page.getByTestId('verify-result').waitFor();
    await app.page.locator('[data-testid="bundle-verify"][data-loading]').waitFor({ state: 'detached' });
    assert.match(await app.page.getByTestId('verify-result').innerText(), /intact — signature valid/);
    await app.screenshot('bundles-list');
    await app.page.getByText('中文').click();
    await app.page.getByTestId('tab-list').getByText('材料包').waitFor();
    await app.screenshot('bundles-list-zh');
    await app.page.getByTestId('tab-complaint').click();
    await app.screenshot('bundles-complaint-zh');
    await app.page.getByText('English').click();
  });
});
