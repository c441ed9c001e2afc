import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { expand, fill, loadTemplate, type TemplateBlock } from '../../../electron/core/bundles/templates.ts';

const RESOURCES = path.resolve(import.meta.dirname, '..', '..', '..', 'resources');

test('fill replaces dotted placeholders, joins lists and leaves nothing unresolved', () => {
  assert.equal(fill('《{{work.title}}》 by {{names}}{{missing.deep}}', { work: { title: '杯子' }, names: ['甲', '乙'] }), '《杯子》 by 甲、乙');
  assert.equal(fill('{{ n }} items', { n: 0 }), '0 items');
});

test('expand honours if/unless, repeats blocks with each, lists over a path and fills slot names', () => {
  const blocks: TemplateBlock[] = [
    { heading: 'A', if: 'agent' },
    { heading: 'No agent', unless: 'agent' },
    { p: '{{index}}: {{item.name}}', each: 'owners' },
    { list: '{{item}}', over: 'docs' },
    { fields: [['Name', '{{owners.0.name}}'], ['Date', '{{date}}', 'published']] },
    { slot: 'use{{n}}.pic' },
  ];
  const out = expand(blocks, { agent: null, owners: [{ name: 'X' }, { name: 'Y' }], docs: ['a', 'b'], published: false, n: 2 }, { 'use2.pic': [{ type: 'spacer', height: 3 }] });
  assert.deepEqual(out, [
    { type: 'heading', text: 'No agent' },
    { type: 'paragraph', text: '1: X', indent: false },
    { type: 'paragraph', text: '2: Y', indent: false },
    { type: 'list', items: ['a', 'b'] },
    { type: 'fields', rows: [{ label: 'Name', value: 'X' }] },
    { type: 'spacer', height: 3 },
  ]);
  assert.throws(() => expand([{ bogus: 1 }], {}), /Unknown template block/);
});

/** Every {{placeholder}}, condition and slot a version uses. */
function references(value: unknown, out = new Set<string>()): Set<string> {
  // English sometimes needs a lower-case variant of the same value (…Lower).
  if (typeof value === 'string') for (const m of value.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)) out.add(m[1]!.replace(/Lower$/, ''));
  else if (Array.isArray(value)) value.forEach((v) => references(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'if' || k === 'unless' || k === 'each' || k === 'over' || k === 'slot') out.add(`${k}:${String(v)}`);
      references(v, out);
    }
  }
  return out;
}

test('every document template has a Chinese and an English version that use the same data', () => {
  const names: string[] = [];
  for (const dir of ['registration', 'complaint']) {
    for (const f of fs.readdirSync(path.join(RESOURCES, 'templates', dir))) {
      const raw = JSON.parse(fs.readFileSync(path.join(RESOURCES, 'templates', dir, f), 'utf8')) as { zh: { blocks?: unknown }; en: { blocks?: unknown } };
      if (!raw.zh.blocks) continue; // a table of strings (drafts), not a document
      names.push(`${dir}/${f.replace('.json', '')}`);
    }
  }
  assert.ok(names.length >= 16, `found ${names.length} templates`);
  for (const name of names) {
    const t = loadTemplate(RESOURCES, name);
    assert.ok(t.zh.title && t.en.title, `${name} needs titles`);
    const zh = references(t.zh.blocks);
    const en = references(t.en.blocks);
    assert.deepEqual([...zh].filter((r) => !en.has(r)).sort(), [], `${name}: used only in zh`);
    assert.deepEqual([...en].filter((r) => !zh.has(r)).sort(), [], `${name}: used only in en`);
    // Templates must not break the layout: every block kind is known.
    assert.doesNotThrow(() => expand(t.zh.blocks, {}), name);
    assert.doesNotThrow(() => expand(t.en.blocks, {}), name);
  }
});

test('the DMCA template carries the six elements of 17 U.S.C. 512(c)(3)(A)', () => {
  const text = JSON.stringify(loadTemplate(RESOURCES, 'complaint/dmca-notice').en);
  for (const needle of ['/s/', 'copyrighted work', 'infringing material', 'Address', 'Telephone', 'Email', 'good faith belief', 'not authorized by the copyright owner, its agent, or the law', 'penalty of perjury', 'authorized to act on behalf of the owner']) {
    assert.ok(text.includes(needle), needle);
  }
});
