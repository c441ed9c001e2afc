import assert from 'node:assert/strict';
import { test } from 'node:test';
import { migrate, openDatabase } from '../../../electron/core/library/db.ts';
import { libraryMigrations } from '../../../electron/core/library/migrations.ts';
import { canonicalJson, GENESIS_HASH, ProvenanceLog } from '../../../electron/core/library/provenance.ts';

function freshLog() {
  const db = openDatabase(':memory:');
  migrate(db, libraryMigrations);
  return { db, log: new ProvenanceLog(db) };
}

test('canonical JSON sorts keys at every depth and drops undefined', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } }), '{"a":{"d":[2,{"y":2,"z":1}]},"b":1}');
});

test('each event links to the hash of the one before it', () => {
  const { log } = freshLog();
  const a = log.append(null, 'imported', { n: 1 });
  const b = log.append(null, 'edited', { n: 2 });
  assert.equal(a.prevHash, GENESIS_HASH);
  assert.equal(b.prevHash, a.hash);
  assert.deepEqual(log.verify(), { checked: 2, problems: [] });
});

test('the log refuses updates and deletes', () => {
  const { db, log } = freshLog();
  log.append(null, 'imported', { n: 1 });
  assert.throws(() => db.prepare("UPDATE events SET type = 'x'").run(), /append-only/);
  assert.throws(() => db.prepare('DELETE FROM events').run(), /append-only/);
});

test('an edited record and a removed record are both detected', () => {
  const { db, log } = freshLog();
  for (let i = 0; i < 4; i++) log.append(null, 'imported', { n: i });
  // Someone with the database file bypasses the triggers.
  db.exec('DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;');
  db.prepare(`UPDATE events SET data_json = '{"n":99}' WHERE id = 2`).run();
  db.prepare('DELETE FROM events WHERE id = 3').run();
  const { problems } = log.verify();
  assert.deepEqual(problems.map((p) => [p.eventId, p.kind]), [[2, 'event_changed'], [4, 'chain_broken'], [4, 'chain_broken']]);
});

test('migrations run once and refuse duplicate ids', () => {
  const db = openDatabase(':memory:');
  assert.deepEqual(migrate(db, libraryMigrations), ['library-001-images-events']);
  assert.deepEqual(migrate(db, libraryMigrations), []);
  assert.throws(() => migrate(db, [...libraryMigrations, ...libraryMigrations]), /listed twice/);
});
