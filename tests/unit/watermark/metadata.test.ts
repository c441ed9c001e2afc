import assert from 'node:assert/strict';
import { test } from 'node:test';
import exifr from 'exifr';
import sharp from 'sharp';
import { buildExif, listExifTags, TAG, tiffStart } from '../../../electron/core/watermark/visible/metadata/exif.ts';
import { buildXmp, removeXmpProperty } from '../../../electron/core/watermark/visible/metadata/xmp.ts';
import { filterApp13, listIptc, readJpegApp13 } from '../../../electron/core/watermark/visible/metadata/iptc.ts';
import { findAvifExif, injectJpegParts, injectPng, injectWebp, MetadataTooLarge, patchAvifExif } from '../../../electron/core/watermark/visible/metadata/containers.ts';
import { corpusFile } from '../../helpers/corpus.ts';

/** The pieces of injectJpegParts as one file. */
const injectJpeg = (jpeg: Buffer, m: Parameters<typeof injectJpegParts>[1]): Buffer => Buffer.concat(injectJpegParts(jpeg, m));

// colorful-cups.jpg is a real camera file (Sony NEX-3N, digiKam): maker notes, GPS in EXIF and XMP, an EXIF thumbnail.
const cups = corpusFile('colorful-cups.jpg');

async function sourceExif(): Promise<Uint8Array> {
  const m = await sharp(cups).metadata();
  return new Uint8Array(m.exif!.subarray(tiffStart(m.exif!)));
}

/** Parses a TIFF block with exifr by wrapping it in a minimal JPEG. */
async function readTiff(tiff: Uint8Array): Promise<Record<string, unknown>> {
  const jpeg = injectJpeg(Buffer.from([0xff, 0xd8, 0xff, 0xd9]), { exif: tiff });
  return (await exifr.parse(jpeg, { tiff: true, exif: true, gps: true, ifd1: true, makerNote: true, translateValues: false })) as Record<string, unknown>;
}

