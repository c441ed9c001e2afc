import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { createCore } from '../../../electron/core/index.ts';
import { findByBytes } from '../../../electron/core/similarity/api.ts';
import { corpusFile, tempDir } from '../../helpers/corpus.ts';
import { call, testCore } from '../../helpers/core.ts';
import { applyTransform, transformNames } from '../../helpers/find-transforms.ts';

let env: Awaited<ReturnType<typeof testCore>>;
let work: { dir: string; cleanup: () => Promise<void> };
const ids = new Map<string, number>();
const originals = ['chelsea.png', 'coffee.png', 'rocket.jpg', 'grace_hopper.jpg', 'kite.jpg', 'path.jpg'];

/** Downscaled copies of corpus photos (tests stay fast; the bench uses full sizes). */
async function smallCopy(name: string, dir: string, side = 480): Promise<string> {
  const to = path.join(dir, name.replace(/\.\w+$/, '.jpg'));
  await sharp(corpusFile(name)).resize(side, side, { fit: 'inside' }).jpeg({ quality: 92 }).toFile(to);
  return to;
}

/** A 256 px tile of a large photo that is not in the library (same kind of scene, other content). */
async function tile(name: string, left: number, top: number): Promise<Buffer> {
  return sharp(corpusFile(name)).extract({ left, top, width: 256, height: 256 }).jpeg({ quality: 90 }).toBuffer();
}

const search = (bytes: Buffer, limit = 5) => call(env.core, 'find.search', { base64: bytes.toString('base64'), limit });

before(async () => {
  env = await testCore();
  work = await tempDir('proofmark-find-');
  await fs.mkdir(path.join(work.dir, 'lib'), { recursive: true });
  const files = await Promise.all(originals.map((n) => smallCopy(n, path.join(work.dir, 'lib'))));
  const r = await call(env.core, 'library.import', { paths: files, recursive: false } as never);
  assert.equal(r.errors.length, 0);
  for (const it of r.imported) ids.set(path.basename(it.path), it.id);
});

after(async () => {
  await env.close();
  await work.cleanup();
});

describe('find: search', () => {
  it('photos are fingerprinted right after their import, and a search waits for that', async () => {
    // The first call after the import: the background fingerprinting may still be going.
    const r = await search(await applyTransform(path.join(work.dir, 'lib', 'path.jpg'), 'jpeg50'));
    assert.equal(r.matches[0]?.id, ids.get('path.jpg'), r.summary);
    assert.equal(r.searched, originals.length);
    const s = await call(env.core, 'find.status', {});
    assert.equal(s.total, originals.length);
    assert.equal(s.fingerprinted, originals.length);
    assert.equal(s.missing, 0);
  });

  for (const t of transformNames) {
    it(`finds the original of a copy edited with ${t}`, async () => {
      for (const name of ['coffee.jpg', 'kite.jpg']) {
        const file = path.join(work.dir, 'lib', name);
        const r = await search(await applyTransform(file, t));
        const top = r.matches[0];
        assert.ok(top, `${name}/${t}: a candidate`);
        assert.equal(top.id, ids.get(name), `${name}/${t}: the true original is first (${r.summary})`);
        assert.ok(top.isMatch && top.score >= r.threshold, `${name}/${t}: above the threshold (${top.score})`);
        assert.equal(r.matches.filter((m) => m.isMatch).length, 1, `${name}/${t}: no other original matches`);
        assert.match(r.summary, new RegExp(`^This is your photo #${top.id} "${name.replace('.jpg', '')}"`));
        const x = top.transform;
        if (t === 'hflip') assert.ok(x.flip, 'mirror read off the fit');
        if (t === 'rot90') assert.ok(Math.abs(x.rotation - 90) < 3, `rotation ${x.rotation}`);
        if (t === 'resize25') assert.ok(Math.abs(x.scale - 0.25) < 0.04, `scale ${x.scale}`);
        if (t.startsWith('crop60')) assert.ok(Math.abs(Math.sqrt(x.cropShare) - 0.6) < 0.06, `crop ${x.cropShare}`);
        if (t === 'greyscale') assert.ok(x.colour.greyscale);
        if (t === 'text-overlay') assert.ok(x.overlay && x.overlayBox, 'text on top reported');
        if (t === 'price-square' || t === 'border10') assert.ok(x.padded);
      }
    });
  }

  it('unrelated pictures (other parts of the same large photos) match nothing', async () => {
    for (const [name, left, top] of [['kite.jpg', 100, 100], ['path.jpg', 1800, 1200], ['seeding.jpg', 3000, 1500], ['kleiber.jpg', 500, 2500]] as const) {
      const r = await search(await tile(name, left, top));
      assert.ok(!r.matches.some((m) => m.isMatch), `${name} tile: ${r.summary} ${JSON.stringify(r.matches.map((m) => [m.id, m.score]))}`);
      assert.match(r.summary, /^No match in your library/);
    }
  });

  it('the exact library file is recognised as the item itself', async () => {
    const bytes = await fs.readFile(path.join(work.dir, 'lib', 'rocket.jpg'));
    const r = await search(bytes);
    assert.equal(r.exactItemId, ids.get('rocket.jpg'));
    assert.equal(r.matches[0]?.score, 100);
    // The hidden-watermark reading comes along (this library has no key: nothing found, no error).
    assert.equal(r.hidden.error, undefined);
    assert.equal((r.hidden.result as { found: boolean }).found, false);
  });

  it('findByBytes (for other features) returns the ranked matches', async () => {
    const { matches } = await findByBytes(env.core.deps, await applyTransform(path.join(work.dir, 'lib', 'chelsea.jpg'), 'screenshot'));
    assert.equal(matches[0]?.id, ids.get('chelsea.jpg'));
  });

  it('compare renders side by side, overlay and difference as media files', async () => {
    const file = path.join(work.dir, 'q.jpg');
    await fs.writeFile(file, await applyTransform(path.join(work.dir, 'lib', 'coffee.jpg'), 'text-overlay'));
    const r = await call(env.core, 'find.compare', { path: file, originalId: ids.get('coffee.jpg')! });
    assert.ok(r.match?.isMatch);
    for (const token of [r.sideBySide, r.overlay!, r.difference!]) {
      const media = env.core.deps.media.resolve('file', token);
      const meta = await sharp(media.path).metadata();
      assert.equal(meta.format, 'png');
      assert.ok(meta.width! > 100);
    }
  });

  it('duplicates: an edited copy imported next to its original forms a group', async () => {
    const copy = path.join(work.dir, 'copy', 'rocket-copy.jpg');
    await fs.mkdir(path.dirname(copy), { recursive: true });
    await fs.writeFile(copy, await applyTransform(path.join(work.dir, 'lib', 'rocket.jpg'), 'crop60-offcentre'));
    const r = await call(env.core, 'library.import', { paths: [copy], recursive: false } as never);
    const copyId = r.imported[0]!.id;
    const d = await call(env.core, 'find.duplicates', {});
    assert.equal(d.groups.length, 1, JSON.stringify(d.groups));
    assert.deepEqual(d.groups[0]!.items.map((i) => i.id).sort(), [ids.get('rocket.jpg')!, copyId].sort());
  });

  it('back-fill computes fingerprints that are missing', async () => {
    env.core.deps.db.prepare('DELETE FROM find_fingerprints WHERE image_id = ?').run(ids.get('path.jpg'));
    assert.equal((await call(env.core, 'find.status', {})).missing, 1);
    const r = await call(env.core, 'find.backfill', {});
    assert.equal(r.fingerprinted, 1);
    assert.equal(r.failed.length, 0);
    assert.equal((await call(env.core, 'find.status', {})).missing, 0);
    const again = await search(await applyTransform(path.join(work.dir, 'lib', 'path.jpg'), 'rot5'));
    assert.equal(again.matches[0]?.id, ids.get('path.jpg'));
  });
});

