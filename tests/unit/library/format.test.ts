import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { extensionMatches, sniffFormat } from '../../../electron/core/imaging/format.ts';
import { exifDateToIso, fixLatin1Mojibake } from '../../../electron/core/imaging/metadata.ts';
import { corpusFile } from '../../helpers/corpus.ts';

test('format comes from the bytes, not the name', () => {
  assert.equal(sniffFormat(fs.readFileSync(corpusFile('rocket.jpg'))), 'jpeg');
  assert.equal(sniffFormat(fs.readFileSync(corpusFile('coffee.png'))), 'png');
  assert.equal(sniffFormat(Buffer.from('RIFF\0\0\0\0WEBPVP8 ')), 'webp');
  assert.equal(sniffFormat(Buffer.from('GIF89a')), 'gif');
  assert.equal(sniffFormat(Buffer.from([0x49, 0x49, 0x2a, 0])), 'tiff');
  assert.equal(sniffFormat(Buffer.from('\0\0\0\x1cftypavif')), 'avif');
  assert.equal(sniffFormat(Buffer.from('\0\0\0\x18ftypheic')), 'heif');
  assert.equal(sniffFormat(Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>')), 'svg');
  assert.equal(sniffFormat(Buffer.from('hello, this is text')), null);
  assert.equal(sniffFormat(new Uint8Array(0)), null);
});

test('extension check knows the usual spellings', () => {
  assert.equal(extensionMatches('a.JPG', 'jpeg'), true);
  assert.equal(extensionMatches('a.jpeg', 'jpeg'), true);
  assert.equal(extensionMatches('a.png', 'jpeg'), false);
});

test('EXIF dates stay local wall-clock time', () => {
  assert.equal(exifDateToIso('2015:07:21 16:17:44'), '2015-07-21T16:17:44');
  assert.equal(exifDateToIso('0000:00:00 00:00:00'), null);
  assert.equal(exifDateToIso(undefined), null);
});

test('UTF-8 text that exifr decoded as Latin-1 is re-decoded', () => {
  const mojibake = Buffer.from('红色茶壶 © 张三', 'utf8').toString('latin1');
  assert.equal(fixLatin1Mojibake(mojibake), '红色茶壶 © 张三');
  assert.equal(fixLatin1Mojibake('Café'), 'Café'); // real Latin-1 stays
  assert.equal(fixLatin1Mojibake('plain'), 'plain');
});