function contains(hay: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** Value bytes of a tag in the Exif or GPS IFD of a little-endian block. */
function valueBytes(tiff: Uint8Array, ifdTag: number, tag: number): Uint8Array | null {
  const dv = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const le = tiff[0] === 0x49;
  const ifd = (at: number) => Array.from({ length: dv.getUint16(at, le) }, (_, i) => at + 2 + i * 12);
  const ptr = ifd(dv.getUint32(4, le)).find((e) => dv.getUint16(e, le) === ifdTag);
  if (!ptr) return null;
  const entry = ifd(dv.getUint32(ptr + 8, le)).find((e) => dv.getUint16(e, le) === tag);
  if (!entry) return null;
  const size = dv.getUint32(entry + 4, le) * ({ 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1 } as Record<number, number>)[dv.getUint16(entry + 2, le)]!;
  const at = size <= 4 ? entry + 8 : dv.getUint32(entry + 8, le);
  return tiff.slice(at, at + size);
}

const base = { width: 1200, height: 750, dpi: 300, srgb: true, software: 'ProofMark' };

test('keeping EXIF: camera tags and maker notes survive byte for byte; orientation, size, density and rights are ours', async () => {
  const src = await sourceExif();
  const makerNote = valueBytes(src, TAG.ExifIFD, 0x927c)!;
  assert.ok(makerNote.length > 100, 'the fixture has a maker note');
  const { tiff, warnings } = buildExif({ ...base, original: src, keep: true, stripLocation: false, artist: '张三 Zhang', copyright: '© 2026 张三' });
  assert.deepEqual(warnings, []);
  assert.deepEqual(valueBytes(tiff, TAG.ExifIFD, 0x927c), makerNote);
  const e = await readTiff(tiff);
  assert.equal(e.Make, 'SONY');
  assert.equal(e.Model, 'NEX-3N');
  assert.equal(e.Artist, '张三 Zhang');
  assert.equal(e.Copyright, '© 2026 张三');
  assert.equal(e.Orientation, 1);
  assert.equal(e.XResolution, 300);
  assert.equal(e.ResolutionUnit, 2);
  assert.equal(e.ExifImageWidth ?? e.PixelXDimension, 1200);
  assert.equal(e.ExifImageHeight ?? e.PixelYDimension, 750);
  assert.equal(e.Software, 'ProofMark');
  assert.ok(typeof e.latitude === 'number', 'GPS kept under "keep"');
});

test('the EXIF thumbnail (the unmarked photo) is removed, bytes and all', async () => {
  const src = await sourceExif();
  const before = listExifTags(src);
  assert.ok(before.next > 0, 'the fixture has IFD1');
  const thumb = await exifr.thumbnail(cups);
  assert.ok(thumb && thumb.length > 1000);
  const { tiff } = buildExif({ ...base, original: src, keep: true, stripLocation: false });
  assert.equal(listExifTags(tiff).next, 0);
  assert.equal(contains(tiff, new Uint8Array(thumb).subarray(0, 64)), false, 'thumbnail bytes remain');
  assert.equal(contains(src, new Uint8Array(thumb).subarray(0, 64)), true, 'the source block is not modified');
});

test('strip-location removes the GPS directory and zeroes its values', async () => {
  const src = await sourceExif();
  const lat = valueBytes(src, TAG.GPSIFD, 2)!;
  assert.equal(lat.length, 24);
  const { tiff } = buildExif({ ...base, original: src, keep: true, stripLocation: true });
  assert.deepEqual(listExifTags(tiff).gps, []);
  assert.equal(contains(tiff, lat), false, 'latitude bytes remain in the block');
  const e = await readTiff(tiff);
  assert.equal(e.latitude, undefined);
  assert.equal(e.Make, 'SONY');
});

test('strip-all and sources without EXIF get a small fresh block', async () => {
  const src = await sourceExif();
  const { tiff } = buildExif({ ...base, original: src, keep: false, stripLocation: true, artist: 'Li' });
  const e = await readTiff(tiff);
  assert.equal(e.Make, undefined);
  assert.equal(e.Artist, 'Li');
  assert.equal(e.Orientation, 1);
  assert.equal(e.ColorSpace, 1);
  assert.ok(tiff.length < 300);
});

test('a damaged EXIF block is replaced by a fresh one, with a warning', () => {
  const src = new Uint8Array(64);
  src.set([0x49, 0x49, 0x2a, 0x00, 0xff, 0xff, 0x00, 0x00]);
  const r = buildExif({ ...base, original: src, keep: true, stripLocation: false });
  assert.match(r.warnings[0]!.text, /damaged/);
  assert.equal(r.warnings[0]!.code, 'watermark.exif-unreadable');
  assert.deepEqual(listExifTags(r.tiff).ifd0.includes(TAG.Orientation), true);
});

test('XMP: location and source facts go, rights are replaced, everything else stays', async () => {
  const xml = (await sharp(cups).metadata()).xmp!.toString('utf8');
  assert.match(xml, /GPSLatitude/);
  const { xmp } = buildXmp({ original: xml, keep: true, stripLocation: true, rights: { creator: '张三', copyright: '© 张三', webStatement: 'https://example.com/l', usageTerms: 'Ask first' } });
  assert.doesNotMatch(xmp!, /GPS/);
  assert.doesNotMatch(xmp!, /tiff:ImageWidth/);
  assert.match(xmp!, /digiKam:ColorLabel/);
  const parsed = (await exifr.parse(injectJpeg(Buffer.from([0xff, 0xd8, 0xff, 0xd9]), { xmp: xmp! }), { xmp: true, tiff: false })) as Record<string, unknown>;
  assert.equal(parsed.creator, '张三');
  assert.deepEqual(parsed.rights, { lang: 'x-default', value: '© 张三' });
  assert.equal(parsed.WebStatement, 'https://example.com/l');
  assert.equal(parsed.Marked, true);
});

test('XMP: attribute and element forms are both removed; strip-all writes rights only; nothing to say is null', () => {
  const attr = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="r"><rdf:Description exif:GPSLatitude="52,31N" dc:format="image/jpeg"/><rdf:Description><dc:creator><rdf:Seq><rdf:li>Old</rdf:li></rdf:Seq></dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>`;
  const out = removeXmpProperty(removeXmpProperty(attr, '[\\w-]+:GPS[\\w]*'), 'dc:creator');
  assert.doesNotMatch(out, /GPS|Old/);
  assert.match(out, /dc:format="image\/jpeg"/);
  assert.equal(buildXmp({ original: attr, keep: false, stripLocation: true, rights: null }).xmp, null);
  const fresh = buildXmp({ original: attr, keep: false, stripLocation: true, rights: { creator: 'A & B' } }).xmp!;
  assert.match(fresh, /A &amp; B/);
  assert.doesNotMatch(fresh, /GPS|format/);
});

/** An APP13 payload with the given record-2 datasets. */
function app13(datasets: [number, string][]): Uint8Array {
  const iim = Buffer.concat(datasets.map(([n, text]) => {
    const v = Buffer.from(text, 'utf8');
    return Buffer.concat([Buffer.from([0x1c, 2, n, v.length >> 8, v.length & 0xff]), v]);
  }));
  const head = Buffer.concat([Buffer.from('8BIM', 'latin1'), Buffer.from([0x04, 0x04, 0, 0]), Buffer.alloc(4)]);
  head.writeUInt32BE(iim.length, 8);
  return Buffer.concat([Buffer.from('Photoshop 3.0\0', 'latin1'), head, iim, Buffer.alloc(iim.length & 1)]);
}

test('IPTC: location datasets and (when rights are written) creator/copyright are dropped, the rest kept', () => {
  const payload = app13([[5, 'Red teapot'], [80, 'Old Name'], [90, 'Hangzhou'], [101, 'China'], [116, '© Old'], [25, 'teapot']]);
  const jpeg = injectJpeg(Buffer.from([0xff, 0xd8, 0xff, 0xd9]), { app13: [payload] });
  assert.equal(readJpegApp13(jpeg).length, 1);
  const kept = listIptc(filterApp13(payload, { stripLocation: true, dropRights: true })!);
  assert.deepEqual([...kept.keys()].sort((a, b) => a - b), [5, 25]);
  const all = listIptc(filterApp13(payload, { stripLocation: false, dropRights: false })!);
  assert.equal(all.get(90)?.[0], 'Hangzhou');
  assert.equal(filterApp13(app13([[90, 'x']]), { stripLocation: true, dropRights: false }), null);
});

test('JPEG, PNG and WebP carry the injected EXIF, XMP, ICC and density where readers look', async () => {
  const tiff = buildExif({ ...base, original: null, keep: false, stripLocation: true, artist: '张三' }).tiff;
  const xmp = buildXmp({ original: null, keep: false, stripLocation: true, rights: { creator: '张三' } }).xmp!;
  const icc = (await sharp(cups).metadata()).icc!;
  const img = sharp({ create: { width: 40, height: 30, channels: 3, background: '#336699' } });
  const files = {
    jpeg: injectJpeg(await img.clone().jpeg().toBuffer(), { exif: tiff, xmp, icc, dpi: 300 }),
    png: injectPng(await img.clone().png().toBuffer(), { exif: tiff, xmp, icc, dpi: 300 }),
    webp: injectWebp(await img.clone().webp().toBuffer(), { exif: tiff, xmp, icc }, { width: 40, height: 30 }),
  };
  for (const [format, buf] of Object.entries(files)) {
    const m = await sharp(buf).metadata();
    assert.equal(m.format, format);
    assert.equal(m.width, 40);
    assert.deepEqual(new Uint8Array(m.icc!), new Uint8Array(icc), `${format} ICC`);
    assert.equal(m.xmp?.toString('utf8'), xmp, `${format} XMP`);
    assert.ok(m.exif && tiffStart(m.exif) >= 0, `${format} EXIF`);
    if (format !== 'webp') assert.equal(m.density, 300, `${format} density`);
    // Still decodes (CRCs and chunk sizes are right).
    const px = await sharp(buf).raw().toBuffer();
    assert.equal(px.length, 40 * 30 * 3);
  }
});

test('a JPEG segment over 64 KB is refused with MetadataTooLarge, not written broken', () => {
  assert.throws(() => injectJpeg(Buffer.from([0xff, 0xd8, 0xff, 0xd9]), { xmp: 'x'.repeat(70_000) }), MetadataTooLarge);
});

test('AVIF: the EXIF item libheif wrote is found and filled in place', async () => {
  const tiff = buildExif({ ...base, original: null, keep: false, stripLocation: true, artist: '张三' }).tiff;
  const avif = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#884422' } })
    .avif({ quality: 50 })
    .withExif({ IFD0: { ImageDescription: 'x'.repeat(tiff.length + 64) } })
    .toBuffer();
  assert.ok(findAvifExif(avif));
  const patched = patchAvifExif(avif, tiff);
  assert.equal(patched.length, avif.length);
  const m = await sharp(patched).metadata();
  const e = await readTiff(new Uint8Array(m.exif!.subarray(tiffStart(m.exif!))));
  assert.equal(e.Artist, '张三');
  assert.equal(e.ImageDescription, undefined);
  assert.throws(() => patchAvifExif(avif, new Uint8Array(avif.length)), MetadataTooLarge);
});
