import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { runCli } from '../../helpers/cli.ts';
import { copyCorpus, tempDir } from '../../helpers/corpus.ts';

test('import, list, show and verify-library through the proofmark command', { timeout: 120_000 }, async () => {
  const { dir, cleanup } = await tempDir();
  const photos = path.join(dir, 'photos with spaces 中文');
  const library = path.join(dir, 'lib');
  await copyCorpus(photos, ['rocket.jpg', 'coffee.png', 'kite.jpg']);
  await fs.writeFile(path.join(photos, 'broken.jpg'), 'not a photo');

  const imported = await runCli(['import', photos, '--library', library, '--json']);
  assert.equal(imported.code, 1, 'a file that could not be imported makes the exit code 1');
  const doc = JSON.parse(imported.stdout) as { imported: { id: number; sha256: string; path: string }[]; existing: unknown[]; errors: { path: string; error: string }[] };
  assert.equal(doc.imported.length, 3);
  assert.match(doc.imported[0]!.sha256, /^[0-9a-f]{64}$/);
  assert.ok(doc.imported.every((i) => i.path.startsWith(photos)));
  assert.deepEqual(doc.errors.map((e) => path.basename(e.path)), ['broken.jpg']);

  // PROOFMARK_LIBRARY stands in for --library.
  const again = await runCli(['import', path.join(photos, 'rocket.jpg'), '--json'], { env: { PROOFMARK_LIBRARY: library } });
  assert.equal(again.code, 0, again.stderr);
  assert.equal((JSON.parse(again.stdout) as { existing: unknown[] }).existing.length, 1);

  const list = JSON.parse((await runCli(['list', '--library', library, '--json'])).stdout) as { total: number; items: { id: number; title: string }[] };
  assert.equal(list.total, 3);
  const kite = list.items.find((i) => i.title === 'kite')!;
  const show = JSON.parse((await runCli(['show', String(kite.id), '--library', library, '--json'])).stdout) as { item: { density: { unit: string } }; history: { type: string }[] };
  assert.equal(show.item.density.unit, 'none');
  assert.deepEqual(show.history.map((e) => e.type), ['imported']);

  const ok = await runCli(['verify-library', '--library', library, '--json']);
  assert.equal(ok.code, 0, ok.stdout);
  assert.equal((JSON.parse(ok.stdout) as { ok: boolean }).ok, true);

  // Rewrite history behind the app's back: verify must say which event and exit 1.
  const db = new Database(path.join(library, 'library.sqlite'));
  db.exec('DROP TRIGGER events_no_update');
  db.prepare(`UPDATE events SET data_json = replace(data_json, 'kite', 'kote') WHERE image_id = ?`).run(kite.id);
  db.close();
  const bad = await runCli(['verify-library', '--library', library]);
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /Event \d+ \(imported\) was changed after it was written/);

  const usage = await runCli(['show', 'abc', '--library', library]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /"abc" is not an image id/);
  const missing = await runCli(['show', '999', '--library', library]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no image #999/);
  await cleanup();
});
