import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ProofmarkError, PersonFields, type IdScan, type Person, type PersonRole } from '../../contract/index.ts';
import type { z } from 'zod';
import type { Db } from '../library/db.ts';

type Fields = z.output<typeof PersonFields>;

/** A person with everything the documents need, including the full ID number. Never logged or returned. */
export interface FullPerson extends Fields {
  id: number | null;
  scans: { path: string; name: string; sha256: string | null; mime: string }[];
}

/** "11**************34": enough to recognise the document, useless to anyone else. */
export function maskId(id: string): string {
  if (!id) return '';
  if (id.length <= 4) return '*'.repeat(id.length);
  const head = id.length >= 10 ? 2 : 0;
  return id.slice(0, head) + '*'.repeat(id.length - head - 4) + id.slice(-4);
}

export function idTail(id: string): string {
  return id.length > 4 ? id.slice(-4) : '';
}

/** GB 11643-1999: 17 digits and a check character computed from them. */
export function validResidentId(id: string): boolean {
  if (!/^\d{17}[\dX]$/i.test(id)) return false;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = weights.reduce((s, w, i) => s + w * Number(id[i]), 0);
  return '10X98765432'[sum % 11] === id[17]!.toUpperCase();
}

const SCAN_LIMIT = 20 * 1024 * 1024;

/** JPEG, PNG or PDF by their first bytes; null for anything else. */
export function sniffScan(head: Uint8Array): { mime: string; ext: string } | null {
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return { mime: 'image/jpeg', ext: 'jpg' };
  if (head[0] === 0x89 && head[1] === 0x50 && head[2] === 0x4e && head[3] === 0x47) return { mime: 'image/png', ext: 'png' };
  if (head[0] === 0x25 && head[1] === 0x50 && head[2] === 0x44 && head[3] === 0x46) return { mime: 'application/pdf', ext: 'pdf' };
  return null;
}

/** Reads and checks one ID scan; the error names the file and what is wrong with it. */
export async function readScan(file: string): Promise<{ bytes: Buffer; mime: string; ext: string }> {
  let st;
  try {
    st = await fs.stat(file);
  } catch {
    throw new ProofmarkError('not_found', `The ID scan ${file} does not exist.`).worded('bundle.scan-missing', { file });
  }
  if (!st.isFile()) throw new ProofmarkError('invalid_input', `The ID scan ${file} is not a file.`).worded('bundle.scan-not-file', { file });
  if (st.size > SCAN_LIMIT) {
    const mb = (st.size / 1024 / 1024).toFixed(1);
    throw new ProofmarkError('too_large', `The ID scan ${file} is ${mb} MB; scans may be at most 20 MB.`).worded('bundle.scan-too-large', { file, mb });
  }
  const bytes = await fs.readFile(file);
  const kind = sniffScan(bytes.subarray(0, 8));
  if (!kind) throw new ProofmarkError('unsupported_format', `The ID scan ${file} is not a JPEG, PNG or PDF file.`).worded('bundle.scan-format', { file });
  return { bytes, ...kind };
}

interface PersonRow {
  id: number;
  data_json: string;
  id_number: string;
  created_at: string;
  updated_at: string;
}
interface ScanRow {
  sha256: string;
  name: string;
  byte_size: number;
  mime: string;
  stored_name: string;
}

export class PeopleService {
  private readonly db: Db;
  private readonly scanDir: string;
  constructor(db: Db, libraryDir: string) {
    this.db = db;
    this.scanDir = path.join(libraryDir, 'people', 'scans');
  }

  private scans(personId: number): ScanRow[] {
    return this.db.prepare('SELECT sha256, name, byte_size, mime, stored_name FROM bundle_person_scans WHERE person_id = ? ORDER BY position').all(personId) as ScanRow[];
  }

  private toPerson(row: PersonRow): Person {
    const data = PersonFields.parse(JSON.parse(row.data_json));
    const scans: IdScan[] = this.scans(row.id).map((s) => ({ sha256: s.sha256, name: s.name, byteSize: s.byte_size, mime: s.mime }));
    const { idNumber: _never, ...rest } = data;
    return { id: row.id, ...rest, idNumberMasked: maskId(row.id_number), hasIdNumber: row.id_number.length > 0, idScans: scans, createdAt: row.created_at, updatedAt: row.updated_at };
  }

