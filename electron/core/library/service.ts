import fs from 'node:fs/promises';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ProofmarkError, type CallContext, type ImageItem, type ImportItem, type ImportResult, type ProvenanceEvent, type VerifyLibraryResult, type VerifyProblem } from '../../contract/index.ts';
import { canonicalExtension, looksLikeImageName } from '../imaging/format.ts';
import { makeThumbnail, probeImage } from '../imaging/probe.ts';
import { readMetadata } from '../imaging/metadata.ts';
import { collectFiles } from '../jobs/walk.ts';
import { runBatch } from '../jobs/batch.ts';
import type { Db } from './db.ts';
import { ImageRepository, type ListFilter } from './repository.ts';
import { ProvenanceLog } from './provenance.ts';
import { BlobStore, sha256, sha256File } from './store.ts';

/** Follow-up work for what an import added (Find fingerprints whatever has no fingerprint yet). */
export type ImportHook = () => void;

export interface LibraryServiceOptions {
  db: Db;
  root: string;
  pixelLimit: number;
  /** Files in flight at once during import. */
  concurrency: number;
}

/** The newest event's id and hash, kept outside the database (see anchorHead). */
const HEAD_FILE = 'provenance-head.json';

/** Largest file import will read into memory. */
const MAX_FILE_BYTES = 1024 * 1024 * 1024;

export class LibraryService {
  readonly images: ImageRepository;
  readonly events: ProvenanceLog;
  readonly originals: BlobStore;
  readonly thumbs: BlobStore;
  readonly root: string;
  private readonly db: Db;
  private readonly opts: LibraryServiceOptions;
  private readonly hooks: ImportHook[] = [];

  constructor(opts: LibraryServiceOptions) {
    this.opts = opts;
    this.db = opts.db;
    this.root = opts.root;
    this.images = new ImageRepository(opts.db);
    this.events = new ProvenanceLog(opts.db);
    this.originals = new BlobStore(path.join(opts.root, 'originals'));
    this.thumbs = new BlobStore(path.join(opts.root, 'thumbs'));
  }

  /** Follow-up work for new images starts after the import, so it never slows the import down. */
  onImportFinished(hook: ImportHook): void {
    this.hooks.push(hook);
  }

  /** Starts the follow-up work that earlier imports left undone (an app closed mid-way, a new fingerprint version). */
  resumeFollowUps(): void {
    for (const hook of this.hooks) hook();
  }

  /**
   * Bring store and database back into agreement after a crash: temp files go, and a stored
   * original without its row (killed between write and commit) is removed; the next import
   * of that file stores it again.
   */
  async open(): Promise<{ removedOrphans: number; removedTemp: number }> {
    await Promise.all([this.originals.init(), this.thumbs.init()]);
    const removedTemp = (await this.originals.sweepTemp()) + (await this.thumbs.sweepTemp());
    for (const name of await fs.readdir(this.root)) {
      if (name.startsWith(`${HEAD_FILE}.tmp-`)) await fs.rm(path.join(this.root, name), { force: true });
    }
    if (this.readHead() === 'missing') this.anchorHead();
    const stored = this.images.allStored();
    const known = new Set(stored.map((r) => r.storedName));
    const knownShas = new Set(stored.map((r) => r.sha256));
    let removedOrphans = 0;
    for (const name of await this.originals.list()) {
      if (!known.has(name)) {
        await this.originals.remove(name);
        removedOrphans++;
      }
    }
    for (const name of await this.thumbs.list()) {
      if (!knownShas.has(name.split('.')[0]!)) await this.thumbs.remove(name);
    }
    return { removedOrphans, removedTemp };
  }

  originalPath(id: number): string {
    const name = this.images.storedName(id);
    if (!name) throw new ProofmarkError('not_found', `There is no image #${id} in the library.`);
    return this.originals.pathFor(name);
  }

  thumbnailPath(item: Pick<ImageItem, 'sha256'>): string {
    return this.thumbs.pathFor(`${item.sha256}.webp`);
  }

  get(id: number): { item: ImageItem; history: ProvenanceEvent[] } {
    const item = this.images.byId(id);
    if (!item) throw new ProofmarkError('not_found', `There is no image #${id} in the library.`);
    return { item, history: this.events.forImage(id) };
  }

  list(filter: ListFilter) {
    return this.images.list(filter);
  }

