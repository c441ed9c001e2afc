import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import type { ExportResult } from '../../../electron/contract/index.ts';
import { CLI, runCli, type CliRun } from '../../helpers/cli.ts';
import { copyCorpus, corpusFile, tempDir } from '../../helpers/corpus.ts';
import { listFiles } from '../../helpers/watermark.ts';

test('proofmark watermark: files and folders in, marked files out, one JSON document with --json', { timeout: 60_000 }, async () => {
  const { dir, cleanup } = await tempDir('proofmark-wm-cli-');
  const lib = path.join(dir, 'lib');
  const src = path.join(dir, 'src');
  await copyCorpus(path.join(src, 'sub'), ['rocket.jpg']);
  const out = path.join(dir, 'out');
  const run = await runCli(['watermark', src, corpusFile('chelsea.png'), '--out', out, '--text', '© {year} {owner}\\n{filename}', '--owner', '王芳', '--position', 'top-left', '--size', '4', '--opacity', '0.7', '--format', 'webp', '--quality', '80', '--max-size', '400', '--dpi', '300', '--creator', '王芳', '--library', lib, '--json']);
  assert.equal(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout) as ExportResult;
  assert.equal(result.exported.length, 2);
  assert.deepEqual(await listFiles(out), ['chelsea.webp', 'sub/rocket.webp']);
  const m = await sharp(path.join(out, 'sub', 'rocket.webp')).metadata();
  assert.deepEqual([m.width, m.height], [400, 267]);
  assert.match(m.xmp!.toString('utf8'), /王芳/);

  const tiled = await runCli(['watermark', corpusFile('coffee.png'), '--out', out, '--text', 'ProofMark', '--tile', '--angle', '-20', '--library', lib]);
  assert.equal(tiled.code, 0, tiled.stderr);
  assert.match(tiled.stdout, /wrote +.*coffee\.jpg +600x400\n1 exported, 0 failed/);
  await cleanup();
});

test('proofmark watermark: usage errors exit 2 with a message that says what to fix; failed files exit 1', { timeout: 60_000 }, async () => {
  const { dir, cleanup } = await tempDir('proofmark-wm-cli-');
  const lib = ['--library', path.join(dir, 'lib')];
  const out = path.join(dir, 'out');
  const cases: [string[], RegExp][] = [
    [['watermark', corpusFile('rocket.jpg'), '--out', out, '--text', 'x', '--position', 'middle'], /--position must be one of top-left/],
    [['watermark', corpusFile('rocket.jpg'), '--out', out], /Give --text, --logo or --preset/],
    [['watermark', corpusFile('rocket.jpg'), '--out', out, '--text', '{nope}'], /\{nope\} is not a known token/],
  ];
  for (const [args, message] of cases) {
    const r = await runCli([...args, ...lib]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
  await fs.mkdir(path.join(dir, 'in'));
  await fs.writeFile(path.join(dir, 'in', 'broken.jpg'), 'not a jpeg');
  await copyCorpus(path.join(dir, 'in'), ['rocket.jpg']);
  const r = await runCli(['watermark', path.join(dir, 'in'), '--out', out, '--text', 'x', ...lib]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /error +.*broken\.jpg: broken\.jpg is not an image/);
  assert.match(r.stdout, /1 exported, 1 failed/);
  await cleanup();
});

test('proofmark watermark-presets: export to JSON and import into another library', { timeout: 60_000 }, async () => {
  const { dir, cleanup } = await tempDir('proofmark-wm-cli-');
  const file = path.join(dir, 'presets.json');
  const a = await runCli(['watermark-presets', 'export', file, 'Corner © owner', '--library', path.join(dir, 'a')]);
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stdout, /1 presets written/);
  const b = await runCli(['watermark-presets', 'import', file, '--library', path.join(dir, 'b'), '--json']);
  assert.equal(b.code, 0, b.stderr);
  assert.deepEqual(JSON.parse(b.stdout).renamed, [{ from: 'Corner © owner', to: 'Corner © owner (2)' }]);
  const used = await runCli(['watermark', corpusFile('rocket.jpg'), '--out', path.join(dir, 'out'), '--preset', 'Corner © owner (2)', '--owner', 'Li', '--library', path.join(dir, 'b')]);
  assert.equal(used.code, 0, used.stderr);
  const missing = await runCli(['watermark-presets', 'import', path.join(dir, 'nope.json'), '--library', path.join(dir, 'b')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nope\.json: the file does not exist/);
  await cleanup();
});

/** Runs the CLI with a file-size limit: any write past it fails (EFBIG), like a full disk. */
function runLimited(args: string[], kib: number): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const quoted = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const child = spawn('bash', ['-c', `ulimit -f ${kib}; exec ${quoted}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

test('a write that fails (disk full, simulated with a file-size limit): clear per-file error, the batch goes on, no partial files', { timeout: 60_000 }, async () => {
  const { dir, cleanup } = await tempDir('proofmark-wm-cli-');
  const src = path.join(dir, 'src');
  // Small photos fit under the limit; the 2560 px ones do not.
  await copyCorpus(src, ['rocket.jpg', 'grace_hopper.jpg', 'kite.jpg', 'path.jpg']);
  const out = path.join(dir, 'out');
  const r = await runLimited(['watermark', src, '--out', out, '--text', 'ProofMark', '--quality', '92', '--library', path.join(dir, 'lib'), '--json'], 250);
  assert.equal(r.code, 1, r.stderr);
  const result = JSON.parse(r.stdout) as ExportResult;
  assert.deepEqual(result.exported.map((e) => path.basename(e.output)).sort(), ['grace_hopper.jpg', 'rocket.jpg']);
  assert.deepEqual(result.failed.map((f) => path.basename(f.source)).sort(), ['kite.jpg', 'path.jpg']);
  for (const f of result.failed) assert.match(f.error, /^Writing .*\.jpg: the file is larger than this disk or process allows \(write failed\)\.$/);
  assert.deepEqual(await listFiles(out), ['grace_hopper.jpg', 'rocket.jpg']);
  await cleanup();
});
