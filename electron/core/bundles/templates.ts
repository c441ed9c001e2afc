import fs from 'node:fs';
import path from 'node:path';
import type { Block, DocumentModel } from './pdf/layout.ts';

/**
 * Document texts live in resources/templates/*.json as data, one file per document with a `zh` and
 * an `en` version. A version is a list of blocks; strings carry {{path}} placeholders filled from a
 * context object. Any block may have `if`/`unless` (a path that must be truthy/falsy) and `each`
 * (a path to a list: the block repeats once per element, with {{item.…}} and {{index}}). Blocks:
 *   {"title": "…", "subtitle": "…"}   {"heading": "…"}   {"p": "…", "indent": true}   {"note": "…"}
 *   {"fields": [["label", "value", "if-path"?], …]}      {"list": ["…", …]} or {"list": "…", "over": "path"}
 *   {"signature": [["label", "value"?], …]}              {"slot": "name"} (content made by code)
 *   {"group": [blocks…]}                                  {"pageBreak": true}
 */
export interface TemplateFile {
  id: string;
  description?: string;
  zh: TemplateVersion;
  en: TemplateVersion;
}
export interface TemplateVersion {
  title: string;
  /** Short texts the code fills in (e.g. a default complaint reason). */
  strings?: Record<string, string>;
  blocks: TemplateBlock[];
}
export type TemplateBlock = Record<string, unknown> & { if?: string; unless?: string; each?: string };

export type Context = Record<string, unknown>;

const cache = new Map<string, unknown>();

function readJson<T>(file: string): T {
  let v = cache.get(file) as T | undefined;
  if (!v) {
    v = JSON.parse(fs.readFileSync(file, 'utf8')) as T;
    cache.set(file, v);
  }
  return v;
}

export function loadTemplate(resourcesDir: string, name: string): TemplateFile {
  const file = path.join(resourcesDir, 'templates', `${name}.json`);
  const t = readJson<TemplateFile>(file);
  if (!t.zh?.blocks || !t.en?.blocks) throw new Error(`Template ${file} needs a "zh" and an "en" version with blocks.`);
  return t;
}

/** A table of short texts per language (e.g. the work-description drafts). */
export function loadStrings(resourcesDir: string, name: string): { zh: Record<string, string>; en: Record<string, string> } {
  return readJson(path.join(resourcesDir, 'templates', `${name}.json`));
}

/** Value at a dotted path ("owners.0.name"), or undefined. */
export function lookup(ctx: Context, dotted: string): unknown {
  let v: unknown = ctx;
  for (const key of dotted.split('.')) {
    if (v === null || v === undefined) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  return Boolean(v);
}

/** Fills {{path}} placeholders; a missing value becomes an empty string. */
export function fill(text: string, ctx: Context): string {
  return text.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_m, p: string) => {
    const v = lookup(ctx, p);
    if (v === null || v === undefined) return '';
    if (Array.isArray(v)) return v.join('、');
    return String(v);
  });
}

function applies(block: TemplateBlock, ctx: Context): boolean {
  if (block.if !== undefined && !truthy(lookup(ctx, block.if))) return false;
  if (block.unless !== undefined && truthy(lookup(ctx, block.unless))) return false;
  return true;
}

/** Turns a template version into layout blocks; `slots` supplies the parts made by code. */
export function expand(blocks: TemplateBlock[], ctx: Context, slots: Record<string, Block[]> = {}): Block[] {
  const out: Block[] = [];
  for (const block of blocks) {
    if (block.each !== undefined) {
      const list = lookup(ctx, block.each);
      if (!Array.isArray(list)) continue;
      const { each: _each, ...single } = block;
      list.forEach((item, i) => {
        const inner = { ...ctx, item, index: i + 1 };
        if (applies(single, inner)) out.push(...expandOne(single, inner, slots));
      });
      continue;
    }
    if (applies(block, ctx)) out.push(...expandOne(block, ctx, slots));
  }
  return out;
}

function expandOne(block: TemplateBlock, ctx: Context, slots: Record<string, Block[]>): Block[] {
  if (typeof block.title === 'string') {
    return [{ type: 'title', text: fill(block.title, ctx), ...(typeof block.subtitle === 'string' ? { subtitle: fill(block.subtitle, ctx) } : {}) }];
  }
  if (typeof block.heading === 'string') return [{ type: 'heading', text: fill(block.heading, ctx) }];
  if (typeof block.p === 'string') return [{ type: 'paragraph', text: fill(block.p, ctx), indent: block.indent === true }];
  if (typeof block.note === 'string') return [{ type: 'note', text: fill(block.note, ctx) }];
  if (Array.isArray(block.fields)) {
    const rows = (block.fields as unknown[][])
      .filter((r) => r[2] === undefined || truthy(lookup(ctx, String(r[2]))))
      .map((r) => ({ label: fill(String(r[0]), ctx), value: fill(String(r[1] ?? ''), ctx) }));
    return rows.length ? [{ type: 'fields', rows }] : [];
  }
  if (block.list !== undefined) {
    if (typeof block.list === 'string' && typeof block.over === 'string') {
      const list = lookup(ctx, block.over);
      const items = Array.isArray(list) ? list.map((item, i) => fill(block.list as string, { ...ctx, item, index: i + 1 })) : [];
      return items.length ? [{ type: 'list', items }] : [];
    }
    const items = (block.list as unknown[]).flatMap((entry) => {
      if (typeof entry === 'string') return [fill(entry, ctx)];
      const e = entry as TemplateBlock & { text: string };
      return applies(e, ctx) ? [fill(e.text, ctx)] : [];
    });
    return [{ type: 'list', items }];
  }
  if (Array.isArray(block.signature)) {
    return [{ type: 'signature', lines: (block.signature as string[][]).map((l) => ({ label: fill(l[0] ?? '', ctx), value: fill(l[1] ?? '', ctx) })) }];
  }
  if (typeof block.slot === 'string') return slots[fill(block.slot, ctx)] ?? [];
  if (Array.isArray(block.group)) return expand(block.group as TemplateBlock[], ctx, slots);
  if (block.pageBreak === true) return [{ type: 'pageBreak' }];
  if (typeof block.spacer === 'number') return [{ type: 'spacer', height: block.spacer }];
  throw new Error(`Unknown template block: ${JSON.stringify(block).slice(0, 120)}`);
}

/** A whole document from its template, in one language. */
export function documentFromTemplate(resourcesDir: string, name: string, lang: 'zh' | 'en', ctx: Context, slots: Record<string, Block[]> = {}): DocumentModel {
  const t = loadTemplate(resourcesDir, name)[lang];
  return { title: fill(t.title, ctx), lang, blocks: expand(t.blocks, ctx, slots) };
}

/** Labels of enum values and small words, per language (resources/templates/labels.json). */
export function labels(resourcesDir: string, lang: 'zh' | 'en'): Record<string, Record<string, string>> {
  return readJson<{ zh: Record<string, Record<string, string>>; en: Record<string, Record<string, string>> }>(path.join(resourcesDir, 'templates', 'labels.json'))[lang];
}
