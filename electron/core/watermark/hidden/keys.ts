/**
 * Owner keys of the hidden mark: a 32-bit owner id and a 256-bit secret. The library's own key is
 * generated on first use; keys of other machines (or a restored backup) are imported. Every key
 * stored is used for detection; the own key is the one used for embedding.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ProofmarkError } from '../../../contract/errors.ts';
import type { Db, Migration } from '../../library/db.ts';

export const hiddenKeyMigrations: Migration[] = [
  {
    id: 'hidden-001-keys',
    up: `
      -- Owner keys of the hidden mark (secret as 64 hex digits). Exactly one row has own = 1 once created.
      CREATE TABLE hidden_keys (
        owner_id INTEGER PRIMARY KEY,
        secret_hex TEXT NOT NULL,
        own INTEGER NOT NULL DEFAULT 0,
        label TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;
    `,
  },
];

export interface OwnerKey {
  ownerId: number;
  secret: Uint8Array;
  own: boolean;
  label: string;
  /** 'generated' or 'imported'. */
  source: string;
  createdAt: string;
}

export const KEY_FORMAT = 'proofmark-hidden-key';

interface Row {
  owner_id: number;
  secret_hex: string;
  own: number;
  label: string;
  source: string;
  created_at: string;
}

const fromRow = (r: Row): OwnerKey => ({ ownerId: r.owner_id, secret: new Uint8Array(Buffer.from(r.secret_hex, 'hex')), own: r.own === 1, label: r.label, source: r.source, createdAt: r.created_at });

/** Short fingerprint of a key (first 8 hex digits of SHA-256 of the secret): shown, never the secret. */
export function keyFingerprint(secret: Uint8Array): string {
  return createHash('sha256').update('proofmark-hidden-v1:fingerprint:').update(secret).digest('hex').slice(0, 16);
}

export class HiddenKeyStore {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  all(): OwnerKey[] {
    return (this.db.prepare('SELECT * FROM hidden_keys ORDER BY own DESC, created_at').all() as Row[]).map(fromRow);
  }

  own(): OwnerKey | null {
    const r = this.db.prepare('SELECT * FROM hidden_keys WHERE own = 1').get() as Row | undefined;
    return r ? fromRow(r) : null;
  }

  /** The own key, generated (random owner id, random secret) on first use. */
  ensureOwn(): OwnerKey {
    const existing = this.own();
    if (existing) return existing;
    return this.db.transaction(() => {
      const again = this.own();
      if (again) return again;
      const taken = this.db.prepare('SELECT 1 FROM hidden_keys WHERE owner_id = ?').pluck();
      let ownerId = randomBytes(4).readUInt32BE(0);
      while (ownerId === 0 || taken.get(ownerId)) ownerId = randomBytes(4).readUInt32BE(0);
      const secret = randomBytes(32);
      this.db
        .prepare('INSERT INTO hidden_keys (owner_id, secret_hex, own, label, source, created_at) VALUES (?, ?, 1, ?, ?, ?)')
        .run(ownerId, secret.toString('hex'), 'This library', 'generated', new Date().toISOString());
      return this.own()!;
    })();
  }

  /** A key backup as text (JSON): whoever holds it can mark images in this owner's name. */
  exportText(ownerId?: number): string {
    const key = ownerId === undefined ? this.ensureOwn() : this.all().find((k) => k.ownerId === ownerId);
    if (!key) throw new ProofmarkError('not_found', `No hidden-mark key with owner id ${ownerId} in this library.`);
    const body = { format: KEY_FORMAT, version: 1, ownerId: key.ownerId, secret: Buffer.from(key.secret).toString('hex'), label: key.label, createdAt: key.createdAt };
    const check = keyFingerprint(key.secret);
    return `${JSON.stringify({ ...body, check }, null, 2)}\n`;
  }

  /**
   * Imports a key backup. It becomes the own (embedding) key when `useForEmbedding` is set or the
   * library has no own key yet; otherwise it is used for detection only.
   */
  importText(text: string, opts: { useForEmbedding?: boolean; label?: string } = {}): { key: OwnerKey; added: boolean } {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ProofmarkError('invalid_input', 'This is not a ProofMark hidden-mark key backup (it is not JSON).');
    }
    const p = parsed as Record<string, unknown>;
    if (!p || typeof p !== 'object' || p.format !== KEY_FORMAT) throw new ProofmarkError('invalid_input', `This is not a ProofMark hidden-mark key backup (format must be "${KEY_FORMAT}").`);
    if (p.version !== 1) throw new ProofmarkError('invalid_input', `Key backup version ${String(p.version)} is not supported (this ProofMark reads version 1).`);
    const ownerId = p.ownerId;
    if (typeof ownerId !== 'number' || !Number.isInteger(ownerId) || ownerId < 1 || ownerId > 0xffffffff) throw new ProofmarkError('invalid_input', 'The key backup has no valid owner id (a whole number from 1 to 4294967295).');
    if (typeof p.secret !== 'string' || !/^[0-9a-f]{64}$/.test(p.secret)) throw new ProofmarkError('invalid_input', 'The key backup has no valid secret (64 hexadecimal digits).');
    const secret = new Uint8Array(Buffer.from(p.secret, 'hex'));
    if (typeof p.check === 'string' && p.check !== keyFingerprint(secret)) throw new ProofmarkError('invalid_input', 'The key backup is damaged: its check value does not match the secret.');
    return this.db.transaction(() => {
      const existing = this.all().find((k) => k.ownerId === ownerId);
      if (existing && Buffer.from(existing.secret).toString('hex') !== p.secret) {
        throw new ProofmarkError('conflict', `A different key with owner id ${ownerId} is already in this library; remove it first or import another backup.`);
      }
      const makeOwn = opts.useForEmbedding === true || !this.own();
      const label = opts.label ?? (makeOwn ? 'This library (restored backup)' : typeof p.label === 'string' && !p.label.startsWith('This library') ? p.label : `Imported owner ${ownerId}`);
      if (makeOwn) this.db.prepare('UPDATE hidden_keys SET own = 0 WHERE own = 1').run();
      if (existing) {
        if (makeOwn) this.db.prepare('UPDATE hidden_keys SET own = 1 WHERE owner_id = ?').run(ownerId);
      } else {
        this.db
          .prepare('INSERT INTO hidden_keys (owner_id, secret_hex, own, label, source, created_at) VALUES (?, ?, ?, ?, ?, ?)')
          .run(ownerId, p.secret, makeOwn ? 1 : 0, label, 'imported', typeof p.createdAt === 'string' ? p.createdAt : new Date().toISOString());
      }
      return { key: this.all().find((k) => k.ownerId === ownerId)!, added: !existing };
    })();
  }
}
