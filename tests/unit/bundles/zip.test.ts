import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { loadSigningKey } from '../../../electron/core/bundles/keys.ts';
import { readZipComment, readZipEntries, unsafeEntryName, writeSignedZip, ZIP_SIG_PREFIX } from '../../../electron/core/bundles/zip.ts';
import { tempDir } from '../../helpers/corpus.ts';
import { craftZip } from '../../helpers/zips.ts';

test('entry names that would escape the target folder are recognised', () => {
  for (const bad of ['../evil.txt', 'a/../../evil', '/etc/passwd', 'C:/Windows/x', 'a\\..\\b', 'x\0y', '']) assert.ok(unsafeEntryName(bad), JSON.stringify(bad));
  for (const good of ['manifest.json', 'samples/sample-01.jpg', '证据/截图 1.png', 'a..b/c..']) assert.equal(unsafeEntryName(good), null, good);
});

test('a signed ZIP round-trips: UTF-8 names, content hashes, the signature in the comment', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const src = path.join(dir, 'src');
  await fs.mkdir(path.join(src, '样本 文件'), { recursive: true });
  await fs.writeFile(path.join(src, 'a.txt'), 'hello');
  await fs.writeFile(path.join(src, '样本 文件', '图 1.jpg'), Buffer.alloc(5000, 7));
  const key = loadSigningKey(path.join(dir, 'lib'));
  const zip = path.join(dir, 'out.zip');
  await writeSignedZip(src, ['a.txt', '样本 文件/图 1.jpg'], zip, key, new Date('2026-03-02T00:00:00Z'));
  const entries = await readZipEntries(zip, new Set(['a.txt']), 1024);
  assert.deepEqual(entries.map((e) => [e.name, e.unsafe]), [['a.txt', null], ['样本 文件/图 1.jpg', null]]);
  assert.equal(entries[0]!.bytes!.toString(), 'hello');
  assert.equal(entries[0]!.sha256, '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
  const comment = await readZipComment(zip);
  assert.ok(comment!.comment.toString('latin1').startsWith(ZIP_SIG_PREFIX));
  assert.equal(comment!.offset + comment!.comment.length, (await fs.stat(zip)).size);
});

test('reading a ZIP with ../ entries, absolute paths and symlinks names them and writes nothing', async (t) => {
  const { dir: root, cleanup } = await tempDir();
  t.after(cleanup);
  // The ZIP sits one folder down, so "../" would land in a folder only this test uses (the system
  // temp folder itself changes while other tests run).
  const dir = path.join(root, 'inner');
  await fs.mkdir(dir);
  const zip = path.join(dir, 'evil.zip');
  await fs.writeFile(zip, craftZip([
    { name: 'ok.txt', data: 'fine' },
    { name: '../escaped.txt', data: 'outside' },
    { name: '/abs.txt', data: 'absolute' },
    { name: 'link', data: '/etc/passwd', symlink: true },
    { name: 'ok.txt', data: 'again' },
  ]));
  const entries = await readZipEntries(zip, new Set(), 0);
  assert.deepEqual(entries.map((e) => [e.name, e.unsafe?.kind ?? null]), [
    ['ok.txt', null], ['../escaped.txt', 'unsafe_entry'], ['/abs.txt', 'unsafe_entry'], ['link', 'symlink'], ['ok.txt', 'unsafe_entry'],
  ]);
  assert.equal(entries[1]!.sha256, null, 'an unsafe entry is never read');
  assert.deepEqual(await fs.readdir(root), ['inner']);
  assert.deepEqual((await fs.readdir(dir)).sort(), ['evil.zip']);
  await assert.rejects(fs.access('/abs.txt'));
});
