import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { call, testCore } from '../../helpers/core.ts';
import { tempDir } from '../../helpers/corpus.ts';
import { makeScan, TEST_ID_NUMBER } from '../../helpers/bundles.ts';

test('people profiles: ID number stored for the documents, returned only masked; scans copied into the library', async (t) => {
  const env = await testCore();
  const { dir, cleanup } = await tempDir();
  t.after(async () => { await env.close(); await cleanup(); });
  const scan = await makeScan(path.join(dir, '我的 证件', '身份证 反面.jpg'));
  const saved = await call(env.core, 'bundles.people.save', { name: '李四', idNumber: TEST_ID_NUMBER, roles: ['owner'], addScans: [scan] });
  assert.equal(saved.idNumberMasked, '11************002X');
  assert.equal(saved.hasIdNumber, true);
  assert.equal(saved.idScans.length, 1);
  assert.equal(saved.idScans[0]!.name, '身份证 反面.jpg');
  assert.ok(!JSON.stringify(saved).includes(TEST_ID_NUMBER), 'the full number is never returned');
  const stored = path.join(env.libraryDir, 'people', 'scans', `${saved.idScans[0]!.sha256}.jpg`);
  assert.deepEqual(await fs.readFile(stored), await fs.readFile(scan));

  // An edit without idNumber keeps the stored number; list filters by role.
  const edited = await call(env.core, 'bundles.people.save', { id: saved.id, phone: '13900000000' });
  assert.equal(edited.phone, '13900000000');
  assert.equal(edited.idNumberMasked, saved.idNumberMasked);
  assert.equal(edited.name, '李四');
  assert.equal((await call(env.core, 'bundles.people.list', { role: 'owner' })).people.length, 1);
  assert.equal((await call(env.core, 'bundles.people.list', { role: 'agent' })).people.length, 0);
  assert.ok(!JSON.stringify(await call(env.core, 'bundles.people.list', {})).includes(TEST_ID_NUMBER));

  // No log or history anywhere holds the number.
  const events = env.core.deps.db.prepare('SELECT data_json FROM events').pluck().all() as string[];
  assert.ok(!events.some((e) => e.includes(TEST_ID_NUMBER)));

  // Removing the last scan and deleting the profile remove the stored copy.
  await call(env.core, 'bundles.people.save', { id: saved.id, removeScans: [saved.idScans[0]!.sha256] });
  await assert.rejects(fs.access(stored));
  assert.deepEqual(await call(env.core, 'bundles.people.delete', { id: saved.id }), { deleted: true });
  assert.equal((await call(env.core, 'bundles.people.list', {})).people.length, 0);
});

test('a bad ID scan is refused with a clear error and changes nothing', async (t) => {
  const env = await testCore();
  const { dir, cleanup } = await tempDir();
  t.after(async () => { await env.close(); await cleanup(); });
  const text = path.join(dir, 'scan.jpg');
  await fs.writeFile(text, 'not an image');
  await assert.rejects(call(env.core, 'bundles.people.save', { name: '王五', addScans: [text] }), /not a JPEG, PNG or PDF/);
  await assert.rejects(call(env.core, 'bundles.people.save', { name: '王五', addScans: [path.join(dir, 'missing.png')] }), /does not exist/);
  await assert.rejects(call(env.core, 'bundles.people.save', { idNumber: '1' }), /needs a name/);
  await assert.rejects(call(env.core, 'bundles.people.save', { id: 99, name: 'x' }), /no person #99/);
  assert.equal((await call(env.core, 'bundles.people.list', {})).people.length, 0);
});
