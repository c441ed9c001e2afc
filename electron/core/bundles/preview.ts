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
  const documents: PreviewResult['documents'] = [];
  for (const [i, d] of docs.entries()) {
    const pdfPath = path.join(dir, `${String(i).padStart(2, '0')}.pdf`);
    await fs.writeFile(pdfPath, d.pdf);
    const pages: PreviewResult['documents'][number]['pages'] = [];
    if (!pageError) {
      const prefix = path.join(dir, `${String(i).padStart(2, '0')}-page`);
      try {
        await run('pdftoppm', ['-png', '-r', String(resolution), pdfPath, prefix], { timeout: 60_000 });
        const pngs = (await fs.readdir(dir)).filter((n) => n.startsWith(path.basename(prefix)) && n.endsWith('.png')).sort();
        for (const n of pngs) {
          const file = path.join(dir, n);
          const head = Buffer.alloc(24);
          const h = await fs.open(file, 'r');
          await h.read(head, 0, 24, 0);
          await h.close();
          pages.push({ token: deps.media.publish(file), ...pngSize(head) });
        }
      } catch (err) {
        pageError = (err as NodeJS.ErrnoException).code === 'ENOENT'
          ? 'Page images need poppler\'s pdftoppm, which is not installed (Debian/Ubuntu: apt-get install poppler-utils; macOS: brew install poppler). The PDFs can still be opened.'
          : `The pages could not be rendered: ${(err as Error).message.split('\n')[0]}`;
      }
    }
    documents.push({ name: d.file, title: d.title, pageCount: pages.length || countPages(d.pdf), pages, pdfToken: deps.media.publish(pdfPath) });
  }
  return { documents, pageError };
}