describe('find: bad input', () => {
  it('corrupt, tiny and non-image input get clear errors', async () => {
    const jpeg = await fs.readFile(path.join(work.dir, 'lib', 'coffee.jpg'));
    await assert.rejects(search(jpeg.subarray(0, 2000)), /damaged|truncated/);
    await assert.rejects(search(Buffer.from('not an image at all')), /not an image/);
    const tiny = await sharp({ create: { width: 12, height: 12, channels: 3, background: '#808080' } }).png().toBuffer();
    await assert.rejects(search(tiny), /too small to compare/);
    await assert.rejects(call(env.core, 'find.search', { base64: '***', limit: 5 }), /not valid base64/);
    await assert.rejects(call(env.core, 'find.search', { limit: 5 } as never), /either the path/);
    await assert.rejects(call(env.core, 'find.search', { path: path.join(work.dir, 'nope.jpg'), limit: 5 }), /no file/);
    await assert.rejects(call(env.core, 'find.compare', { path: path.join(work.dir, 'lib', 'coffee.jpg'), originalId: 9999 }), /no image #9999/);
  });

  it('an empty library says so; a picture over the pixel limit is refused from its header', async () => {
    const { dir, cleanup } = await tempDir('proofmark-find-empty-');
    const core = await createCore({ libraryDir: dir, pixelLimit: 1_000_000 });
    try {
      const small = await sharp(corpusFile('chelsea.png')).jpeg().toBuffer();
      const r = await call(core, 'find.search', { base64: small.toString('base64'), limit: 5 });
      assert.deepEqual(r.matches, []);
      assert.match(r.summary, /library is empty/);
      await assert.rejects(call(core, 'find.search', { path: corpusFile('kite.jpg'), limit: 5 }), /pixel|limit|large/i);
    } finally {
      await core.close();
      await cleanup();
    }
  });

  it('closing the core stops the background fingerprinting cleanly; the app resumes it', async () => {
    const { dir, cleanup } = await tempDir('proofmark-find-resume-');
    const libraryDir = path.join(dir, 'library');
    try {
      const files = await Promise.all(originals.map((n) => smallCopy(n, dir, 200)));
      const first = await createCore({ libraryDir, concurrency: 2 });
      const r = await call(first, 'library.import', { paths: files, recursive: false } as never);
      assert.equal(r.imported.length, originals.length);
      await first.close(); // right away: two photos are in flight, the rest never start
      const second = await createCore({ libraryDir, concurrency: 2 });
      try {
        const left = (await call(second, 'find.status', {})).missing;
        assert.ok(left >= originals.length - 2, `${left} left to fingerprint`);
        second.resumeBackgroundWork();
        const found = await call(second, 'find.search', { path: files[0]!, limit: 5 }); // waits for the resumed run
        assert.equal(found.searched, originals.length);
        assert.equal(found.matches[0]?.id, r.imported.find((i) => i.path === files[0])?.id);
        assert.equal((await call(second, 'find.status', {})).missing, 0);
      } finally {
        await second.close();
      }
    } finally {
      await cleanup();
    }
  });
});
