import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ProofmarkError, WatermarkDesign, type WatermarkDesignInput, type WatermarkPreset } from '../../../contract/index.ts';
import type { Db } from '../../library/db.ts';
import type { Migration } from '../../library/db.ts';
import { inspectLogo, loadLogo, MAX_LOGO_BYTES } from './logo.ts';
import { describeFsError } from './output.ts';

const STARTERS: { name: string; design: WatermarkDesignInput }[] = [
  {
    name: 'Corner © owner',
    design: { text: { content: '© {year} {owner}' }, size: 3.5, opacity: 0.8, shadow: { opacity: 0.5, blur: 5, offset: 3 }, layout: { mode: 'single', anchor: 'bottom-right', margin: 3 } },
  },
  {
    name: '版权所有 角标',
    design: { text: { content: '{owner} 版权所有', weight: 'bold' }, size: 3.5, opacity: 0.75, outline: { colour: '#000000', width: 5 }, layout: { mode: 'single', anchor: 'bottom-left', margin: 3 } },
  },
  {
    name: 'Diagonal tiles',
    design: { text: { content: '{owner}' }, size: 5, opacity: 0.22, outline: { colour: '#000000', width: 3 }, layout: { mode: 'tile', spacing: 12, angle: -30, stagger: true } },
  },
];

export const watermarkMigrations: Migration[] = [
  {
    id: 'watermark-001-presets',
    up: (db) => {
      db.exec(`
        CREATE TABLE watermark_presets (
          name TEXT PRIMARY KEY COLLATE NOCASE,
          design_json TEXT NOT NULL,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL
        ) STRICT;
        -- Logos used by saved presets, by content hash, so a preset keeps working when the file moves.
        CREATE TABLE watermark_logos (
          sha256 TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          bytes BLOB NOT NULL,
          added_at TEXT NOT NULL
        ) STRICT;
      `);
      const now = new Date().toISOString();
      const insert = db.prepare('INSERT INTO watermark_presets (name, design_json, created_at, updated_at) VALUES (?, ?, ?, ?)');
      for (const s of STARTERS) insert.run(s.name, JSON.stringify(WatermarkDesign.parse(s.design)), now, now);
    },
  },
];

export const PRESET_FILE_FORMAT = 'proofmark-watermark-presets';
const MAX_PRESET_FILE = 64 * 1024 * 1024;

interface PresetRow {
  name: string;
  design_json: string;
  created_at: string;
  updated_at: string;
}

interface PresetFile {
  format: string;
  version: number;
  exportedAt: string;
  presets: { name: string; design: unknown }[];
  logos: Record<string, { name: string; data: string }>;
}

/** Saved designs and their logos, in the library database. */
export class PresetStore {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  list(): WatermarkPreset[] {
    const rows = this.db.prepare('SELECT * FROM watermark_presets ORDER BY name COLLATE NOCASE').all() as PresetRow[];
    return rows.map(toPreset);
  }

  get(name: string): WatermarkPreset {
    const row = this.db.prepare('SELECT * FROM watermark_presets WHERE name = ?').get(name) as PresetRow | undefined;
    if (!row) {
      const names = this.list().map((p) => `"${p.name}"`).join(', ');
      throw new ProofmarkError('not_found', `There is no watermark preset called "${name}"${names ? `; saved presets: ${names}` : ''}.`);
    }
    return toPreset(row);
  }

  logo(sha256: string): { name: string; bytes: Buffer } | null {
    return (this.db.prepare('SELECT name, bytes FROM watermark_logos WHERE sha256 = ?').get(sha256) as { name: string; bytes: Buffer } | undefined) ?? null;
  }

