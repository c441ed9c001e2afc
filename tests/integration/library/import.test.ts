import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { call, testCore } from '../../helpers/core.ts';
import { copyCorpus, corpusFile, pngHeaderOnly, tempDir } from '../../helpers/corpus.ts';

describe('importing the corpus', () => {
  let env: Awaited<ReturnType<typeof testCore>>;
  let src: { dir: string; cleanup: () => Promise<void> };
  before(async () => {
    env = await testCore();
    src = await tempDir();
  });
  after(async () => {
    await env.close();
    await src.cleanup();
  });

  test('every photo is stored once, read-only, named by its SHA-256, with its facts', async () => {
    const files = await copyCorpus(src.dir);
    const result = await call(env.core, 'library.import', { paths: [src.dir] });
    assert.equal(result.errors.length, 0, JSON.stringify(result.errors));
    assert.equal(result.imported.length, files.length);
    for (const item of result.imported) {
      const stored = env.core.deps.library.originalPath(item.id);
      const [a, b] = await Promise.all([fs.readFile(stored), fs.readFile(item.path)]);
      assert.ok(a.equals(b), 'stored bytes equal the source');
      assert.match(path.basename(stored), new RegExp(`^${item.sha256}\\.`));
      assert.equal((await fs.stat(stored)).mode & 0o222, 0, 'stored original is read-only');
    }
    const { items } = await call(env.core, 'library.list', {});
    const byTitle = new Map(items.map((i) => [i.title, i]));
    assert.deepEqual(byTitle.get('astronaut')?.density, { x: 11811, y: 11811, unit: 'm', source: 'png-phys' });
    assert.deepEqual(byTitle.get('kite')?.density?.unit, 'none', 'units undefined is kept as such');
    assert.equal(byTitle.get('autumn')?.density?.x, 299);
    assert.equal(byTitle.get('kleiber')?.width, 6028);
    assert.equal(byTitle.get('colorful-cups')?.metadata.capturedAt, '2014-04-29T14:25:26');
    assert.equal(byTitle.get('chelsea')?.metadata.cameraModel, 'PENTAX K100D Super');
  });

  test('thumbnails are upright and small', async () => {
    const { dir, cleanup } = await tempDir();
    // A landscape photo stored sideways with EXIF orientation 6 (rotate 90° clockwise to view).
    const sideways = path.join(dir, 'sideways.jpg');
    await sharp(corpusFile('rocket.jpg')).withMetadata({ orientation: 6 }).jpeg().toFile(sideways);
    const [item] = (await call(env.core, 'library.import', { paths: [sideways] })).imported;
    const thumb = await sharp(env.core.deps.library.thumbnailPath({ sha256: item!.sha256 })).metadata();
    assert.ok(thumb.height! > thumb.width!, `thumbnail ${thumb.width}x${thumb.height} should be portrait`);
    assert.ok(Math.max(thumb.width!, thumb.height!) <= 384);
    await cleanup();
  });

  test('importing the same bytes again changes nothing and reports the existing item', async () => {
    const before = await call(env.core, 'library.info', {});
    const again = await call(env.core, 'library.import', { paths: [src.dir] });
    assert.equal(again.imported.length, 0);
    assert.ok(again.existing.length >= 12);
    const afterInfo = await call(env.core, 'library.info', {});
    assert.deepEqual([afterInfo.imageCount, afterInfo.eventCount], [before.imageCount, before.eventCount]);
  });

  test('edits are recorded in the history and the library verifies', async () => {
    const { items } = await call(env.core, 'library.list', { text: 'kite' });
    const id = items[0]!.id;
    await call(env.core, 'library.update', { id, title: '红色风筝 Red kite', tags: ['kite', '风筝', 'kite'] });
    const { item, history } = await call(env.core, 'library.get', { id });
    assert.equal(item.title, '红色风筝 Red kite');
    assert.deepEqual(item.tags, ['kite', '风筝']);
    assert.deepEqual(history.map((e) => e.type), ['imported', 'edited']);
    assert.equal((await call(env.core, 'library.list', { tag: '风筝' })).total, 1);
    assert.equal((await call(env.core, 'library.list', { text: '风筝' })).total, 1);
    const verify = await call(env.core, 'library.verify', {});
    assert.equal(verify.ok, true, JSON.stringify(verify.problems));
  });

  test('a changed stored original is reported by verify', async () => {
    const { items } = await call(env.core, 'library.list', { text: 'coffee' });
    const stored = env.core.deps.library.originalPath(items[0]!.id);
    const original = await fs.readFile(stored);
    await fs.chmod(stored, 0o644);
    const tampered = Buffer.from(original);
    tampered[tampered.length - 20]! ^= 0xff;
    await fs.writeFile(stored, tampered);
    const verify = await call(env.core, 'library.verify', {});
    assert.equal(verify.ok, false);
    assert.deepEqual(verify.problems.map((p) => [p.kind, p.imageId]), [['file_changed', items[0]!.id]]);
    await fs.writeFile(stored, original);
    await fs.chmod(stored, 0o444);
    assert.equal((await call(env.core, 'library.verify', {})).ok, true);
  });
});

