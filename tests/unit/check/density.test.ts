import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { describe, it } from 'node:test';
import { densityFacts, describeDensity, meetsDpi, readDensityDeclarations, readStoredDensity, toDpi } from '../../../electron/core/imaging/density.ts';
import { corpusFile } from '../../helpers/corpus.ts';
import { jfifSegment } from '../../../electron/core/compliance/jpeg.ts';
import { exifResolution, photoshopResolution, pngChunk, png16, withJpegSegment, withoutJpegSegments } from '../../helpers/check-images.ts';

const read = (name: string) => fs.readFile(corpusFile(name));

describe('density as stored', () => {
  it('reads the corpus declarations exactly', async () => {
    assert.deepEqual(readDensityDeclarations(await read('astronaut.png')), [{ x: 11811, y: 11811, unit: 'm', source: 'png-phys' }]);
    assert.deepEqual(readDensityDeclarations(await read('autumn.jpg')), [{ x: 299, y: 299, unit: 'inch', source: 'jfif' }]);
    assert.deepEqual(readDensityDeclarations(await read('colorful-cups.jpg')), [
      { x: 350, y: 350, unit: 'inch', source: 'jfif' },
      { x: 350, y: 350, unit: 'inch', source: 'exif' },
    ]);
    // kite: JFIF units 0 and EXIF ResolutionUnit 0 — an aspect ratio, no density.
    const kite = readDensityDeclarations(await read('kite.jpg'));
    assert.deepEqual(kite.map((d) => [d.source, d.x, d.unit]), [['jfif', 300, 'none'], ['exif', 300, 'none']]);
    assert.equal(toDpi(readStoredDensity(await read('kite.jpg'))), null);
    // kleiber: EXIF only, big-endian (MM).
    assert.deepEqual(readStoredDensity(await read('kleiber.jpg')), { x: 300, y: 300, unit: 'inch', source: 'exif' });
  });

  it('counts 11811 px/m and 118 px/cm as 300 dpi, but not 299 dpi or 11810 px/m', () => {
    assert.equal(meetsDpi({ x: 11811, y: 11811, unit: 'm', source: 'png-phys' }, 300), true);
    assert.equal(meetsDpi({ x: 11810, y: 11810, unit: 'm', source: 'png-phys' }, 300), false);
    assert.equal(meetsDpi({ x: 118, y: 118, unit: 'cm', source: 'jfif' }, 300), true);
    assert.equal(meetsDpi({ x: 117, y: 118, unit: 'cm', source: 'jfif' }, 300), false);
    assert.equal(meetsDpi({ x: 299, y: 299, unit: 'inch', source: 'jfif' }, 300), false);
    assert.equal(meetsDpi({ x: 300, y: 299.9, unit: 'inch', source: 'exif' }, 300), false);
    assert.equal(meetsDpi({ x: 350, y: 350, unit: 'inch', source: 'jfif' }, 300), true);
    assert.equal(meetsDpi({ x: 300, y: 300, unit: 'none', source: 'jfif' }, 300), false);
    assert.equal(meetsDpi({ x: 0, y: 0, unit: 'inch', source: 'exif' }, 1), false);
  });

  it('describes declarations in words with the numbers', () => {
    assert.equal(describeDensity({ x: 72, y: 72, unit: 'inch', source: 'jfif' }), '72 dpi');
    assert.equal(describeDensity({ x: 11811, y: 11811, unit: 'm', source: 'png-phys' }), '11811 px/m (118.11 px/cm, 300 dpi)');
    assert.equal(describeDensity({ x: 118, y: 118, unit: 'cm', source: 'jfif' }), '118 px/cm (299.7 dpi)');
    assert.equal(describeDensity({ x: 300, y: 300, unit: 'none', source: 'jfif' }), '300, no unit');
  });

  it('lets EXIF win over JFIF when they disagree, and reports both', async () => {
    const rocket = await read('rocket.jpg'); // JFIF 72 dpi
    const jfifEnd = 2 + 18;
    const both = withJpegSegment(rocket, exifResolution(300, 300, 2, true), jfifEnd);
    const facts = densityFacts(readDensityDeclarations(both));
    assert.deepEqual(facts.declarations.map((d) => [d.source, d.x]), [['jfif', 72], ['exif', 300]]);
    assert.equal(facts.effective?.source, 'exif');
    assert.deepEqual(facts.dpi, { x: 300, y: 300 });
    assert.equal(facts.conflict, true);
    // An EXIF block with "no unit" does not override a JFIF density with a unit.
    const noUnit = withJpegSegment(rocket, exifResolution(300, 300, 1, false), jfifEnd);
    assert.equal(densityFacts(readDensityDeclarations(noUnit)).effective?.source, 'jfif');
    assert.equal(densityFacts(readDensityDeclarations(noUnit)).conflict, false);
    // EXIF in cm: 118 px/cm agrees with 300 dpi within one step of the coarser unit.
    const at300 = withJpegSegment(withoutJpegSegments(rocket, [0xe0]), jfifSegment(300));
    const cm = densityFacts(readDensityDeclarations(withJpegSegment(at300, exifResolution(118, 118, 3, true), jfifEnd)));
    assert.deepEqual([cm.effective?.source, cm.effective?.unit, cm.conflict], ['exif', 'cm', false]);
  });

  it('reads Photoshop ResolutionInfo (IRB 0x03ED) as a declaration', async () => {
    const withIrb = withJpegSegment(await read('rocket.jpg'), photoshopResolution(240), 20);
    const all = readDensityDeclarations(withIrb);
    assert.deepEqual(all[1], { x: 240, y: 240, unit: 'inch', source: 'other' });
    // JFIF (72) still wins over Photoshop's (240): the flag says they disagree.
    assert.equal(densityFacts(all).effective?.source, 'jfif');
    assert.equal(densityFacts(all).conflict, true);
  });

  it('treats a pHYs chunk with unit 0 as an aspect ratio and reads BMP pixels per metre', () => {
    const phys = Buffer.alloc(9);
    phys.writeUInt32BE(3000, 0);
    phys.writeUInt32BE(3000, 4);
    phys[8] = 0;
    const png = png16(2, 2, () => 0);
    const withPhys = Buffer.concat([png.subarray(0, 33), pngChunk('pHYs', phys), png.subarray(33)]);
    assert.deepEqual(readDensityDeclarations(withPhys), [{ x: 3000, y: 3000, unit: 'none', source: 'png-phys' }]);
    assert.deepEqual(readDensityDeclarations(png), []);

    const bmp = Buffer.alloc(58);
    bmp.write('BM', 0, 'latin1');
    bmp.writeUInt32LE(58, 2);
    bmp.writeUInt32LE(54, 10);
    bmp.writeUInt32LE(40, 14);
    bmp.writeInt32LE(1, 18);
    bmp.writeInt32LE(1, 22);
    bmp.writeUInt32LE(11811, 38);
    bmp.writeUInt32LE(11811, 42);
    assert.deepEqual(readDensityDeclarations(bmp), [{ x: 11811, y: 11811, unit: 'm', source: 'other' }]);
  });

  it('survives truncated and hostile headers without reading out of bounds', async () => {
    const rocket = await read('rocket.jpg');
    for (const n of [0, 1, 2, 3, 5, 11, 19, 25, 40]) assert.doesNotThrow(() => readDensityDeclarations(rocket.subarray(0, n)));
    const broken = Buffer.from(exifResolution(300, 300, 2, true));
    broken.writeUInt32LE(0xfffffff0, 10 + 4); // IFD0 offset far outside the block
    assert.deepEqual(readDensityDeclarations(withJpegSegment(rocket.subarray(0, 2), broken)), []);
  });
});
