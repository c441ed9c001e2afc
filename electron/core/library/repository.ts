import type { ImageItem, ImageMetadata, StoredDensity, ImageFormat } from '../../contract/index.ts';
import type { Db } from './db.ts';

interface ImageRow {
  id: number;
  sha256: string;
  format: string;
  width: number;
  height: number;
  density_json: string | null;
  colour_space: string;
  channels: number;
  bit_depth: number;
  has_alpha: number;
  has_icc: number;
  byte_size: number;
  metadata_json: string;
  captured_at: string | null;
  source_path: string;
  stored_name: string;
  imported_at: string;
  title: string;
  collection: string | null;
  notes: string;
  tags: string | null;
}

export type NewImage = Omit<ImageItem, 'id' | 'tags' | 'collection' | 'notes'> & { storedName: string };

const SELECT = `SELECT i.*, (SELECT json_group_array(tag) FROM (SELECT tag FROM image_tags t WHERE t.image_id = i.id ORDER BY tag)) AS tags FROM images i`;

function toItem(r: ImageRow): ImageItem {
  return {
    id: r.id,
    sha256: r.sha256,
    format: r.format as ImageFormat,
    width: r.width,
    height: r.height,
    density: r.density_json ? (JSON.parse(r.density_json) as StoredDensity) : null,
    colourSpace: r.colour_space,
    channels: r.channels,
    bitDepth: r.bit_depth,
    hasAlpha: r.has_alpha === 1,
    hasIcc: r.has_icc === 1,
    byteSize: r.byte_size,
    metadata: JSON.parse(r.metadata_json) as ImageMetadata,
    sourcePath: r.source_path,
    importedAt: r.imported_at,
    title: r.title,
    tags: r.tags ? (JSON.parse(r.tags) as string[]) : [],
    collection: r.collection,
    notes: r.notes,
  };
}

export interface ListFilter {
  text?: string | undefined;
  tag?: string | undefined;
  collection?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  offset: number;
  limit: number;
}

/** All SQL about images lives here. */
export class ImageRepository {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  bySha(sha: string): ImageItem | null {
    const r = this.db.prepare(`${SELECT} WHERE i.sha256 = ?`).get(sha) as ImageRow | undefined;
    return r ? toItem(r) : null;
  }

  byId(id: number): ImageItem | null {
    const r = this.db.prepare(`${SELECT} WHERE i.id = ?`).get(id) as ImageRow | undefined;
    return r ? toItem(r) : null;
  }

  storedName(id: number): string | null {
    return (this.db.prepare('SELECT stored_name FROM images WHERE id = ?').pluck().get(id) as string | undefined) ?? null;
  }

  allStored(): { id: number; sha256: string; storedName: string }[] {
    return this.db.prepare('SELECT id, sha256, stored_name AS storedName FROM images ORDER BY id').all() as { id: number; sha256: string; storedName: string }[];
  }

  insert(img: NewImage): number {
    const info = this.db
      .prepare(`INSERT INTO images (sha256, format, width, height, density_json, colour_space, channels, bit_depth, has_alpha, has_icc,
        byte_size, metadata_json, captured_at, source_path, stored_name, imported_at, title)
        VALUES (@sha256, @format, @width, @height, @density, @colourSpace, @channels, @bitDepth, @hasAlpha, @hasIcc,
        @byteSize, @metadata, @capturedAt, @sourcePath, @storedName, @importedAt, @title)`)
      .run({
        sha256: img.sha256, format: img.format, width: img.width, height: img.height,
        density: img.density ? JSON.stringify(img.density) : null, colourSpace: img.colourSpace, channels: img.channels,
        bitDepth: img.bitDepth, hasAlpha: img.hasAlpha ? 1 : 0, hasIcc: img.hasIcc ? 1 : 0, byteSize: img.byteSize,
        metadata: JSON.stringify(img.metadata), capturedAt: img.metadata.capturedAt, sourcePath: img.sourcePath,
        storedName: img.storedName, importedAt: img.importedAt, title: img.title,
      });
    return Number(info.lastInsertRowid);
  }

  update(id: number, patch: { title?: string | undefined; collection?: string | null | undefined; notes?: string | undefined; tags?: string[] | undefined }): void {
    if (patch.title !== undefined) this.db.prepare('UPDATE images SET title = ? WHERE id = ?').run(patch.title, id);
    if (patch.collection !== undefined) this.db.prepare('UPDATE images SET collection = ? WHERE id = ?').run(patch.collection, id);
    if (patch.notes !== undefined) this.db.prepare('UPDATE images SET notes = ? WHERE id = ?').run(patch.notes, id);
    if (patch.tags !== undefined) {
      this.db.prepare('DELETE FROM image_tags WHERE image_id = ?').run(id);
      const add = this.db.prepare('INSERT OR IGNORE INTO image_tags (image_id, tag) VALUES (?, ?)');
      for (const t of patch.tags) add.run(id, t.trim());
    }
  }

  list(f: ListFilter): { items: ImageItem[]; total: number } {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    if (f.text) {
      where.push(`(i.title LIKE @text ESCAPE '\\' OR i.notes LIKE @text ESCAPE '\\' OR i.source_path LIKE @text ESCAPE '\\')`);
      params.text = `%${f.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    }
    if (f.tag) {
      where.push('EXISTS (SELECT 1 FROM image_tags t WHERE t.image_id = i.id AND t.tag = @tag)');
      params.tag = f.tag;
    }
    if (f.collection) {
      where.push('i.collection = @collection');
      params.collection = f.collection;
    }
    // Date filters apply to the capture date when known, else the import date.
    if (f.from) {
      where.push('substr(coalesce(i.captured_at, i.imported_at), 1, 10) >= @from');
      params.from = f.from;
    }
    if (f.to) {
      where.push('substr(coalesce(i.captured_at, i.imported_at), 1, 10) <= @to');
      params.to = f.to;
    }
    const clause = where.length ? ` WHERE ${where.join(' AND ')}` : '';
    const total = this.db.prepare(`SELECT count(*) FROM images i${clause}`).pluck().get(params) as number;
    const rows = this.db.prepare(`${SELECT}${clause} ORDER BY i.id DESC LIMIT @limit OFFSET @offset`).all({ ...params, limit: f.limit, offset: f.offset }) as ImageRow[];
    return { items: rows.map(toItem), total };
  }

  count(): number {
    return this.db.prepare('SELECT count(*) FROM images').pluck().get() as number;
  }
}
