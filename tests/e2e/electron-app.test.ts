import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { _electron as electron } from 'playwright-core';
import { ROOT, SCREENSHOT_DIR } from '../helpers/browser.ts';
import { tempDir } from '../helpers/corpus.ts';

/** The Electron binary's path, or why the desktop test cannot run on this machine. */
function electronBinary(): { path: string } | { skip: string } {
  // Read what require('electron') would, without triggering its download-on-first-use.
  const pkgDir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  const pathFile = path.join(pkgDir, 'path.txt');
  const binary = fs.existsSync(pathFile) ? path.join(pkgDir, 'dist', fs.readFileSync(pathFile, 'utf8').trim()) : '';
  if (!binary || !fs.existsSync(binary)) {
    return { skip: 'the Electron binary is not installed: electron downloads it on first use, and this machine cannot download it' };
  }
  if (!fs.existsSync(path.join(ROOT, 'out', 'main', 'index.js'))) return { skip: 'the app is not built (run "npx electron-vite build")' };
  return { path: binary };
}

const found = electronBinary();

test('the desktop app starts securely, shows the library and loads better-sqlite3', { skip: 'skip' in found ? found.skip : false, timeout: 120_000 }, async () => {
  const { dir, cleanup } = await tempDir();
  const app = await electron.launch({
    executablePath: (found as { path: string }).path,
    args: [ROOT, '--no-sandbox'],
    env: { ...process.env, PROOFMARK_LIBRARY: path.join(dir, 'library') },
  });
  try {
    const window = await app.firstWindow();
    await window.getByTestId('nav-library').waitFor();
    // No Node in the page, and only the contract's verbs cross the bridge.
    const page = await window.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      api: Object.keys((globalThis as unknown as { proofmark: object }).proofmark).sort(),
    }));
    assert.deepEqual(page, { require: 'undefined', process: 'undefined', api: ['cancel', 'methods', 'onProgress', 'pathForFile', 'pick', 'reveal'] });
    // A library call goes main → core → SQLite: better-sqlite3 loaded inside Electron.
    const count = await window.evaluate(async () => {
      const api = (window as unknown as { proofmark: { methods: Record<string, (i: unknown, id: string) => Promise<{ ok: boolean; value: { imageCount: number } }>> } }).proofmark;
      return (await api.methods['library.info']!({}, 'e2e-1')).value.imageCount;
    });
    assert.equal(count, 0);
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await window.screenshot({ path: path.join(SCREENSHOT_DIR, 'electron-library.png') });
  } finally {
    await app.close();
    await cleanup();
  }
});
