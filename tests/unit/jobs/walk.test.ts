import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { looksLikeImageName } from '../../../electron/core/imaging/format.ts';
import { collectFiles } from '../../../electron/core/jobs/walk.ts';
import { tempDir } from '../../helpers/corpus.ts';

test('a folder walk keeps each image once, through links too, and says why a link leads nowhere', async () => {
  const { dir: parent, cleanup } = await tempDir();
  try {
    // Walked through a link to it, so paths as found differ from real paths.
    await fs.mkdir(path.join(parent, 'real'));
    await fs.symlink('real', path.join(parent, 'alias'), 'dir');
    const dir = path.join(parent, 'alias');
    for (const f of ['a.jpg', 'b.png', 'notes.txt', 'sub/c.jpg', 'sub/deeper/d.webp', '.hidden/e.jpg']) {
      await fs.mkdir(path.dirname(path.join(dir, f)), { recursive: true });
      await fs.writeFile(path.join(dir, f), f);
    }
    await fs.symlink('a.jpg', path.join(dir, 'z-link-to-a.jpg'));
    await fs.symlink('sub', path.join(dir, 'z-link-to-sub'), 'dir');
    await fs.symlink('missing.jpg', path.join(dir, 'dangling.jpg'));
    // (Links sort after what they point to: the first path found to a file is the one kept.)
    const accept = looksLikeImageName;
    // The folder, and one of its files named again directly.
    const all = await collectFiles([dir, path.join(dir, 'sub', 'c.jpg')], { recursive: true, accept });
    assert.deepEqual(all.files.map((f) => f.relative), ['a.jpg', 'b.png', 'sub/c.jpg', 'sub/deeper/d.webp']);
    assert.equal(all.files[0]!.path, path.join(dir, 'a.jpg'));
    assert.deepEqual(all.errors.map((e) => [path.basename(e.path), e.wording?.code]), [['dangling.jpg', 'file.missing']]);
    const top = await collectFiles([dir], { recursive: false, accept });
    assert.deepEqual(top.files.map((f) => f.relative), ['a.jpg', 'b.png']);
  } finally {
    await cleanup();
  }
});
