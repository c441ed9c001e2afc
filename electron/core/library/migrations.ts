import type { Migration } from './db.ts';

export const libraryMigrations: Migration[] = [
  {
    id: 'library-001-images-events',
    up: `
      CREATE TABLE images (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,
        format TEXT NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        density_json TEXT,
        colour_space TEXT NOT NULL,
        channels INTEGER NOT NULL,
        bit_depth INTEGER NOT NULL,
        has_alpha INTEGER NOT NULL,
        has_icc INTEGER NOT NULL,
        byte_size INTEGER NOT NULL,
        metadata_json TEXT NOT NULL,
        captured_at TEXT,
        source_path TEXT NOT NULL,
        stored_name TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        title TEXT NOT NULL,
        collection TEXT,
        notes TEXT NOT NULL DEFAULT ''
      ) STRICT;
      CREATE INDEX images_imported_at ON images(imported_at);
      CREATE INDEX images_title ON images(title COLLATE NOCASE);

      CREATE TABLE image_tags (
        image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        PRIMARY KEY (image_id, tag)
      ) STRICT;
      CREATE INDEX image_tags_tag ON image_tags(tag);

      -- Append-only provenance log; each record carries the hash of the one before.
      CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        image_id INTEGER REFERENCES images(id),
        type TEXT NOT NULL,
        at TEXT NOT NULL,
        data_json TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE
      ) STRICT;
      CREATE INDEX events_image ON events(image_id);
      CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'provenance events are append-only'); END;
      CREATE TRIGGER events_no_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'provenance events are append-only'); END;

      -- Small key/value settings of the library (keys, owner id, …).
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;
    `,
  },
];
