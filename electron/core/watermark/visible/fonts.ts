import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundledFonts, ProofmarkError, type FontId } from '../../../contract/index.ts';

/**
 * sharp draws SVG text with librsvg → pango → fontconfig. Fontconfig reads its configuration once
 * per process, at the first text render, from FONTCONFIG_FILE. We point it at resources/fonts only:
 * a mark then looks the same on every machine, and a broken bundle shows up as an error instead of
 * a silent fallback to some system font.
 */
let configured: string | null = null;

function fontsConf(fontsDir: string, cacheDir: string): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <dir>${esc(fontsDir)}</dir>
  <cachedir>${esc(cacheDir)}</cachedir>
  <config><rescan><int>0</int></rescan></config>
</fontconfig>
`;
}

/** Writes fonts.conf (once per process) and sets FONTCONFIG_FILE before any text is drawn. */
export function ensureFontconfig(resourcesDir: string): void {
  const fontsDir = path.resolve(resourcesDir, 'fonts');
  if (configured) return;
  const existing = process.env.FONTCONFIG_FILE;
  if (existing && !existing.includes('proofmark-fontconfig')) {
    // Someone (a packager, a test) chose a configuration on purpose: respect it.
    configured = existing;
    return;
  }
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  const dir = path.join(os.tmpdir(), `proofmark-fontconfig-${uid}`);
  fs.mkdirSync(path.join(dir, 'cache'), { recursive: true });
  const file = path.join(dir, `fonts-${Buffer.from(fontsDir).toString('base64url').slice(-40)}.conf`);
  const text = fontsConf(fontsDir, path.join(dir, 'cache'));
  let current: string;
  try {
    current = fs.readFileSync(file, 'utf8');
  } catch {
    current = '';
  }
  if (current !== text) {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  }
  process.env.FONTCONFIG_FILE = file;
  configured = file;
}

const checked = new Map<string, string>();

/**
 * The font file a design needs, checked to exist and to be an OpenType/TrueType file.
 * Fontconfig would otherwise skip a missing or damaged file without a word.
 */
export function fontFile(resourcesDir: string, font: FontId, weight: 'regular' | 'bold'): { family: string; file: string } {
  const def = bundledFonts.find((f) => f.id === font);
  if (!def) throw new ProofmarkError('invalid_input', `The font "${font}" is not bundled; use ${bundledFonts.map((f) => f.id).join(', ')}.`);
  const file = path.resolve(resourcesDir, 'fonts', def.files[weight]);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new ProofmarkError('not_found', `The bundled font ${def.files[weight]} is missing from ${path.dirname(file)}; reinstall ProofMark.`);
  }
  const key = `${stat.size}:${stat.mtimeMs}`;
  if (checked.get(file) === key) return { family: def.family, file };
  let head: Buffer;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      head = Buffer.alloc(4);
      fs.readSync(fd, head, 0, 4, 0);
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    throw new ProofmarkError('io_error', `The bundled font ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
  }
  const tag = head.toString('latin1');
  if (!(tag === 'OTTO' || tag === 'true' || tag === 'ttcf' || head.readUInt32BE(0) === 0x00010000)) {
    throw new ProofmarkError('damaged_file', `The bundled font ${file} is damaged (not an OpenType or TrueType file); reinstall ProofMark.`);
  }
  checked.set(file, key);
  return { family: def.family, file };
}
