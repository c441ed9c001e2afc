import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { runCli } from '../../helpers/cli.ts';
import { corpusFile, tempDir } from '../../helpers/corpus.ts';

let work: { dir: string; cleanup: () => Promise<void> };
let lib: string;

before(async () => {
  work = await tempDir('proofmark-find-cli-');
  lib = path.join(work.dir, 'library');
  for (const n of ['chelsea.png', 'coffee.png']) await fs.copyFile(corpusFile(n), path.join(work.dir, n));
  const imported = await runCli(['--library', lib, 'import', path.join(work.dir, 'chelsea.png'), path.join(work.dir, 'coffee.png')]);
  assert.equal(imported.code, 0, imported.stderr);
});
after(() => work.cleanup());

describe('proofmark find', () => {
  it('exits 0 with the original as JSON when a copy matches, 1 when nothing does, 2 on usage errors', async () => {
    const copy = path.join(work.dir, 'copy.jpg');
    await sharp(corpusFile('coffee.png')).flop().resize(240).jpeg({ quality: 70 }).toFile(copy);
    const hit = await runCli(['--library', lib, '--json', 'find', copy]);
    assert.equal(hit.code, 0, hit.stderr);
    const json = JSON.parse(hit.stdout) as { matches: { id: number; sha256: string; title: string; score: number; transform: { flip: boolean; scale: number } }[]; threshold: number; summary: string };
    assert.equal(json.matches.length, 1);
    assert.equal(json.matches[0]!.title, 'coffee');
    assert.match(json.matches[0]!.sha256, /^[0-9a-f]{64}$/);
    assert.ok(json.matches[0]!.score >= json.threshold);
    assert.ok(json.matches[0]!.transform.flip);
    assert.ok(Math.abs(json.matches[0]!.transform.scale - 0.4) < 0.03);

    const text = await runCli(['--library', lib, 'find', copy]);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /^This is your photo #\d+ "coffee" .*mirrored.*% match\./);

    const none = await runCli(['--library', lib, 'find', corpusFile('rocket.jpg')]);
    assert.equal(none.code, 1);
    assert.match(none.stdout, /No match in your library \(2 pictures searched\)/);

    const missing = await runCli(['--library', lib, 'find', path.join(work.dir, 'missing.jpg')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /missing\.jpg does not exist\./);
    const noArg = await runCli(['--library', lib, 'find']);
    assert.equal(noArg.code, 2);
  });

  it('backfill and duplicates run as sub-commands', async () => {
    const b = await runCli(['--library', lib, '--json', 'find', 'backfill']);
    assert.equal(b.code, 0, b.stderr);
    assert.deepEqual(JSON.parse(b.stdout), { fingerprinted: 0, alreadyDone: 2, failed: [] });
    const d = await runCli(['--library', lib, 'find', 'duplicates']);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /No duplicates among 2 fingerprinted items\./);
  });
});