  /** Stores a file logo with the presets and returns the design pointing at the stored copy. */
  private async storeLogo(design: WatermarkDesign): Promise<WatermarkDesign> {
    if (!design.logo || design.logo.ref.startsWith('sha256:')) {
      if (design.logo) await loadLogo(design.logo.ref, (sha) => this.logo(sha));
      return design;
    }
    const logo = await loadLogo(design.logo.ref, (sha) => this.logo(sha));
    this.db.prepare('INSERT OR IGNORE INTO watermark_logos (sha256, name, bytes, added_at) VALUES (?, ?, ?, ?)').run(logo.sha256, logo.name, logo.bytes, new Date().toISOString());
    return { ...design, logo: { ...design.logo, ref: `sha256:${logo.sha256}` } };
  }

  async save(name: string, design: WatermarkDesign, overwrite: boolean): Promise<WatermarkPreset> {
    const stored = await this.storeLogo(design);
    const now = new Date().toISOString();
    const existing = this.db.prepare('SELECT * FROM watermark_presets WHERE name = ?').get(name) as PresetRow | undefined;
    if (existing && !overwrite) throw new ProofmarkError('conflict', `A preset called "${existing.name}" already exists; choose another name or overwrite it.`);
    if (existing) this.db.prepare('UPDATE watermark_presets SET design_json = ?, updated_at = ? WHERE name = ?').run(JSON.stringify(stored), now, name);
    else this.db.prepare('INSERT INTO watermark_presets (name, design_json, created_at, updated_at) VALUES (?, ?, ?, ?)').run(name, JSON.stringify(stored), now, now);
    return this.get(name);
  }

  delete(name: string): { deleted: string } {
    const preset = this.get(name);
    this.db.prepare('DELETE FROM watermark_presets WHERE name = ?').run(name);
    return { deleted: preset.name };
  }

