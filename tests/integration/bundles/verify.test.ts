import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { BuildResult } from '../../../electron/contract/index.ts';
import type { Core } from '../../../electron/core/index.ts';
import { call, testCore } from '../../helpers/core.ts';
import { tempDir } from '../../helpers/corpus.ts';
import { importCorpus, registrationSpec, saveOwner } from '../../helpers/bundles.ts';
import { craftZip } from '../../helpers/zips.ts';

let env: Awaited<ReturnType<typeof testCore>>;
let work: { dir: string; cleanup: () => Promise<void> };
let built: BuildResult;
let core: Core;

before(async () => {
  env = await testCore();
  core = env.core;
  work = await tempDir('proofmark-verify-');
  const [id] = await importCorpus(core, ['colorful-cups.jpg']);
  const owner = await saveOwner(core, path.join(work.dir, 'scans'));
  built = await call(core, 'bundles.registration.build', { spec: await registrationSpec(core, [id!], owner.id, '彩色杯子'), outDir: path.join(work.dir, 'bundle') });
});
after(async () => {
  await env.close();
  await work.cleanup();
});

const verify = (p: string) => call(core, 'bundles.verify', { path: p });

async function copyDir(from: string, to: string) {
  await fs.cp(from, to, { recursive: true });
}

async function flipByte(file: string, offset: number): Promise<() => Promise<void>> {
  const h = await fs.open(file, 'r+');
  const b = Buffer.alloc(1);
  await h.read(b, 0, 1, offset);
  const original = b[0]!;
  b[0] = original ^ 0x01;
  await h.write(b, 0, 1, offset);
  await h.close();
  return async () => {
    const r = await fs.open(file, 'r+');
    await r.write(Buffer.from([original]), 0, 1, offset);
    await r.close();
  };
}

test('a fresh bundle verifies, as a folder and as a ZIP', async () => {
  const f = await verify(built.folder);
  assert.equal(f.ok, true, JSON.stringify(f.problems));
  assert.equal(f.container, 'folder');
  assert.equal(f.filesChecked, built.files.length);
  const z = await verify(built.zip);
  assert.equal(z.ok, true, JSON.stringify(z.problems));
  assert.equal(z.signature, 'valid');
  assert.equal(z.bundleId, built.bundleId);
  assert.equal(z.publicKeyFingerprint, built.publicKeyFingerprint);
});

test('one changed byte in any file of the folder is found and the file named', async () => {
  const copy = path.join(work.dir, 'folder-copy');
  await copyDir(built.folder, copy);
  const files = [...built.files.map((f) => f.path), 'manifest.json', 'manifest.sig'];
  const cases: [string, 'middle' | 'last' | 'padding'][] = [...files.map((rel): [string, 'middle'] => [rel, 'middle']), ['manifest.sig', 'last'], ['manifest.sig', 'padding'], ['public-key.pem', 'last']];
  for (const [rel, where] of cases) {
    const file = path.join(copy, ...rel.split('/'));
    const size = (await fs.stat(file)).size;
    const restore = await flipByte(file, where === 'middle' ? Math.floor(size / 2) : where === 'last' ? size - 1 : size - 4);
    const r = await verify(copy);
    assert.equal(r.ok, false, rel);
    const named = rel === 'manifest.sig' || rel === 'manifest.json'
      ? r.problems.some((p) => p.kind === 'signature_invalid')
      : r.problems.some((p) => p.path === rel && p.kind === 'changed');
    assert.ok(named, `${rel}: ${JSON.stringify(r.problems)}`);
    await restore();
  }
  assert.equal((await verify(copy)).ok, true);
});

test('one changed byte anywhere in the ZIP fails verification (content, headers, central directory, comment)', async () => {
  const zip = path.join(work.dir, 'copy.zip');
  await fs.copyFile(built.zip, zip);
  const size = (await fs.stat(zip)).size;
  const offsets = new Set<number>([0, 5, 10, 14, 30, 31, 200, size - 200, size - 130, size - 100, size - 60, size - 22, size - 10, size - 1]);
  for (let i = 1; i < 24; i++) offsets.add(Math.floor((size * i) / 24));
  for (const offset of offsets) {
    const restore = await flipByte(zip, offset);
    const r = await verify(zip);
    assert.equal(r.ok, false, `byte ${offset} of ${size}`);
    await restore();
  }
  assert.equal((await verify(zip)).ok, true);
});

