import { createHash } from 'node:crypto';
import type { ProvenanceEvent } from '../../contract/index.ts';
import type { Db } from './db.ts';

export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted, so a record hashes the same wherever it is re-serialised. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function eventHash(e: Omit<ProvenanceEvent, 'hash'>): string {
  return createHash('sha256')
    .update(canonicalJson({ id: e.id, imageId: e.imageId, type: e.type, at: e.at, data: e.data, prevHash: e.prevHash }))
    .digest('hex');
}

interface EventRow {
  id: number;
  image_id: number | null;
  type: string;
  at: string;
  data_json: string;
  prev_hash: string;
  hash: string;
}

function fromRow(r: EventRow): ProvenanceEvent {
  return { id: r.id, imageId: r.image_id, type: r.type, at: r.at, data: JSON.parse(r.data_json), prevHash: r.prev_hash, hash: r.hash };
}

/** The append-only, hash-chained log. Call `append` inside the caller's transaction. */
export class ProvenanceLog {
  private readonly db: Db;
  private readonly now: () => Date;
  constructor(db: Db, now: () => Date = () => new Date()) {
    this.db = db;
    this.now = now;
  }

  append(imageId: number | null, type: string, data: Record<string, unknown>): ProvenanceEvent {
    const last = this.db.prepare('SELECT id, hash FROM events ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string } | undefined;
    const partial = {
      id: (last?.id ?? 0) + 1,
      imageId,
      type,
      at: this.now().toISOString(),
      // Round-trip so the hashed data is exactly what will be read back.
      data: JSON.parse(canonicalJson(data)) as Record<string, unknown>,
      prevHash: last?.hash ?? GENESIS_HASH,
    };
    const event = { ...partial, hash: eventHash(partial) };
    this.db
      .prepare('INSERT INTO events (id, image_id, type, at, data_json, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(event.id, event.imageId, event.type, event.at, canonicalJson(event.data), event.prevHash, event.hash);
    return event;
  }

  forImage(imageId: number): ProvenanceEvent[] {
    return (this.db.prepare('SELECT * FROM events WHERE image_id = ? ORDER BY id').all(imageId) as EventRow[]).map(fromRow);
  }

  /** The newest event's id and hash (null for an empty log). */
  head(): { eventId: number; hash: string } | null {
    const row = this.db.prepare('SELECT id, hash FROM events ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string } | undefined;
    return row ? { eventId: row.id, hash: row.hash } : null;
  }

  hashOf(eventId: number): string | null {
    return (this.db.prepare('SELECT hash FROM events WHERE id = ?').pluck().get(eventId) as string | undefined) ?? null;
  }

  count(): number {
    return this.db.prepare('SELECT count(*) FROM events').pluck().get() as number;
  }

  /** Walk the whole chain; every broken link or altered record is reported. */
  verify(): { checked: number; problems: { eventId: number; kind: 'chain_broken' | 'event_changed'; message: string }[] } {
    const problems: { eventId: number; kind: 'chain_broken' | 'event_changed'; message: string }[] = [];
    let prev = GENESIS_HASH;
    let expectedId = 1;
    let checked = 0;
    for (const row of this.db.prepare('SELECT * FROM events ORDER BY id').iterate() as IterableIterator<EventRow>) {
      checked++;
      const e = fromRow(row);
      if (e.id !== expectedId) {
        problems.push({ eventId: e.id, kind: 'chain_broken', message: `Event ${expectedId} is missing before event ${e.id}.` });
      }
      if (e.prevHash !== prev) {
        problems.push({ eventId: e.id, kind: 'chain_broken', message: `Event ${e.id} does not follow the event before it (its previous-hash does not match).` });
      }
      if (eventHash(e) !== e.hash) {
        problems.push({ eventId: e.id, kind: 'event_changed', message: `Event ${e.id} (${e.type}) was changed after it was written (its hash does not match its content).` });
      }
      prev = e.hash;
      expectedId = e.id + 1;
    }
    return { checked, problems };
  }
}
