import fs from 'node:fs';
import path from 'node:path';
import { Profile, ProofmarkError, type ProfileEntry } from '../../contract/index.ts';
import type { Db, Migration } from '../library/db.ts';

export const profileMigrations: Migration[] = [
  {
    id: 'check-001-profiles',
    up: `
      -- Users' copies of rule profiles (the shipped ones live in resources/profiles).
      CREATE TABLE check_profiles (
        id TEXT PRIMARY KEY,
        json TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
    `,
  },
];

const builtInCache = new Map<string, ProfileEntry[]>();

/** The profiles shipped in `<resources>/profiles/*.json`, validated with the same schema as user copies. */
export function builtInProfiles(resourcesDir: string): ProfileEntry[] {
  const dir = path.join(resourcesDir, 'profiles');
  const cached = builtInCache.get(dir);
  if (cached) return cached;
  const entries = fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()
    .map((n) => {
      const parsed = Profile.safeParse(JSON.parse(fs.readFileSync(path.join(dir, n), 'utf8')));
      if (!parsed.success) throw new ProofmarkError('internal', `The shipped profile ${n} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      if (`${parsed.data.id}.json` !== n) throw new ProofmarkError('internal', `The shipped profile ${n} has the id ${parsed.data.id}; the file must be named after it.`);
      return { profile: parsed.data, builtIn: true, updatedAt: null };
    });
  builtInCache.set(dir, entries);
  return entries;
}

export class ProfileStore {
  private readonly db: Db;
  private readonly resourcesDir: string;
  constructor(db: Db, resourcesDir: string) {
    this.db = db;
    this.resourcesDir = resourcesDir;
  }

  list(): ProfileEntry[] {
    const rows = this.db.prepare('SELECT json, updated_at FROM check_profiles ORDER BY id').all() as { json: string; updated_at: string }[];
    const users = rows.flatMap((r) => {
      // A copy saved by an older version that no longer validates is left out rather than breaking the list.
      const parsed = Profile.safeParse(JSON.parse(r.json));
      return parsed.success ? [{ profile: parsed.data, builtIn: false, updatedAt: r.updated_at }] : [];
    });
    return [...builtInProfiles(this.resourcesDir), ...users];
  }

  get(id: string): Profile {
    const found = this.list().find((e) => e.profile.id === id);
    if (!found) {
      const ids = this.list().map((e) => e.profile.id).join(', ');
      throw new ProofmarkError('invalid_input', `There is no profile called "${id}". Choose one of: ${ids}.`, [{ path: 'profileId', message: `unknown profile; choose one of ${ids}` }]);
    }
    return found.profile;
  }

  /** Saves a user copy; its version becomes one more than the stored (or copied) one. */
  save(profile: Profile): ProfileEntry {
    if (builtInProfiles(this.resourcesDir).some((e) => e.profile.id === profile.id)) {
      throw new ProofmarkError('conflict', `"${profile.id}" is a profile shipped with ProofMark and cannot be changed; save your copy under another id, e.g. my-${profile.id}.`, [{ path: 'profile.id', message: 'choose an id that is not a shipped profile' }]);
    }
    const stored = this.db.prepare('SELECT json FROM check_profiles WHERE id = ?').pluck().get(profile.id) as string | undefined;
    const previous = stored ? (JSON.parse(stored) as { version?: number }).version ?? 0 : 0;
    const saved: Profile = { ...profile, version: Math.max(previous, profile.version) + (stored ? 1 : 0) };
    const updatedAt = new Date().toISOString();
    this.db
      .prepare('INSERT INTO check_profiles (id, json, updated_at) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json, updated_at = excluded.updated_at')
      .run(saved.id, JSON.stringify(saved), updatedAt);
    return { profile: saved, builtIn: false, updatedAt };
  }

  delete(id: string): boolean {
    if (builtInProfiles(this.resourcesDir).some((e) => e.profile.id === id)) {
      throw new ProofmarkError('forbidden', `"${id}" is shipped with ProofMark and cannot be deleted.`);
    }
    return this.db.prepare('DELETE FROM check_profiles WHERE id = ?').run(id).changes > 0;
  }
}