test('missing and extra files are named; the status of a known bundle is updated', async () => {
  const copy = path.join(work.dir, 'folder-missing');
  await copyDir(built.folder, copy);
  await fs.rm(path.join(copy, 'samples', 'sample-01.jpg'));
  await fs.writeFile(path.join(copy, 'samples', '多余 文件.txt'), 'extra');
  const r = await verify(copy);
  assert.equal(r.ok, false);
  assert.deepEqual(r.problems.map((p) => [p.kind, p.path]), [['missing', 'samples/sample-01.jpg'], ['extra', 'samples/多余 文件.txt']]);

  const restore = await flipByte(path.join(built.folder, '02-work-description.pdf'), 100);
  assert.equal((await verify(built.folder)).ok, false);
  assert.equal((await call(core, 'bundles.list', {})).bundles[0]!.status, 'changed');
  await restore();
  assert.equal((await verify(built.folder)).ok, true);
  assert.equal((await call(core, 'bundles.list', {})).bundles[0]!.status, 'intact');
});

test('a ZIP with ../ entries, absolute names or symlinks is rejected and nothing is written anywhere', async () => {
  const files = Object.fromEntries(await Promise.all(['manifest.json', 'manifest.sig', 'public-key.pem'].map(async (n) => [n, await fs.readFile(path.join(built.folder, n))])));
  const evil = path.join(work.dir, 'evil', 'bundle.zip');
  await fs.mkdir(path.dirname(evil));
  await fs.writeFile(evil, craftZip([
    ...Object.entries(files).map(([name, data]) => ({ name, data: data as Buffer })),
    { name: '../../escaped.txt', data: 'outside' },
    { name: '/tmp/absolute.txt', data: 'absolute' },
    { name: 'samples/sample-01.jpg', data: '/etc/passwd', symlink: true },
  ]));
  const parent = path.dirname(work.dir);
  const before = (await fs.readdir(parent)).sort();
  const r = await verify(evil);
  assert.equal(r.ok, false);
  const kinds = r.problems.map((p) => `${p.kind}:${p.path ?? ''}`);
  assert.ok(kinds.includes('unsafe_entry:../../escaped.txt'), kinds.join(' '));
  assert.ok(kinds.includes('unsafe_entry:/tmp/absolute.txt'));
  assert.ok(kinds.includes('symlink:samples/sample-01.jpg'));
  assert.ok(kinds.includes('container_changed:'), 'not a ProofMark-signed archive');
  assert.deepEqual((await fs.readdir(parent)).sort(), before);
  assert.deepEqual(await fs.readdir(path.dirname(evil)), ['bundle.zip']);
  await assert.rejects(fs.access('/tmp/absolute.txt'));
});

test('symlinks in a bundle folder are reported, never followed; a missing path is a clear error', async () => {
  const copy = path.join(work.dir, 'folder-link');
  await copyDir(built.folder, copy);
  await fs.rm(path.join(copy, 'samples', 'sample-01.jpg'));
  await fs.symlink(core.deps.library.originalPath(1), path.join(copy, 'samples', 'sample-01.jpg'));
  const r = await verify(copy);
  assert.equal(r.ok, false);
  assert.ok(r.problems.some((p) => p.kind === 'symlink' && p.path === 'samples/sample-01.jpg'));
  assert.ok(r.problems.some((p) => p.kind === 'missing' && p.path === 'samples/sample-01.jpg'));
  await assert.rejects(verify(path.join(work.dir, 'nowhere')), /does not exist/);
  const notZip = path.join(work.dir, 'not-a-bundle.zip');
  await fs.writeFile(notZip, 'PK but not really');
  const n = await verify(notZip);
  assert.equal(n.ok, false);
  assert.equal(n.problems[0]!.kind, 'unreadable');
});

test('the public key is exportable and never overwrites a file', async () => {
  const k = await call(core, 'bundles.exportPublicKey', {});
  assert.equal(k.fingerprint, built.publicKeyFingerprint);
  assert.equal(k.pem, await fs.readFile(path.join(built.folder, 'public-key.pem'), 'utf8'));
  const file = path.join(work.dir, '公钥 key.pem');
  assert.equal((await call(core, 'bundles.exportPublicKey', { outFile: file })).path, file);
  await assert.rejects(call(core, 'bundles.exportPublicKey', { outFile: file }), /already exists/);
  // The private key stays in the library, readable by its owner only.
  const st = await fs.stat(path.join(env.libraryDir, 'keys', 'bundle-signing-ed25519.pem'));
  assert.equal(st.mode & 0o077, 0);
});