  private row(id: number): PersonRow {
    const row = this.db.prepare('SELECT * FROM bundle_people WHERE id = ?').get(id) as PersonRow | undefined;
    if (!row) throw new ProofmarkError('not_found', `There is no person #${id}; "proofmark call bundles.people.list" shows the saved profiles.`);
    return row;
  }

  list(role?: PersonRole): Person[] {
    const rows = this.db.prepare('SELECT * FROM bundle_people ORDER BY id').all() as PersonRow[];
    return rows.map((r) => this.toPerson(r)).filter((p) => !role || p.roles.includes(role));
  }

  get(id: number): Person {
    return this.toPerson(this.row(id));
  }

  /** The full record for building documents (with the ID number and scan paths). */
  full(id: number): FullPerson {
    const row = this.row(id);
    const data = PersonFields.parse(JSON.parse(row.data_json));
    return {
      ...data,
      idNumber: row.id_number,
      id,
      scans: this.scans(id).map((s) => ({ path: path.join(this.scanDir, s.stored_name), name: s.name, sha256: s.sha256, mime: s.mime })),
    };
  }

  async save(input: Partial<Fields> & { id?: number | undefined; addScans: string[]; removeScans: string[] }): Promise<Person> {
    const { id, addScans, removeScans, idNumber, ...patch } = input;
    const before = id !== undefined ? this.row(id) : null;
    const merged = PersonFields.parse({ ...(before ? JSON.parse(before.data_json) : {}), ...stripUndefined(patch) });
    if (!merged.name) throw new ProofmarkError('invalid_input', 'A person needs a name (as on the ID or business licence).', [{ path: 'name', message: 'required' }]);
    const { idNumber: _ignored, ...data } = merged;
    const number = idNumber !== undefined ? idNumber.trim() : before?.id_number ?? '';
    // Read every new scan before changing anything, so a bad file changes nothing.
    const scans = await Promise.all(addScans.map(async (p) => ({ p, ...(await readScan(p)) })));
    await fs.mkdir(this.scanDir, { recursive: true });
    const stored: ScanRow[] = [];
    for (const s of scans) {
      const sha = crypto.createHash('sha256').update(s.bytes).digest('hex');
      const storedName = `${sha}.${s.ext}`;
      const target = path.join(this.scanDir, storedName);
      try {
        await fs.writeFile(target, s.bytes, { flag: 'wx', mode: 0o444 });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      stored.push({ sha256: sha, name: path.basename(s.p), byte_size: s.bytes.length, mime: s.mime, stored_name: storedName });
    }
    const now = new Date().toISOString();
    const personId = this.db.transaction(() => {
      let pid: number;
      if (before) {
        this.db.prepare('UPDATE bundle_people SET data_json = ?, id_number = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(data), number, now, before.id);
        pid = before.id;
      } else {
        pid = Number(this.db.prepare('INSERT INTO bundle_people (data_json, id_number, created_at, updated_at) VALUES (?, ?, ?, ?)').run(JSON.stringify(data), number, now, now).lastInsertRowid);
      }
      const del = this.db.prepare('DELETE FROM bundle_person_scans WHERE person_id = ? AND sha256 = ?');
      for (const sha of removeScans) del.run(pid, sha);
      let pos = (this.db.prepare('SELECT COALESCE(MAX(position), 0) FROM bundle_person_scans WHERE person_id = ?').pluck().get(pid) as number) + 1;
      const ins = this.db.prepare('INSERT OR IGNORE INTO bundle_person_scans (person_id, sha256, name, byte_size, mime, stored_name, position) VALUES (?, ?, ?, ?, ?, ?, ?)');
      for (const s of stored) ins.run(pid, s.sha256, s.name, s.byte_size, s.mime, s.stored_name, pos++);
      return pid;
    })();
    await this.sweepScans();
    return this.get(personId);
  }

  async delete(id: number): Promise<boolean> {
    this.row(id);
    this.db.prepare('DELETE FROM bundle_people WHERE id = ?').run(id);
    await this.sweepScans();
    return true;
  }

  /** Removes stored scans no profile refers to any more. */
  private async sweepScans(): Promise<void> {
    const used = new Set(this.db.prepare('SELECT DISTINCT stored_name FROM bundle_person_scans').pluck().all() as string[]);
    let names: string[];
    try {
      names = await fs.readdir(this.scanDir);
    } catch {
      return;
    }
    for (const n of names) if (!used.has(n)) await fs.rm(path.join(this.scanDir, n), { force: true });
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
