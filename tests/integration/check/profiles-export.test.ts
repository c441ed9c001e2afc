import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Profile, type ProfileInput } from '../../../electron/contract/index.ts';
import { builtInProfiles } from '../../../electron/core/compliance/profiles.ts';
import { csvCell } from '../../../electron/core/compliance/report.ts';
import { corpusFile, tempDir } from '../../helpers/corpus.ts';
import { call, testCore } from '../../helpers/core.ts';

let env: Awaited<ReturnType<typeof testCore>>;
let work: { dir: string; cleanup: () => Promise<void> };
const resources = path.resolve(import.meta.dirname, '..', '..', '..', 'resources');

before(async () => {
  env = await testCore();
  work = await tempDir('proofmark-profiles-');
});
after(async () => {
  await env.close();
  await work.cleanup();
});

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string; issues?: { path: string; message: string }[] }> {
  try {
    await p;
  } catch (err) {
    return (err as { info: { code: string; message: string } }).info;
  }
  throw new Error('expected the call to fail');
}

describe('shipped profiles', () => {
  it('are valid, versioned, and name a source for every rule', () => {
    const ids = builtInProfiles(resources).map((e) => e.profile.id);
    assert.deepEqual(ids, ['amazon-main', 'cpcc-art', 'cpcc-photo', 'marketplace-main', 'usco-group-photo']);
    for (const { profile } of builtInProfiles(resources)) {
      assert.ok(profile.version >= 1);
      for (const r of profile.rules) assert.ok(profile.sources.some((s) => s.id === r.source), `${profile.id}/${r.id}`);
    }
  });

  it('keep the CPCC size cap as an unconfirmed 2 MB setting and amazon-main free of visible marks', () => {
    const cpcc = builtInProfiles(resources).find((e) => e.profile.id === 'cpcc-photo')!.profile;
    const cap = cpcc.rules.find((r) => r.kind === 'maxFileSize');
    assert.deepEqual(cap && cap.kind === 'maxFileSize' ? [cap.bytes, cap.confirmed] : null, [2 * 1024 * 1024, false]);
    const density = cpcc.rules.find((r) => r.kind === 'minDensity');
    assert.deepEqual(density && density.kind === 'minDensity' ? [density.dpi, density.confirmed] : null, [300, true]);
    const amazon = builtInProfiles(resources).find((e) => e.profile.id === 'amazon-main')!.profile;
    assert.equal(amazon.exports.visibleWatermark, false);
  });
});

