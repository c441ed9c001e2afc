import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { readShared, resultCopy, resultSpace, SharedLease, withSharedCopy } from '../../../electron/core/jobs/shared-bytes.ts';
import { corpusFile, tempDir } from '../../helpers/corpus.ts';

test('a lease holds its buffers until released; released buffers are taken again', () => {
  const first = new SharedLease();
  const a = first.take(100_000);
  const b = first.take(100_000);
  assert.ok(a.buffer instanceof SharedArrayBuffer && a.byteLength >= 100_000);
  assert.notEqual(a.buffer, b.buffer, 'two buffers held at once are two');
  first.release();
  const second = new SharedLease();
  const again = [second.take(100_000), second.take(50_000)];
  assert.deepEqual(new Set(again.map((x) => x.buffer)), new Set([a.buffer, b.buffer]), 'both come back to the next lease');
  const third = new SharedLease();
  assert.ok(![a.buffer, b.buffer].includes(third.take(100_000).buffer), 'a buffer still held is not lent twice');
  second.release();
  third.release();
});

test('a file is read whole into shared memory, an empty one too', async () => {
  const lease = new SharedLease();
  try {
    const bytes = await readShared(corpusFile('kite.jpg'), lease);
    assert.ok(bytes.buffer instanceof SharedArrayBuffer);
    assert.ok(bytes.equals(await fs.readFile(corpusFile('kite.jpg'))));
    const { dir, cleanup } = await tempDir();
    try {
      await fs.writeFile(path.join(dir, 'empty.jpg'), '');
      assert.equal((await readShared(path.join(dir, 'empty.jpg'), lease)).length, 0);
      await assert.rejects(readShared(path.join(dir, 'gone.jpg'), lease), { code: 'ENOENT' });
    } finally {
      await cleanup();
    }
  } finally {
    lease.release();
  }
});

test('a file whose size is unknown is read to its end', async () => {
  // A FIFO reports size 0; what the writer sends must still all arrive, past the first buffer.
  const { dir, cleanup } = await tempDir();
  const lease = new SharedLease();
  try {
    const fifo = path.join(dir, 'grows');
    execFileSync('mkfifo', [fifo]);
    const sent = Buffer.alloc(300_000, 7).fill(9, 150_000);
    const [read] = await Promise.all([readShared(fifo, lease), fs.writeFile(fifo, sent)]);
    assert.ok(read.equals(sent), `read ${read.length} of ${sent.length} bytes`);
    // A /proc file says 0 bytes too.
    assert.match((await readShared('/proc/self/status', lease)).toString(), /^VmRSS:/m);
  } finally {
    lease.release();
    await cleanup();
  }
});

test('bytes already on shared memory go to a worker as they are; others are copied there', async () => {
  const lease = new SharedLease();
  const shared = lease.take(16).subarray(0, 16);
  assert.equal(await withSharedCopy(shared, async (s) => s), shared);
  const plain = Uint8Array.from([1, 2, 3]);
  const copied = await withSharedCopy(plain, async (s) => (assert.ok(s.buffer instanceof SharedArrayBuffer), Array.from(s)));
  assert.deepEqual(copied, [1, 2, 3]);
  lease.release();
});

test('a worker\'s result goes into the caller\'s buffer when it fits, else into memory of its own', () => {
  const into = new SharedLease().take(10);
  const fits = resultCopy(Uint8Array.from([4, 5, 6]), into);
  assert.equal(fits.buffer, into.buffer);
  assert.deepEqual(Array.from(fits), [4, 5, 6]);
  const large = resultSpace(into)(into.byteLength + 1);
  assert.ok(!(large.buffer instanceof SharedArrayBuffer) && large.byteLength === into.byteLength + 1);
  assert.ok(!(resultSpace(undefined)(4).buffer instanceof SharedArrayBuffer));
});
