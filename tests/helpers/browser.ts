import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startBridge, type Bridge } from '../../electron/bridge/server.ts';
import { createCore, type Core } from '../../electron/core/index.ts';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const RENDERER_DIR = path.join(ROOT, 'out', 'renderer');
export const SCREENSHOT_DIR = path.join(ROOT, 'test-results', 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why browser tests cannot run here, or null when they can. */
export function browserSkipReason(): string | null {
  if (!fs.existsSync(CHROMIUM)) return `Chromium not found at ${CHROMIUM} (apt-get install chromium)`;
  if (!fs.existsSync(path.join(RENDERER_DIR, 'index.html'))) return 'the renderer is not built (run "npx electron-vite build")';
  return null;
}

export interface AppSession {
  core: Core;
  bridge: Bridge;
  browser: Browser;
  page: Page;
  libraryDir: string;
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** The real renderer in headless Chromium, wired through the localhost bridge to a real core. */
export async function openApp(opts: { locale?: string; colorScheme?: 'light' | 'dark' } = {}): Promise<AppSession> {
  const work = await fsp.mkdtemp(path.join(os.tmpdir(), 'proofmark-e2e-'));
  const libraryDir = path.join(work, 'library');
  const core = await createCore({ libraryDir });
  const bridge = await startBridge({ core, rendererDir: RENDERER_DIR, uploadDir: path.join(work, 'uploads') });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  const context = await browser.newContext({ viewport: { width: 1360, height: 860 }, locale: opts.locale ?? 'en-US', colorScheme: opts.colorScheme ?? 'light' });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(bridge.appUrl);
  await fsp.mkdir(SCREENSHOT_DIR, { recursive: true });
  return {
    core, bridge, browser, page, libraryDir,
    async screenshot(name) {
      const file = path.join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path: file, fullPage: false });
      return file;
    },
    async close() {
      await browser.close();
      await bridge.close();
      await core.close();
      await fsp.rm(work, { recursive: true, force: true });
      if (pageErrors.length) throw new Error(`The page threw: ${pageErrors.join('; ')}`);
    },
  };
}

/** Drops real files on an element the way a person drags them from the file manager. */
export async function dropFiles(page: Page, selector: string, files: string[]): Promise<void> {
  const payload = await Promise.all(files.map(async (f) => ({ name: path.basename(f), data: (await fsp.readFile(f)).toString('base64') })));
  const transfer = await page.evaluateHandle((items) => {
    const dt = new DataTransfer();
    for (const item of items) {
      const bytes = Uint8Array.from(atob(item.data), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], item.name, { type: item.name.endsWith('.png') ? 'image/png' : 'image/jpeg' }));
    }
    return dt;
  }, payload);
  await page.dispatchEvent(selector, 'dragenter', { dataTransfer: transfer });
  await page.dispatchEvent(selector, 'dragover', { dataTransfer: transfer });
  await page.dispatchEvent(selector, 'drop', { dataTransfer: transfer });
}