describe('user copies of profiles', () => {
  it('can be saved, listed, versioned, used and deleted', async () => {
    const cpcc = (await call(env.core, 'check.profiles', {})).profiles.find((p) => p.profile.id === 'cpcc-photo')!.profile;
    const copy: ProfileInput = { ...cpcc, id: 'my-cpcc', basedOn: 'cpcc-photo', name: { en: 'My CPCC', zh: '我的' }, rules: cpcc.rules.map((r) => (r.kind === 'minDensity' ? { ...r, dpi: 72 } : r)) };
    const saved = await call(env.core, 'check.saveProfile', { profile: copy });
    assert.deepEqual([saved.builtIn, saved.profile.version], [false, 1]);
    const again = await call(env.core, 'check.saveProfile', { profile: copy });
    assert.equal(again.profile.version, 2);
    const listed = (await call(env.core, 'check.profiles', {})).profiles.map((p) => [p.profile.id, p.builtIn]);
    assert.deepEqual(listed.at(-1), ['my-cpcc', false]);
    const r = await call(env.core, 'check.run', { paths: [corpusFile('rocket.jpg')], profileId: 'my-cpcc' });
    assert.equal(r.files[0]!.verdict, 'pass');
    assert.deepEqual(r.profile, { id: 'my-cpcc', version: 2, name: 'My CPCC', nameZh: '我的' });
    assert.deepEqual(await call(env.core, 'check.deleteProfile', { id: 'my-cpcc' }), { deleted: true });
    assert.equal((await failure(call(env.core, 'check.run', { paths: [corpusFile('rocket.jpg')], profileId: 'my-cpcc' }))).code, 'invalid_input');
  });

  it('cannot replace or delete a shipped profile', async () => {
    const cpcc = (await call(env.core, 'check.profiles', {})).profiles.find((p) => p.profile.id === 'cpcc-photo')!.profile;
    const e = await failure(call(env.core, 'check.saveProfile', { profile: cpcc }));
    assert.equal(e.code, 'conflict');
    assert.match(e.message, /save your copy under another id, e\.g\. my-cpcc-photo/);
    assert.equal((await failure(call(env.core, 'check.deleteProfile', { id: 'cpcc-photo' }))).code, 'forbidden');
  });

  it('are validated with messages a person can act on', async () => {
    const cpcc = (await call(env.core, 'check.profiles', {})).profiles.find((p) => p.profile.id === 'cpcc-photo')!.profile;
    const bad = { ...cpcc, id: 'Bad Id', rules: [{ id: 'density', kind: 'minDensity', dpi: 0, source: 'nowhere' }] };
    const e = await failure(call(env.core, 'check.saveProfile', { profile: bad as unknown as ProfileInput }));
    assert.equal(e.code, 'invalid_input');
    const messages = e.issues!.map((i) => `${i.path}: ${i.message}`);
    assert.ok(messages.includes('profile.id: a profile id uses 2 to 48 lowercase letters, digits and dashes, like my-cpcc-photo'), messages.join('\n'));
    assert.ok(messages.includes('profile.rules.0.dpi: the density must be at least 1'), messages.join('\n'));
    const noSource = Profile.safeParse({ ...cpcc, id: 'x-copy', rules: [{ id: 'density', kind: 'minDensity', dpi: 300, source: 'nowhere' }] });
    assert.equal(noSource.success, false);
    assert.match(noSource.error!.issues[0]!.message, /names source "nowhere", which is not in the profile's sources/);
  });
});

describe('exported reports', () => {
  it('writes CSV (one row per file, a status and reason per rule) and JSON, never over an existing file', async () => {
    const report = await call(env.core, 'check.run', { paths: [corpusFile('rocket.jpg'), corpusFile('astronaut.png')], profileId: 'cpcc-photo' });
    const target = path.join(work.dir, 'report.csv');
    await fs.writeFile(target, 'keep me');
    const csv = await call(env.core, 'check.exportReport', { report, format: 'csv', path: target });
    assert.equal(csv.path, path.join(work.dir, 'report (1).csv'));
    assert.equal(await fs.readFile(target, 'utf8'), 'keep me');
    const text = await fs.readFile(csv.path, 'utf8');
    assert.ok(text.startsWith('\ufeff'));
    const lines = text.slice(1).trim().split('\r\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, /^file,path,image id,verdict,fixable,format,extension,width,height,dpi,/);
    assert.match(lines[0]!, /Density \(density\),Density reason/);
    assert.match(lines[1]!, /^rocket\.jpg,.*,fail,yes,jpeg,jpg,640,427,72,.*,fail,Density is 72 dpi; the rule needs at least 300 dpi\. At 300 dpi this photo prints at 5\.4 x 3\.6 cm\./);
    const json = await call(env.core, 'check.exportReport', { report, format: 'json' });
    assert.ok(json.path.startsWith(path.join(env.libraryDir, 'reports')));
    assert.deepEqual(JSON.parse(await fs.readFile(json.path, 'utf8')), report);
  });

  it('quotes cells and defuses spreadsheet formulas', () => {
    assert.equal(csvCell('a,b'), '"a,b"');
    assert.equal(csvCell('say "hi"'), '"say ""hi"""');
    assert.equal(csvCell('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
    assert.equal(csvCell('-1'), "'-1");
    assert.equal(csvCell(null), '');
  });
});