  async exportTo(file: string, names: string[] | undefined, overwrite: boolean): Promise<{ path: string; count: number }> {
    const presets = names?.length ? names.map((n) => this.get(n)) : this.list();
    if (!presets.length) throw new ProofmarkError('invalid_input', 'There are no presets to export.');
    const logos: PresetFile['logos'] = {};
    for (const p of presets) {
      const ref = p.design.logo?.ref;
      if (ref?.startsWith('sha256:')) {
        const sha = ref.slice('sha256:'.length);
        const logo = this.logo(sha);
        if (logo) logos[sha] = { name: logo.name, data: logo.bytes.toString('base64') };
      }
    }
    const doc: PresetFile = { format: PRESET_FILE_FORMAT, version: 1, exportedAt: new Date().toISOString(), presets: presets.map((p) => ({ name: p.name, design: p.design })), logos };
    const target = path.resolve(file);
    if (!overwrite) {
      const exists = await fs.stat(target).then(() => true, () => false);
      if (exists) throw new ProofmarkError('conflict', `${target} already exists; choose another file name or allow overwriting.`);
    }
    const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(4).toString('hex')}.proofmark-part`);
    try {
      await fs.writeFile(temp, `${JSON.stringify(doc, null, 2)}\n`);
      await fs.rename(temp, target);
    } catch (err) {
      await fs.rm(temp, { force: true });
      throw new ProofmarkError('io_error', describeFsError(err, `Writing ${target}`));
    }
    return { path: target, count: presets.length };
  }

  /** Reads a presets file; every preset is checked before anything is saved (all or nothing). */
  async importFrom(file: string, onConflict: 'rename' | 'replace' | 'skip'): Promise<{ imported: string[]; renamed: { from: string; to: string }[]; skipped: string[] }> {
    let text: string;
    try {
      const stat = await fs.stat(file);
      if (stat.size > MAX_PRESET_FILE) throw new ProofmarkError('too_large', `${file} is ${Math.round(stat.size / 1e6)} MB; a presets file is at most ${MAX_PRESET_FILE / 1e6} MB.`);
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      if (err instanceof ProofmarkError) throw err;
      throw new ProofmarkError((err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not_found' : 'io_error', describeFsError(err, `Reading ${file}`).replace('the folder does not exist', 'the file does not exist'));
    }
    let doc: Partial<PresetFile>;
    try {
      doc = JSON.parse(text) as Partial<PresetFile>;
    } catch (err) {
      throw new ProofmarkError('invalid_input', `${file} is not JSON (${(err as Error).message}).`);
    }
    if (!doc || doc.format !== PRESET_FILE_FORMAT || !Array.isArray(doc.presets)) {
      throw new ProofmarkError('invalid_input', `${file} is not a ProofMark presets file (expected "format": "${PRESET_FILE_FORMAT}" and a "presets" list).`);
    }
    if (doc.version !== 1) throw new ProofmarkError('invalid_input', `${file} has presets format version ${String(doc.version)}; this ProofMark reads version 1.`);
    const logos = new Map<string, { name: string; bytes: Buffer }>();
    for (const [sha, l] of Object.entries(doc.logos ?? {})) {
      if (typeof l?.data !== 'string' || l.data.length > (MAX_LOGO_BYTES * 4) / 3 + 4) throw new ProofmarkError('invalid_input', `The logo ${sha} in ${file} is missing or too large.`);
      const logo = await inspectLogo(Buffer.from(l.data, 'base64'), typeof l.name === 'string' ? l.name : 'logo');
      if (logo.sha256 !== sha) throw new ProofmarkError('invalid_input', `The logo ${sha} in ${file} does not match its SHA-256 (the file was edited or damaged).`);
      logos.set(sha, { name: logo.name, bytes: logo.bytes });
    }
    const incoming: { name: string; design: WatermarkDesign }[] = [];
    doc.presets.forEach((p, i) => {
      const name = typeof p?.name === 'string' ? p.name.trim() : '';
      if (!name || name.length > 100) throw new ProofmarkError('invalid_input', `Preset ${i + 1} in ${file} has no usable name (1–100 characters).`);
      const parsed = WatermarkDesign.safeParse(p.design);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ProofmarkError('invalid_input', `Preset "${name}" in ${file} is not a valid design: ${issue ? `${issue.path.join('.') || 'design'}: ${issue.message}` : 'not accepted'}.`);
      }
      const ref = parsed.data.logo?.ref;
      if (ref && !ref.startsWith('sha256:')) throw new ProofmarkError('invalid_input', `Preset "${name}" in ${file} points at a logo file on another machine (${ref}); export it again from ProofMark.`);
      if (ref && !logos.has(ref.slice(7)) && !this.logo(ref.slice(7))) throw new ProofmarkError('invalid_input', `Preset "${name}" in ${file} needs the logo ${ref}, which the file does not contain.`);
      incoming.push({ name, design: parsed.data });
    });

    const result = { imported: [] as string[], renamed: [] as { from: string; to: string }[], skipped: [] as string[] };
    const now = new Date().toISOString();
    this.db.transaction(() => {
      const addLogo = this.db.prepare('INSERT OR IGNORE INTO watermark_logos (sha256, name, bytes, added_at) VALUES (?, ?, ?, ?)');
      for (const [sha, l] of logos) addLogo.run(sha, l.name, l.bytes, now);
      const exists = (n: string) => Boolean(this.db.prepare('SELECT 1 FROM watermark_presets WHERE name = ?').get(n));
      for (const p of incoming) {
        let name = p.name;
        if (exists(name)) {
          if (onConflict === 'skip') {
            result.skipped.push(name);
            continue;
          }
          if (onConflict === 'rename') {
            let i = 2;
            while (exists(`${p.name} (${i})`)) i++;
            name = `${p.name} (${i})`;
            result.renamed.push({ from: p.name, to: name });
          } else {
            this.db.prepare('DELETE FROM watermark_presets WHERE name = ?').run(name);
          }
        }
        this.db.prepare('INSERT INTO watermark_presets (name, design_json, created_at, updated_at) VALUES (?, ?, ?, ?)').run(name, JSON.stringify(p.design), now, now);
        result.imported.push(name);
      }
    })();
    return result;
  }
}

function toPreset(r: PresetRow): WatermarkPreset {
  // Stored designs are re-read through the schema so older rows pick up new defaults.
  return { name: r.name, design: WatermarkDesign.parse(JSON.parse(r.design_json)), createdAt: r.created_at, updatedAt: r.updated_at };
}
