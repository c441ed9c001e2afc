import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { diffRanges } from '../../../electron/core/compliance/bytes.ts';
import { readJpegHeader, setJpegDensity } from '../../../electron/core/compliance/jpeg.ts';
import { crc32, readPngHeader, setPngDensity } from '../../../electron/core/compliance/png.ts';
import { densityFacts, readDensityDeclarations } from '../../../electron/core/imaging/density.ts';
import { corpusFile } from '../../helpers/corpus.ts';
import {
  adobeSegment, decodedPixels, exifResolution, jpegSegments, photoshopResolution, pngChunks, png16, withJpegSegment, withoutJpegSegments, withoutPngChunks,
} from '../../helpers/check-images.ts';

const read = (name: string) => fs.readFile(corpusFile(name));

async function assertSamePixels(a: Uint8Array, b: Uint8Array) {
  const [x, y] = await Promise.all([decodedPixels(a), decodedPixels(b)]);
  assert.deepEqual(y.info, x.info);
  assert.ok(x.data.equals(y.data), 'decoded pixels differ');
}

/** Everything from the first scan on (the compressed pixels) is byte-identical. */
function assertSameScans(a: Uint8Array, b: Uint8Array) {
  const sosA = readJpegHeader(a, a.length);
  const sosB = readJpegHeader(b, b.length);
  assert.ok(sosA.ok && sosB.ok);
  assert.ok(Buffer.from(a.subarray(sosA.value.sos)).equals(Buffer.from(b.subarray(sosB.value.sos))), 'compressed data changed');
}

describe('lossless JPEG density', () => {
  it('rewrites only the JFIF density bytes of a 72 dpi JPEG', async () => {
    const rocket = await read('rocket.jpg');
    const edit = setJpegDensity(rocket, 300);
    assert.equal(edit.bytes.length, rocket.length);
    assert.equal(edit.inserted, null);
    assert.deepEqual(edit.wrote, ['JFIF']);
    // JFIF payload starts at 6: units at 13 (already 1 = per inch), densities at 14..17.
    assert.deepEqual(diffRanges(rocket, edit.bytes), [{ offset: 14, length: 4 }]);
    assert.deepEqual(readDensityDeclarations(edit.bytes), [{ x: 300, y: 300, unit: 'inch', source: 'jfif' }]);
    await assertSamePixels(rocket, edit.bytes);
  });

  it('sets the unit of a "units undefined" JPEG and rewrites EXIF resolution in place', async () => {
    const kite = await read('kite.jpg');
    const edit = setJpegDensity(kite, 300);
    assert.deepEqual(edit.wrote, ['JFIF', 'EXIF']);
    assert.equal(edit.bytes.length, kite.length);
    const ranges = diffRanges(kite, edit.bytes);
    // JFIF units byte, then EXIF ResolutionUnit (0 → 2); the 300/1 values were already there.
    assert.deepEqual(ranges, [{ offset: 13, length: 1 }, { offset: 136, length: 1 }]);
    const facts = densityFacts(readDensityDeclarations(edit.bytes));
    assert.deepEqual(facts.declarations.map((d) => [d.source, d.x, d.unit]), [['jfif', 300, 'inch'], ['exif', 300, 'inch']]);
    assertSameScans(kite, edit.bytes);
  });

  it('makes disagreeing JFIF, EXIF and Photoshop declarations agree', async () => {
    const rocket = await read('rocket.jpg');
    const mixed = withJpegSegment(withJpegSegment(rocket, photoshopResolution(96), 20), exifResolution(180, 180, 3, false), 20);
    assert.equal(densityFacts(readDensityDeclarations(mixed)).conflict, true);
    const edit = setJpegDensity(mixed, 300);
    assert.deepEqual(edit.wrote, ['JFIF', 'EXIF', 'Photoshop']);
    const after = densityFacts(readDensityDeclarations(edit.bytes));
    assert.equal(after.conflict, false);
    assert.deepEqual(after.declarations.map((d) => [d.source, d.x, d.unit]), [['jfif', 300, 'inch'], ['exif', 300, 'inch'], ['other', 300, 'inch']]);
    assert.equal(edit.bytes.length, mixed.length);
    for (const r of diffRanges(mixed, edit.bytes)) assert.ok(r.offset < 20 + 10 + 66 + 50, `byte ${r.offset} outside the headers changed`);
    await assertSamePixels(mixed, edit.bytes);
  });

  it('inserts a JFIF APP0 after SOI when a YCbCr JPEG has none, leaving every other byte as it was', async () => {
    const rocket = await read('rocket.jpg');
    const exifOnly = withJpegSegment(withoutJpegSegments(rocket, [0xe0]), exifResolution(72, 72, 2, false));
    const edit = setJpegDensity(exifOnly, 300);
    assert.deepEqual(edit.inserted, { offset: 2, length: 18 });
    assert.deepEqual(edit.wrote, ['JFIF', 'EXIF']);
    const withoutInsert = Buffer.concat([edit.bytes.subarray(0, 2), edit.bytes.subarray(20)]);
    // Apart from the new segment only the EXIF XResolution/YResolution numerators changed.
    assert.deepEqual(diffRanges(exifOnly, withoutInsert).map((r) => r.length), [2, 2]);
    assert.equal(jpegSegments(edit.bytes)[0]!.marker, 0xe0);
    await assertSamePixels(exifOnly, edit.bytes);
  });

  it('never adds JFIF to an RGB-coded JPEG (it would be decoded as YCbCr): it adds EXIF instead', async () => {
    const rocket = await read('rocket.jpg');
    // An Adobe APP14 with transform 0 and no JFIF: libjpeg reads the three components as RGB.
    const rgbCoded = withJpegSegment(withoutJpegSegments(rocket, [0xe0]), adobeSegment(0));
    const header = readJpegHeader(rgbCoded, rgbCoded.length);
    assert.ok(header.ok && header.value.storedAsRgb);
    const edit = setJpegDensity(rgbCoded, 300);
    assert.deepEqual(edit.wrote, ['EXIF']);
    assert.equal(jpegSegments(edit.bytes)[0]!.marker, 0xe1);
    await assertSamePixels(rgbCoded, edit.bytes);
    // The counter-proof: a JFIF marker would change the decoded colours of this file.
    const withJfif = withJpegSegment(rgbCoded, Buffer.from([0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 2, 1, 1, 44, 1, 44, 0, 0]));
    const [a, b] = await Promise.all([decodedPixels(rgbCoded), decodedPixels(withJfif)]);
    assert.ok(!a.data.equals(b.data));
  });

  it('sets the density of a CMYK JPEG without a JFIF marker', async () => {
    const cmyk = await sharp(corpusFile('rocket.jpg')).toColourspace('cmyk').jpeg({ quality: 90 }).toBuffer();
    const header = readJpegHeader(cmyk, cmyk.length);
    assert.ok(header.ok);
    assert.equal(header.value.components, 4);
    const edit = setJpegDensity(cmyk, 300);
    assert.ok(!edit.wrote.includes('JFIF') || header.value.hasJfif);
    assert.deepEqual(densityFacts(readDensityDeclarations(edit.bytes)).dpi, { x: 300, y: 300 });
    await assertSamePixels(cmyk, edit.bytes);
  });

  it('refuses impossible densities', async () => {
    const rocket = await read('rocket.jpg');
    assert.throws(() => setJpegDensity(rocket, 0), /whole number from 1 to 65535/);
    assert.throws(() => setJpegDensity(rocket, 70_000), /whole number from 1 to 65535/);
    assert.throws(() => setJpegDensity(rocket.subarray(0, 30), 300), /header/);
  });
});

