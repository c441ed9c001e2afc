import type { Db } from '../library/db.ts';
import { decodeFingerprint, encodeFingerprint, type StoredFingerprint } from './codec.ts';

/** Fingerprints of library originals, one row per image (SQLite). */
export class FingerprintRepository {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  put(imageId: number, fp: StoredFingerprint): void {
    this.db
      .prepare(`INSERT INTO find_fingerprints (image_id, version, hash, data, computed_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT(image_id) DO UPDATE SET version = excluded.version, hash = excluded.hash, data = excluded.data, computed_at = excluded.computed_at`)
      .run(imageId, fp.version, Buffer.from(fp.hash.buffer, fp.hash.byteOffset, fp.hash.byteLength), encodeFingerprint(fp), new Date().toISOString());
  }

  get(imageId: number): StoredFingerprint | null {
    const blob = this.db.prepare('SELECT data FROM find_fingerprints WHERE image_id = ?').pluck().get(imageId) as Buffer | undefined;
    return blob ? decodeFingerprint(blob) : null;
  }

  count(version: number): number {
    return this.db.prepare('SELECT COUNT(*) FROM find_fingerprints WHERE version = ?').pluck().get(version) as number;
  }

  /** Library items with no fingerprint of this version (all items when `all`). */
  missing(version: number, all = false): number[] {
    const sql = all
      ? 'SELECT id FROM images ORDER BY id'
      : 'SELECT i.id FROM images i LEFT JOIN find_fingerprints f ON f.image_id = i.id AND f.version = ? WHERE f.image_id IS NULL ORDER BY i.id';
    return (all ? this.db.prepare(sql).pluck().all() : this.db.prepare(sql).pluck().all(version)) as number[];
  }

  /** Every current fingerprint, one at a time (for building the in-memory index). */
  *each(version: number): Generator<{ id: number; fp: StoredFingerprint }> {
    for (const row of this.db.prepare('SELECT image_id, data FROM find_fingerprints WHERE version = ? ORDER BY image_id').iterate(version) as Iterable<{ image_id: number; data: Buffer }>) {
      yield { id: row.image_id, fp: decodeFingerprint(row.data) };
    }
  }
}