  /** Record an action on an image (exported, watermarked, checked, bundled, …). */
  record(imageId: number | null, type: string, data: Record<string, unknown>): ProvenanceEvent {
    const event = this.db.transaction(() => this.events.append(imageId, type, data))();
    this.anchorHead();
    return event;
  }

  /**
   * The hash chain shows any change inside the log, but not events removed from its end or a
   * chain rewritten from scratch; a copy of the newest event's id and hash outside the database
   * shows those. Written after each commit, and once after a whole import: a crash in between
   * leaves it behind, which verify accepts (that event still exists with that hash).
   */
  private anchorHead(): void {
    const head = this.events.head();
    if (!head) return;
    const file = path.join(this.root, HEAD_FILE);
    writeFileSync(`${file}.tmp-${process.pid}`, JSON.stringify(head));
    renameSync(`${file}.tmp-${process.pid}`, file);
  }

  private readHead(): { eventId: number; hash: string } | 'missing' | 'unreadable' {
    let text: string;
    try {
      text = readFileSync(path.join(this.root, HEAD_FILE), 'utf8');
    } catch {
      return 'missing';
    }
    try {
      const head = JSON.parse(text) as { eventId?: unknown; hash?: unknown };
      return Number.isInteger(head.eventId) && typeof head.hash === 'string' ? { eventId: head.eventId as number, hash: head.hash } : 'unreadable';
    } catch {
      return 'unreadable';
    }
  }

  update(id: number, patch: { title?: string | undefined; tags?: string[] | undefined; collection?: string | null | undefined; notes?: string | undefined }): ImageItem {
    const before = this.get(id).item;
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    if (patch.title !== undefined && patch.title !== before.title) changes.title = { from: before.title, to: patch.title };
    if (patch.collection !== undefined && patch.collection !== before.collection) changes.collection = { from: before.collection, to: patch.collection };
    if (patch.notes !== undefined && patch.notes !== before.notes) changes.notes = { from: before.notes, to: patch.notes };
    if (patch.tags !== undefined) {
      const tags = [...new Set(patch.tags.map((t) => t.trim()).filter(Boolean))].sort();
      if (tags.join('\n') !== before.tags.join('\n')) changes.tags = { from: before.tags, to: tags };
      patch = { ...patch, tags };
    }
    if (Object.keys(changes).length === 0) return before;
    this.db.transaction(() => {
      this.images.update(id, patch);
      this.events.append(id, 'edited', { changes });
    })();
    this.anchorHead();
    return this.get(id).item;
  }

  async import(paths: string[], recursive: boolean, ctx: CallContext): Promise<ImportResult> {
    const walked = await collectFiles(paths, { recursive, accept: looksLikeImageName });
    const result: ImportResult = { imported: [], existing: [], errors: [...walked.errors] };
    // One file more in flight than the CPU lanes: each also waits on the disk (two flushed writes).
    const outcomes = await runBatch(
      walked.files,
      { concurrency: this.opts.concurrency + 1, signal: ctx.signal, progress: ctx.progress, label: (f) => f.path, phase: 'import' },
      (file) => this.importOne(file.path),
    );
    for (const o of outcomes) {
      if (!o.ok) result.errors.push(o.wording ? { path: o.item.path, error: o.error, wording: o.wording } : { path: o.item.path, error: o.error });
      else if (o.value.existing) result.existing.push(o.value.item);
      else result.imported.push(o.value.item);
    }
    if (result.imported.length) {
      // Once per import, not per file: a crash before it leaves the anchor behind, which verify accepts.
      this.anchorHead();
      for (const hook of this.hooks) hook();
    }
    return result;
  }

