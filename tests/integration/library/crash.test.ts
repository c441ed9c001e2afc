import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { createCore } from '../../../electron/core/index.ts';
import { runCli } from '../../helpers/cli.ts';
import { tempDir } from '../../helpers/corpus.ts';
import { makePhotoSet } from '../../helpers/photos.ts';

/** Storage and database agree: every row has its file and every stored file has its row. */
async function assertConsistent(libraryDir: string) {
  const db = new Database(path.join(libraryDir, 'library.sqlite'), { readonly: true });
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  db.close();
  // Opening the core runs the start-up reconciliation, as the next start of the app would.
  const core = await createCore({ libraryDir });
  try {
    const rows = core.deps.library.images.allStored();
    const files = new Set(await core.deps.library.originals.list());
    for (const r of rows) assert.ok(files.has(r.storedName), `row #${r.id} has no stored file`);
    assert.equal(files.size, rows.length, 'a stored file without its row');
    assert.equal((await core.deps.library.verify({ signal: new AbortController().signal, progress: () => {} })).ok, true);
    return rows.length;
  } finally {
    await core.close();
  }
}

test('SIGKILL at random moments of a 200-file import leaves a consistent library, and the import completes on re-run', { timeout: 240_000 }, async () => {
  const { dir, cleanup } = await tempDir();
  const photos = path.join(dir, 'photos');
  const libraryDir = path.join(dir, 'library');
  await makePhotoSet(photos, 200, { maxSide: 480 });
  let seed = 20261122;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const stored: number[] = [];
  // Kill once this run has stored something new (start-up time varies with machine load), at a
  // different point each time, early enough that files are still left to import.
  const storedFiles = () => {
    const originals = path.join(libraryDir, 'originals');
    if (!existsSync(originals)) return 0;
    return readdirSync(originals, { recursive: true }).filter((name) => String(name).includes('.')).length;
  };
  for (let round = 0; round < 12 && stored.length < 4; round++) {
    const delay = Math.floor(random() * 300);
    const before = storedFiles();
    const run = await runCli(['import', photos, '--library', libraryDir, '--json'], {
      onSpawn: (child) => {
        const poll = setInterval(() => {
          if (storedFiles() <= before) return;
          clearInterval(poll);
          setTimeout(() => child.kill('SIGKILL'), delay);
        }, 20);
        child.once('exit', () => clearInterval(poll));
      },
    });
    const count = await assertConsistent(libraryDir);
    if (run.signal === 'SIGKILL' && count < 200) stored.push(count);
  }
  assert.ok(stored.length >= 4, `expected four runs killed mid-import, got ${stored.length}`);
  assert.ok(stored.some((n) => n > 0), `some kill should land after files were stored (${stored.join(', ')})`);
  const final = await runCli(['import', photos, '--library', libraryDir, '--json']);
  assert.equal(final.code, 0, final.stderr);
  const result = JSON.parse(final.stdout) as { imported: unknown[]; existing: unknown[]; errors: unknown[] };
  assert.equal(result.imported.length + result.existing.length, 200);
  assert.equal(await assertConsistent(libraryDir), 200);
  await fs.rm(photos, { recursive: true });
  await cleanup();
});