describe('history kept outside the database', () => {
  test('removing the newest events or rewriting the whole history is reported by verify', async () => {
    const env = await testCore();
    const { dir, cleanup } = await tempDir();
    try {
      await copyCorpus(dir, ['rocket.jpg', 'coffee.png']);
      const { imported } = await call(env.core, 'library.import', { paths: [dir] });
      await call(env.core, 'library.update', { id: imported[0]!.id, title: 'Rocket, side' });
      assert.equal((await call(env.core, 'library.verify', {})).ok, true);
      const db = env.core.deps.db;
      const rows = db.prepare('SELECT * FROM events ORDER BY id').all() as Record<string, unknown>[];

      // Someone deletes the last event (the chain that is left is intact).
      db.exec('DROP TRIGGER events_no_delete');
      db.prepare('DELETE FROM events WHERE id = ?').run(rows.at(-1)!.id);
      let verify = await call(env.core, 'library.verify', {});
      assert.deepEqual(verify.problems.map((p) => [p.kind, p.eventId]), [['head_mismatch', rows.at(-1)!.id]]);
      assert.match(verify.problems[0]!.message, /removed from the end/);

      // Someone writes a whole new, internally consistent history of the same length.
      db.prepare('DELETE FROM events').run();
      const log = env.core.deps.library.events;
      for (const r of rows) log.append(r.image_id as number | null, String(r.type), { ...(JSON.parse(String(r.data_json)) as object), note: 'rewritten' });
      verify = await call(env.core, 'library.verify', {});
      assert.deepEqual(verify.problems.map((p) => [p.kind, p.eventId]), [['head_mismatch', rows.at(-1)!.id]]);
      assert.match(verify.problems[0]!.message, /history was rewritten/);
    } finally {
      await env.close();
      await cleanup();
    }
  });
});

describe('a folder of bad files', () => {
  test('every good file imports, every bad one gets its own error, the library keeps only the good', async () => {
    const env = await testCore();
    const { dir, cleanup } = await tempDir();
    const good = await copyCorpus(dir, ['rocket.jpg', 'coffee.png']);
    const rocket = await fs.readFile(corpusFile('rocket.jpg'));
    const bad: Record<string, RegExp> = {
      'empty.jpg': /empty \(0 bytes\)/,
      'truncated.jpg': /damaged or truncated/,
      'notes.jpg': /not an image/,
      'noise.png': /not an image/,
      'huge.png': /40000x40000 pixels .* over the .* limit/,
      'loop-a.jpg': /symbolic link loop/,
    };
    await fs.writeFile(path.join(dir, 'empty.jpg'), '');
    await fs.writeFile(path.join(dir, 'truncated.jpg'), rocket.subarray(0, Math.floor(rocket.length / 2)));
    await fs.writeFile(path.join(dir, 'notes.jpg'), 'This is a text file, not a photo.\n');
    await fs.writeFile(path.join(dir, 'noise.png'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)));
    await fs.writeFile(path.join(dir, 'huge.png'), pngHeaderOnly(40000, 40000));
    await fs.symlink('loop-b.jpg', path.join(dir, 'loop-a.jpg'));
    await fs.symlink('loop-a.jpg', path.join(dir, 'loop-b.jpg'));
    await fs.symlink('.', path.join(dir, 'self'), 'dir'); // a folder loop
    // Unreadable: permission bits do not stop root, so as root use a link to nothing.
    if (process.getuid?.() === 0) {
      await fs.symlink('missing-target.jpg', path.join(dir, 'unreadable.jpg'));
      bad['unreadable.jpg'] = /does not exist/;
    } else {
      await fs.writeFile(path.join(dir, 'unreadable.jpg'), rocket);
      await fs.chmod(path.join(dir, 'unreadable.jpg'), 0);
      bad['unreadable.jpg'] = /permission denied/;
    }
    // Good files with awkward properties.
    await fs.copyFile(corpusFile('grace_hopper.jpg'), path.join(dir, 'really-a-jpeg.png'));
    await sharp(corpusFile('rocket.jpg')).resize(200).toColourspace('cmyk').jpeg().toFile(path.join(dir, 'cmyk.jpg'));
    await sharp(corpusFile('coffee.png')).resize(200).toColourspace('rgb16').png().toFile(path.join(dir, 'deep.png'));

    const result = await call(env.core, 'library.import', { paths: [dir] });
    const errors = new Map(result.errors.map((e) => [path.basename(e.path), e.error]));
    for (const [name, pattern] of Object.entries(bad)) {
      assert.match(errors.get(name) ?? '(no error)', pattern, name);
    }
    assert.equal(errors.has('loop-b.jpg'), true);
    // Every error carries the phrase code the interface translates.
    const wordings = Object.fromEntries(result.errors.map((e) => [path.basename(e.path), e.wording]));
    assert.deepEqual(wordings, {
      'loop-a.jpg': { code: 'file.link-loop' },
      'loop-b.jpg': { code: 'file.link-loop' },
      'unreadable.jpg': { code: process.getuid?.() === 0 ? 'file.missing' : 'file.denied' },
      'empty.jpg': { code: 'file.empty' },
      'truncated.jpg': { code: 'file.damaged' },
      'notes.jpg': { code: 'file.not-image' },
      'noise.png': { code: 'file.not-image' },
      'huge.png': { code: 'file.over-pixel-limit', values: { width: 40000, height: 40000, mp: 1600, limit: 250 } },
    });
    assert.equal(result.errors.length, Object.keys(bad).length + 1, JSON.stringify(result.errors, null, 1));
    const titles = result.imported.map((i) => i.title).sort();
    assert.deepEqual(titles, ['cmyk', 'coffee', 'deep', 'really-a-jpeg', 'rocket']);
    const { items } = await call(env.core, 'library.list', {});
    const byTitle = new Map(items.map((i) => [i.title, i]));
    assert.equal(byTitle.get('really-a-jpeg')?.format, 'jpeg');
    assert.equal(byTitle.get('cmyk')?.colourSpace, 'cmyk');
    assert.equal(byTitle.get('deep')?.bitDepth, 16);
    assert.equal(items.length, 5);
    assert.equal((await env.core.deps.library.originals.list()).length, 5, 'no stored file for a bad one');
    assert.equal((await call(env.core, 'library.verify', {})).ok, true);
    assert.equal(good.length, 2);
    await env.close();
    await cleanup();
  });
});