  private async importOne(file: string): Promise<{ existing: boolean; item: ImportItem }> {
    const stat = await fs.stat(file);
    if (stat.size > MAX_FILE_BYTES) throw new ProofmarkError('too_large', `${file} is ${Math.round(stat.size / 1e6)} MB, over the 1 GB import limit.`).worded('file.over-import-limit', { mb: Math.round(stat.size / 1e6) });
    const bytes = await fs.readFile(file);
    const hash = sha256(bytes);
    const known = this.images.bySha(hash);
    if (known) return { existing: true, item: { id: known.id, sha256: hash, path: file, title: known.title } };

    const probe = await probeImage(bytes, { pixelLimit: this.opts.pixelLimit, name: path.basename(file) });
    const storedName = `${hash}.${canonicalExtension(probe.format)}`;
    // The original is written while the thumbnail decodes; if the decode finds the file damaged,
    // the stored copy is taken out again (the same bytes fail the same way in every lane).
    const [thumb, metadata, stored] = await Promise.allSettled([
      makeThumbnail(bytes, { pixelLimit: this.opts.pixelLimit }),
      readMetadata(bytes),
      this.originals.put(storedName, bytes),
    ]);
    const failed = [thumb, metadata, stored].find((r) => r.status === 'rejected');
    if (failed || thumb.status !== 'fulfilled' || metadata.status !== 'fulfilled') {
      if (stored.status === 'fulfilled') await this.originals.remove(storedName);
      throw (failed as PromiseRejectedResult).reason;
    }
    await this.thumbs.put(`${hash}.webp`, thumb.value, 0o644);

    const title = path.basename(file).replace(/\.[^.]+$/, '');
    const importedAt = new Date().toISOString();
    // Another lane may have stored the same bytes meanwhile: the UNIQUE sha256 decides.
    const outcome = this.db.transaction(() => {
      const again = this.images.bySha(hash);
      if (again) return { existing: true, id: again.id, title: again.title };
      const id = this.images.insert({
        sha256: hash, format: probe.format, width: probe.width, height: probe.height, density: probe.density,
        colourSpace: probe.colourSpace, channels: probe.channels, bitDepth: probe.bitDepth, hasAlpha: probe.hasAlpha,
        hasIcc: probe.hasIcc, byteSize: bytes.length, metadata: metadata.value, sourcePath: file, storedName, importedAt, title,
      });
      this.events.append(id, 'imported', { sha256: hash, sourcePath: file, byteSize: bytes.length, format: probe.format });
      return { existing: false, id, title };
    })();
    return { existing: outcome.existing, item: { id: outcome.id, sha256: hash, path: file, title: outcome.title } };
  }

  async verify(ctx: CallContext): Promise<VerifyLibraryResult> {
    const problems: VerifyProblem[] = [];
    const integrity = this.db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') problems.push({ kind: 'integrity', message: `The database failed its integrity check: ${String(integrity)}` });
    const rows = this.images.allStored();
    const outcomes = await runBatch(rows, { concurrency: 2, signal: ctx.signal, progress: ctx.progress, label: (r) => `#${r.id}`, phase: 'verify' }, async (r) => {
      const file = this.originals.pathFor(r.storedName);
      try {
        return (await sha256File(file)) === r.sha256 ? null : ({ kind: 'file_changed', imageId: r.id, path: file, message: `Image #${r.id}: the stored original was changed (its SHA-256 no longer matches).` } as VerifyProblem);
      } catch {
        return { kind: 'file_missing', imageId: r.id, path: file, message: `Image #${r.id}: the stored original is missing.` } as VerifyProblem;
      }
    });
    for (const o of outcomes) {
      if (!o.ok) problems.push({ kind: 'file_missing', imageId: o.item.id, message: `Image #${o.item.id}: ${o.error}` });
      else if (o.value) problems.push(o.value);
    }
    const known = new Set(rows.map((r) => r.storedName));
    for (const name of await this.originals.list()) {
      if (!known.has(name)) problems.push({ kind: 'file_unexpected', path: this.originals.pathFor(name), message: `${name} is in the store but not in the library database.` });
    }
    const chain = this.events.verify();
    for (const p of chain.problems) problems.push({ kind: p.kind, eventId: p.eventId, message: p.message });
    const head = this.readHead();
    if (head === 'unreadable') problems.push({ kind: 'head_mismatch', message: `${HEAD_FILE}, the record of the newest event kept outside the database, is unreadable.` });
    else if (head !== 'missing') {
      const hash = this.events.hashOf(head.eventId);
      if (hash === null) problems.push({ kind: 'head_mismatch', eventId: head.eventId, message: `Event ${head.eventId} was the newest event and is gone: events were removed from the end of the history.` });
      else if (hash !== head.hash) problems.push({ kind: 'head_mismatch', eventId: head.eventId, message: `Event ${head.eventId} is not the event recorded as the newest one (its hash differs): the history was rewritten.` });
    }
    return { ok: problems.length === 0, imagesChecked: rows.length, eventsChecked: chain.checked, problems };
  }

  getSetting(key: string): string | null {
    return (this.db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(key) as string | undefined) ?? null;
  }

  setSetting(key: string, value: string): void {
    this.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }
}
