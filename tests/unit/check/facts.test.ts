import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { HEAD_BYTES, inspectFile } from '../../../electron/core/compliance/facts.ts';
import { corpusFile, pngHeaderOnly, tempDir } from '../../helpers/corpus.ts';
import { segment, withJpegSegment } from '../../helpers/check-images.ts';

const opts = { pixelLimit: 250_000_000, integrity: false, printDpi: 300 };
let dir = '';
let cleanup: () => Promise<void> = async () => {};
const put = async (name: string, bytes: Uint8Array) => {
  const p = path.join(dir, name);
  await fs.writeFile(p, bytes);
  return p;
};

before(async () => ({ dir, cleanup } = await tempDir('proofmark-facts-')));
after(() => cleanup());

describe('facts from headers', () => {
  it('reads pixel size, depth, colour, ICC, capture time and print size of corpus photos', async () => {
    const cups = await inspectFile(corpusFile('colorful-cups.jpg'), opts);
    assert.equal(cups.unreadable, null);
    assert.deepEqual([cups.facts.format, cups.facts.width, cups.facts.height, cups.facts.bitDepth, cups.facts.channels], ['jpeg', 2560, 1600, 8, 3]);
    assert.equal(cups.facts.capturedAt, '2014-04-29T14:25:26');
    assert.equal(cups.facts.iccProfile, 'sRGB');
    assert.equal(cups.facts.progressive, true);
    assert.deepEqual(cups.facts.printSize, { dpi: 300, widthIn: 2560 / 300, heightIn: 1600 / 300, widthCm: (2560 / 300) * 2.54, heightCm: (1600 / 300) * 2.54 });
    assert.deepEqual(cups.facts.intact, { ok: true, method: 'structure', detail: 'complete: ends with the end-of-image marker' });

    const rocket = await inspectFile(corpusFile('rocket.jpg'), opts);
    assert.equal(rocket.facts.iccProfile, 'Adobe RGB (1998)');
    assert.equal(rocket.facts.capturedAt, null);

    const astronaut = await inspectFile(corpusFile('astronaut.png'), opts);
    assert.deepEqual([astronaut.facts.format, astronaut.facts.bitDepth, astronaut.facts.colourModel, astronaut.facts.iccProfile], ['png', 8, 'rgb', 'sRGB IEC61966-2.1']);
    assert.deepEqual(astronaut.facts.density.dpi?.x.toFixed(4), '299.9994');
  });

  it('agrees with libvips on every corpus photo', async () => {
    for (const name of (await fs.readdir(path.dirname(corpusFile('x')))).filter((n) => /\.(jpe?g|png)$/.test(n))) {
      const [mine, vips] = await Promise.all([inspectFile(corpusFile(name), opts), sharp(corpusFile(name)).metadata()]);
      assert.deepEqual([mine.facts.width, mine.facts.height, mine.facts.channels], [vips.width, vips.height, vips.channels], name);
    }
  });

  it('finds headers that run past the first 64 KB', async () => {
    const rocket = await fs.readFile(corpusFile('rocket.jpg'));
    const big = Buffer.alloc(60_000, 0x20);
    const padded = withJpegSegment(withJpegSegment(rocket, segment(0xef, big), 20), segment(0xef, big), 20);
    const file = await put('big-header.jpg', padded);
    const i = await inspectFile(file, opts);
    assert.ok(padded.indexOf(Buffer.from([0xff, 0xc0])) > HEAD_BYTES);
    assert.deepEqual([i.facts.width, i.facts.height, i.facts.density.dpi], [640, 427, { x: 72, y: 72 }]);
    assert.equal(i.facts.intact.ok, true);
  });

  it('reports a truncated JPEG and PNG as cut off, and a full decode agrees', async () => {
    const autumn = await fs.readFile(corpusFile('autumn.jpg'));
    const cut = await put('cut.jpg', autumn.subarray(0, Math.floor(autumn.length * 0.6)));
    const i = await inspectFile(cut, opts);
    assert.equal(i.unreadable, null);
    assert.equal(i.facts.intact.ok, false);
    assert.match(i.facts.intact.detail, /cut off/);
    const decoded = await inspectFile(cut, { ...opts, integrity: true });
    assert.match(decoded.facts.intact.detail, /a full decode also fails/);

    const coffee = await fs.readFile(corpusFile('coffee.png'));
    const cutPng = await inspectFile(await put('cut.png', coffee.subarray(0, coffee.length - 5000)), opts);
    assert.equal(cutPng.facts.intact.ok, false);
  });

  it('accepts data appended after the end-of-image marker and counts it', async () => {
    const rocket = await fs.readFile(corpusFile('rocket.jpg'));
    const i = await inspectFile(await put('trailer.jpg', Buffer.concat([rocket, Buffer.alloc(10_000, 7)])), opts);
    assert.equal(i.facts.intact.ok, true);
    assert.equal(i.trailing, 10_000);
  });

  it('says what is wrong with empty, non-image and header-damaged files', async () => {
    const empty = await inspectFile(await put('empty.jpg', new Uint8Array(0)), opts);
    assert.equal(empty.unreadable?.kind, 'empty');
    assert.equal(empty.unreadable?.en, 'The file is empty (0 bytes).');
    const text = await inspectFile(await put('notes.jpg', Buffer.from('not a photo at all\n')), opts);
    assert.equal(text.unreadable?.kind, 'not-image');
    const rocket = await fs.readFile(corpusFile('rocket.jpg'));
    const headerCut = await inspectFile(await put('header-cut.jpg', rocket.subarray(0, 300)), opts);
    assert.equal(headerCut.unreadable?.kind, 'damaged-header');
    assert.match(headerCut.unreadable!.en, /header is damaged: the file ends inside its header/);
    const missing = await inspectFile(path.join(dir, 'nope.jpg'), opts);
    assert.equal(missing.unreadable?.kind, 'io');
    assert.match(missing.unreadable!.en, /does not exist/);
  });

  it('refuses a 40000 x 40000 PNG from its header without decoding it', async () => {
    const file = await put('huge.png', pngHeaderOnly(40_000, 40_000));
    const i = await inspectFile(file, { ...opts, integrity: true });
    assert.equal(i.unreadable?.kind, 'too-large');
    assert.equal(i.unreadable?.en, 'The image declares 40000 x 40000 pixels (1600 MP), over the 250 MP limit; ProofMark refuses it without decoding it.');
    assert.equal(i.facts.intact.method, 'none');
  });

  it('reads a JPEG named .png as JPEG and turns print size for EXIF orientations 5–8', async () => {
    const file = await put('photo.png', await fs.readFile(corpusFile('rocket.jpg')));
    const i = await inspectFile(file, opts);
    assert.deepEqual([i.facts.format, i.facts.extension, i.facts.extensionMatches], ['jpeg', 'png', false]);
    const turned = await sharp(corpusFile('rocket.jpg')).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    const t = await inspectFile(await put('turned.jpg', turned), opts);
    assert.equal(t.orientation, 6);
    assert.equal(t.facts.printSize?.widthCm, (427 / 300) * 2.54);
  });

  it('reads other formats through libvips and checks their ends', async () => {
    const base = sharp(corpusFile('chelsea.png'));
    const tif = await inspectFile(await put('c.tif', await base.clone().tiff({ xres: 300 / 25.4, yres: 300 / 25.4 }).toBuffer()), opts);
    assert.deepEqual([tif.facts.format, tif.facts.width, tif.facts.intact.method], ['tiff', 451, 'none']);
    assert.equal(Math.round(tif.facts.density.dpi!.x), 300);
    const gif = await base.clone().gif().toBuffer();
    assert.equal((await inspectFile(await put('c.gif', gif), opts)).facts.intact.ok, true);
    assert.equal((await inspectFile(await put('cut.gif', gif.subarray(0, gif.length - 100)), opts)).facts.intact.ok, false);
    const webp = await base.clone().webp().toBuffer();
    assert.equal((await inspectFile(await put('cut.webp', webp.subarray(0, webp.length - 100)), opts)).facts.intact.ok, false);
  });
});
