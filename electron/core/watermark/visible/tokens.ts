import exifr from 'exifr';
import { tokenPattern } from '../../../contract/index.ts';
import { exifDateToIso, fixLatin1Mojibake } from '../../imaging/metadata.ts';

/** What the tokens of one image resolve to. */
export interface TokenContext {
  filename: string;
  title: string;
  owner: string;
  id: number | null;
  now: Date;
  /** EXIF/XMP/IPTC fields, read lazily (only when the text asks for one). */
  exif: () => Promise<Record<string, unknown>>;
}

function isoDate(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function exifText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
  if (value instanceof Date) return value.toISOString().slice(0, 19).replace('T', ' ');
  if (typeof value === 'string') {
    const iso = /^\d{4}:\d{2}:\d{2} \d{2}:\d{2}/.test(value) ? exifDateToIso(value) : null;
    return iso ? iso.replace('T', ' ') : fixLatin1Mojibake(value.trim());
  }
  if (Array.isArray(value)) return value.map(exifText).filter(Boolean).join(', ') || null;
  if (typeof value === 'object' && 'value' in value) return exifText((value as { value: unknown }).value);
  return null;
}

/** Every readable metadata field of a file, keyed by exifr's tag names (Artist, DateTimeOriginal, creator, …). */
export async function readExifFields(bytes: Uint8Array): Promise<Record<string, unknown>> {
  try {
    const raw = await exifr.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
      tiff: true, exif: true, gps: false, xmp: true, iptc: true, icc: false, ihdr: false,
      translateValues: false, reviveValues: false, mergeOutput: true,
    });
    return (raw as Record<string, unknown> | undefined) ?? {};
  } catch {
    return {};
  }
}

/**
 * Fills `{token}`s. Unknown tokens never reach here (the contract refuses them); a field the photo
 * does not have becomes empty text and a warning, so a batch never stops over one missing field.
 */
export async function fillTokens(text: string, ctx: TokenContext): Promise<{ text: string; missing: string[] }> {
  const missing: string[] = [];
  let fields: Record<string, unknown> | null = null;
  const values = new Map<string, string>();
  for (const m of text.matchAll(tokenPattern)) {
    const token = m[1]!;
    if (values.has(token)) continue;
    let value: string | null;
    switch (token) {
      case 'filename': value = ctx.filename; break;
      case 'title': value = ctx.title || ctx.filename; break;
      case 'date': value = isoDate(ctx.now); break;
      case 'year': value = String(ctx.now.getFullYear()); break;
      case 'owner': value = ctx.owner || null; break;
      case 'id': value = ctx.id === null ? null : String(ctx.id); break;
      default: {
        fields ??= await ctx.exif();
        const name = token.slice('exif.'.length);
        const key = name in fields ? name : Object.keys(fields).find((k) => k.toLowerCase() === name.toLowerCase());
        value = key ? exifText(fields[key]) : null;
      }
    }
    if (value === null || value === '') missing.push(token);
    values.set(token, value ?? '');
  }
  const filled = text
    .replace(tokenPattern, (_all, token: string) => values.get(token) ?? '')
    .split('\n')
    .map((line) => line.replace(/[ \t]{2,}/g, ' ').trim())
    .join('\n')
    .trim();
  return { text: filled, missing };
}
