import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CheckReport, FixReport } from '../../../electron/contract/index.ts';
import { runCli } from '../../helpers/cli.ts';
import { copyCorpus, corpusFile, tempDir } from '../../helpers/corpus.ts';

let work: { dir: string; cleanup: () => Promise<void> };
let lib: string;

before(async () => {
  work = await tempDir('proofmark-check-cli-');
  lib = path.join(work.dir, 'library');
});
after(() => work.cleanup());

describe('proofmark check / fix', () => {
  it('exits 0 when every file passes, 1 when any fails, 2 on usage errors', async () => {
    const pass = await runCli(['--library', lib, 'check', corpusFile('wine.jpg'), corpusFile('astronaut.png')]);
    assert.equal(pass.code, 0, pass.stderr);
    assert.match(pass.stdout, /2 files: 2 pass, 0 warn, 0 fail\. Profile cpcc-photo v1\./);

    const fail = await runCli(['--library', lib, 'check', corpusFile('rocket.jpg')]);
    assert.equal(fail.code, 1);
    assert.match(fail.stdout, /FAIL {2}Density: Density is 72 dpi; the rule needs at least 300 dpi\. At 300 dpi this photo prints at 5\.4 x 3\.6 cm\./);

    const unknown = await runCli(['--library', lib, 'check', corpusFile('rocket.jpg'), '--profile', 'nope']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /There is no profile called "nope"/);
    const missing = await runCli(['--library', lib, 'check', path.join(work.dir, 'missing.jpg')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /missing\.jpg does not exist\./);
    const noOut = await runCli(['--library', lib, 'fix', corpusFile('rocket.jpg'), '--profile', 'cpcc-photo']);
    assert.equal(noOut.code, 2);
  });

  it('prints one JSON document with --json, the same answers as the API', async () => {
    const photos = path.join(work.dir, 'photos');
    await copyCorpus(photos, ['kite.jpg', 'colorful-cups.jpg', 'chelsea.png']);
    const r = await runCli(['--library', lib, '--json', 'check', photos, '--profile', 'cpcc-photo']);
    assert.equal(r.code, 1);
    const report = JSON.parse(r.stdout) as CheckReport;
    assert.deepEqual(report.files.map((f) => [f.name, f.verdict]), [['chelsea.png', 'fail'], ['colorful-cups.jpg', 'pass'], ['kite.jpg', 'fail']]);

    const out = path.join(work.dir, 'out');
    const fixed = await runCli(['--library', lib, '--json', 'fix', photos, '--profile', 'cpcc-photo', '--out', out]);
    assert.equal(fixed.code, 0, fixed.stderr);
    const fr = JSON.parse(fixed.stdout) as FixReport;
    assert.deepEqual(fr.summary, { total: 3, fixed: 2, unchanged: 1, planned: 0, failed: 0, stillFailing: 0 });
    assert.deepEqual((await fs.readdir(out)).sort(), ['chelsea.png', 'kite.jpg']);
    const recheck = await runCli(['--library', lib, 'check', out]);
    assert.equal(recheck.code, 0, recheck.stdout);
  });
});
