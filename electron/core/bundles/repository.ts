import type { BundleKind, BundleRecord, BundleStatus } from '../../contract/index.ts';
import type { Db, Migration } from '../library/db.ts';

export const bundlesMigrations: Migration[] = [
  {
    id: 'bundles-001-people-bundles-evidence',
    up: `
      -- People named in bundles. The ID number has its own column so it is never part of a JSON
      -- blob that might be logged or returned; results carry it masked.
      CREATE TABLE bundle_people (
        id INTEGER PRIMARY KEY,
        data_json TEXT NOT NULL,
        id_number TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
      CREATE TABLE bundle_person_scans (
        person_id INTEGER NOT NULL REFERENCES bundle_people(id) ON DELETE CASCADE,
        sha256 TEXT NOT NULL,
        name TEXT NOT NULL,
        byte_size INTEGER NOT NULL,
        mime TEXT NOT NULL,
        stored_name TEXT NOT NULL,
        position INTEGER NOT NULL,
        PRIMARY KEY (person_id, sha256)
      ) STRICT;
      CREATE TABLE bundles (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('registration', 'complaint')),
        title TEXT NOT NULL,
        created_at TEXT NOT NULL,
        folder TEXT NOT NULL,
        zip TEXT NOT NULL,
        manifest_sha256 TEXT NOT NULL,
        image_ids_json TEXT NOT NULL,
        meta_json TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'unverified',
        checked_at TEXT
      ) STRICT;
      CREATE INDEX bundles_created ON bundles(created_at);
      -- Screenshots and suspect files taken into custody: hashed on arrival.
      CREATE TABLE bundle_evidence (
        sha256 TEXT PRIMARY KEY,
        stored_name TEXT NOT NULL,
        original_path TEXT NOT NULL,
        byte_size INTEGER NOT NULL,
        format TEXT NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        captured_at TEXT NOT NULL,
        captured_source TEXT NOT NULL,
        received_at TEXT NOT NULL
      ) STRICT;
    `,
  },
];

interface BundleRow {
  id: string;
  kind: BundleKind;
  title: string;
  created_at: string;
  folder: string;
  zip: string;
  manifest_sha256: string;
  image_ids_json: string;
  meta_json: string;
  status: BundleStatus;
  checked_at: string | null;
}

export interface NewBundle {
  id: string;
  kind: BundleKind;
  title: string;
  createdAt: string;
  folder: string;
  zip: string;
  manifestSha256: string;
  imageIds: number[];
  meta: Record<string, unknown>;
}

export class BundleRepository {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  insert(b: NewBundle): void {
    this.db.prepare(`INSERT INTO bundles (id, kind, title, created_at, folder, zip, manifest_sha256, image_ids_json, meta_json, status, checked_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'intact', ?)`)
      .run(b.id, b.kind, b.title, b.createdAt, b.folder, b.zip, b.manifestSha256, JSON.stringify(b.imageIds), JSON.stringify(b.meta), b.createdAt);
  }

  list(kind?: BundleKind): (Omit<BundleRecord, 'folderExists' | 'zipExists'> & { meta: Record<string, unknown> })[] {
    const rows = (kind
      ? this.db.prepare('SELECT * FROM bundles WHERE kind = ? ORDER BY created_at DESC').all(kind)
      : this.db.prepare('SELECT * FROM bundles ORDER BY created_at DESC').all()) as BundleRow[];
    return rows.map((r) => ({
      bundleId: r.id, kind: r.kind, title: r.title, createdAt: r.created_at, folder: r.folder, zip: r.zip,
      imageIds: JSON.parse(r.image_ids_json) as number[], status: r.status, checkedAt: r.checked_at,
      meta: JSON.parse(r.meta_json) as Record<string, unknown>,
    }));
  }

  /** Records the outcome of verifying a bundle's folder or ZIP (matched by path). */
  setStatus(target: string, status: BundleStatus, at: string): void {
    this.db.prepare('UPDATE bundles SET status = ?, checked_at = ? WHERE folder = ? OR zip = ?').run(status, at, target, target);
  }
}