describe('lossless PNG density', () => {
  it('replaces an existing pHYs chunk in place with a correct CRC', async () => {
    const coffee = await read('coffee.png');
    const edit = setPngDensity(coffee, 300);
    assert.equal(edit.bytes.length, coffee.length);
    const phys = pngChunks(coffee).find((c) => c.type === 'pHYs')!;
    for (const r of diffRanges(coffee, edit.bytes)) assert.ok(r.offset >= phys.offset && r.offset + r.length <= phys.offset + phys.length);
    const b = Buffer.from(edit.bytes);
    assert.equal(b.readUInt32BE(phys.offset + 8), 11811);
    assert.equal(b.readUInt32BE(phys.offset + 8 + 9), crc32(b, phys.offset + 4, phys.offset + 8 + 9));
    const header = readPngHeader(edit.bytes, edit.bytes.length);
    assert.ok(header.ok && header.value.badCrc.length === 0);
    await assertSamePixels(coffee, edit.bytes);
  });

  it('inserts pHYs right after IHDR when a PNG has none', async () => {
    const noPhys = withoutPngChunks(await read('chelsea.png'), ['pHYs']);
    assert.deepEqual(readDensityDeclarations(noPhys), []);
    const edit = setPngDensity(noPhys, 300);
    assert.deepEqual(edit.inserted, { offset: 33, length: 21 });
    assert.ok(Buffer.from(edit.bytes.subarray(0, 33)).equals(noPhys.subarray(0, 33)));
    assert.ok(Buffer.from(edit.bytes.subarray(54)).equals(noPhys.subarray(33)));
    assert.deepEqual(readDensityDeclarations(edit.bytes), [{ x: 11811, y: 11811, unit: 'm', source: 'png-phys' }]);
    await assertSamePixels(noPhys, edit.bytes);
  });

  it('keeps every sample of a 16-bit PNG', async () => {
    const deep = png16(37, 23, (x, y, c) => x * 1700 + y * 91 + c * 13 + 1);
    const header = readPngHeader(deep, deep.length);
    assert.ok(header.ok && header.value.bitDepth === 16);
    const edit = setPngDensity(deep, 300);
    const [a, b] = await Promise.all([decodedPixels(deep), decodedPixels(edit.bytes)]);
    assert.ok(a.data.equals(b.data));
    assert.equal(new Uint16Array(b.data.buffer, b.data.byteOffset, 4)[3], 1700 + 1);
  });
});
