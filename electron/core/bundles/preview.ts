import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { PreviewResult } from '../../contract/index.ts';
import type { CoreDeps } from '../deps.ts';
import type { RenderedDoc } from './common.ts';

const run = promisify(execFile);

/** Pages in a PDF we wrote ourselves (pdfkit writes one /Type /Page object per page). */
export function countPages(pdf: Buffer): number {
  return pdf.toString('latin1').match(/\/Type \/Page\b(?!s)/g)?.length ?? 0;
}

function pngSize(bytes: Buffer): { width: number; height: number } {
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/**
 * Writes the PDFs to a temporary folder and renders every page to PNG with poppler's pdftoppm,
 * publishing each so the UI can show it. Only the latest previews are kept.
 */
export async function renderPreview(deps: CoreDeps, docs: RenderedDoc[], resolution = 70): Promise<PreviewResult> {
  const root = path.join(deps.config.tempDir, 'bundle-previews');
  await fs.mkdir(root, { recursive: true });
  const old = (await fs.readdir(root)).sort();
  for (const name of old.slice(0, Math.max(0, old.length - 2))) await fs.rm(path.join(root, name), { recursive: true, force: true });
  const dir = path.join(root, `${Date.now().toString(36)}-${crypto.randomBytes(3).toString('hex')}`);
  await fs.mkdir(dir);
  let pageError: string | null = null;
  const pdfPaths = await Promise.all(docs.map(async (d, i) => {
    const file = path.join(dir, `${String(i).padStart(2, '0')}.pdf`);
    await fs.writeFile(file, d.pdf);
    return file;
  }));
  const prefixOf = (i: number) => path.join(dir, `${String(i).padStart(2, '0')}-page`);
  // Pages in chunks of three, two pdftoppm processes at a time: a long report renders in parallel
  // without crowding the machine.
  const chunks = docs.flatMap((d, i) => {
    const n = Math.max(1, countPages(d.pdf));
    return Array.from({ length: Math.ceil(n / 3) }, (_, k) => ({ doc: i, first: k * 3 + 1, last: Math.min(n, k * 3 + 3) }));
  });
  let next = 0;
  await Promise.all([0, 1].map(async () => {
    while (next < chunks.length && !pageError) {
      const c = chunks[next++]!;
      try {
        await run('pdftoppm', ['-png', '-r', String(resolution), '-f', String(c.first), '-l', String(c.last), pdfPaths[c.doc]!, prefixOf(c.doc)], { timeout: 60_000 });
      } catch (err) {
        pageError ??= (err as NodeJS.ErrnoException).code === 'ENOENT'
          ? 'Page images need poppler\'s pdftoppm, which is not installed (Debian/Ubuntu: apt-get install poppler-utils; macOS: brew install poppler). The PDFs can still be opened.'
          : `The pages could not be rendered: ${(err as Error).message.split('\n')[0]}`;
      }
    }
  }));
  const names = (await fs.readdir(dir)).filter((n) => n.endsWith('.png')).sort();
  const pages: PreviewResult['documents'][number]['pages'][] = [];
  for (const i of docs.keys()) {
    const list = [];
    if (!pageError) {
      for (const n of names.filter((x) => x.startsWith(path.basename(prefixOf(i))))) {
        const file = path.join(dir, n);
        const head = Buffer.alloc(24);
        const h = await fs.open(file, 'r');
        await h.read(head, 0, 24, 0);
        await h.close();
        list.push({ token: deps.media.publish(file), ...pngSize(head) });
      }
    }
    pages.push(list);
  }
  const documents: PreviewResult['documents'] = docs.map((d, i) => ({
    name: d.file, title: d.title, pageCount: pages[i]!.length || countPages(d.pdf), pages: pages[i]!, pdfToken: deps.media.publish(pdfPaths[i]!),
  }));
  return { documents, pageError };
}
