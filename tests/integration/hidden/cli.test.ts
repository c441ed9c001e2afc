import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { runCli } from '../../helpers/cli.ts';
import { corpusFile, tempDir } from '../../helpers/corpus.ts';

test('proofmark hidden: embed, detect (exit 0 found, 1 not, 2 usage), key export and import', { timeout: 180_000 }, async () => {
  const { dir, cleanup } = await tempDir('proofmark-hidden-cli-');
  try {
    const lib = path.join(dir, 'lib');
    const other = path.join(dir, 'other');
    const input = path.join(dir, 'in.jpg');
    await sharp(corpusFile('autumn.jpg')).resize(1200).jpeg({ quality: 90 }).toFile(input);
    const out = path.join(dir, 'marked.jpg');

    const embed = await runCli(['hidden', 'embed', input, out, '--library', lib, '--image-id', '123', '--json']);
    assert.equal(embed.code, 0, embed.stderr);
    const e = JSON.parse(embed.stdout) as { ownerId: number; imageId: number; psnr: number };
    assert.equal(e.imageId, 123);
    assert.ok(e.psnr >= 40);

    const found = await runCli(['hidden', 'detect', out, '--library', lib, '--json']);
    assert.equal(found.code, 0, found.stderr);
    const f = JSON.parse(found.stdout) as { found: boolean; ownerId: number; imageId: number; confidence: number };
    assert.deepEqual([f.found, f.ownerId, f.imageId], [true, e.ownerId, 123]);
    assert.ok(f.confidence > 0.999999);
    const text = await runCli(['hidden', 'detect', out, '--library', lib]);
    assert.match(text.stdout, new RegExp(`FOUND .*owner ${e.ownerId} \\(this library\\), image #123`));

    const none = await runCli(['hidden', 'detect', input, '--library', lib, '--json']);
    assert.equal(none.code, 1);
    assert.equal((JSON.parse(none.stdout) as { found: boolean; ownerId: null }).found, false);

    // Usage errors: exit 2, nothing written.
    assert.equal((await runCli(['hidden', 'detect', path.join(dir, 'missing.jpg'), '--library', lib])).code, 2);
    assert.equal((await runCli(['hidden', 'embed', input, path.join(dir, 'x.jpg'), '--library', lib, '--image-id', 'abc'])).code, 2);
    assert.equal((await runCli(['hidden', 'embed', input, out, '--library', lib])).code, 2, 'never over an existing file');
    const tiny = path.join(dir, 'tiny.png');
    await sharp({ create: { width: 120, height: 90, channels: 3, background: '#888' } }).png().toFile(tiny);
    const small = await runCli(['hidden', 'embed', tiny, path.join(dir, 'tiny-out.png'), '--library', lib]);
    assert.equal(small.code, 2);
    assert.match(small.stderr, /at least 192 px/);
    const broken = path.join(dir, 'broken.jpg');
    await fs.writeFile(broken, (await fs.readFile(out)).subarray(0, 2000));
    const damaged = await runCli(['hidden', 'detect', broken, '--library', lib]);
    assert.equal(damaged.code, 1);
    assert.match(damaged.stderr, /damaged, truncated or not an image/);

    // Another library reads the mark only after importing the key backup.
    assert.equal((await runCli(['hidden', 'detect', out, '--library', other])).code, 1);
    const backup = path.join(dir, 'key.json');
    assert.equal((await runCli(['hidden', 'key', 'export', backup, '--library', lib])).code, 0);
    const imported = await runCli(['hidden', 'key', 'import', backup, '--library', other, '--json']);
    assert.equal(imported.code, 0, imported.stderr);
    assert.equal((JSON.parse(imported.stdout) as { ownerId: number }).ownerId, e.ownerId);
    assert.equal((await runCli(['hidden', 'detect', out, '--library', other])).code, 0);
    const info = await runCli(['hidden', 'key', 'info', '--library', other]);
    assert.match(info.stdout, new RegExp(`owner ${e.ownerId}`));
    await fs.writeFile(path.join(dir, 'junk.json'), '{"hello": 1}');
    assert.equal((await runCli(['hidden', 'key', 'import', path.join(dir, 'junk.json'), '--library', other])).code, 2);
  } finally {
    await cleanup();
  }
});
