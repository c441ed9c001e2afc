import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ProofmarkError, type MediaKind } from '../contract/index.ts';
import type { LibraryService } from './library/service.ts';

const MIME: Record<string, string> = {
  '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.webp': 'image/webp', '.gif': 'image/gif',
  '.avif': 'image/avif', '.tif': 'image/tiff', '.tiff': 'image/tiff', '.bmp': 'image/bmp', '.svg': 'image/svg+xml', '.pdf': 'application/pdf',
};

export function mimeFor(file: string): string {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Which local files the UI may show: library thumbnails and originals by image id, and files the
 * core produced itself (previews, renders), each published under an unguessable token.
 * Nothing else on disk is reachable through the media URL.
 */
export class MediaRegistry {
  private readonly library: LibraryService;
  private readonly published = new Map<string, string>();
  constructor(library: LibraryService) {
    this.library = library;
  }

  publish(file: string): string {
    const token = randomBytes(16).toString('hex');
    this.published.set(token, path.resolve(file));
    return token;
  }

  resolve(kind: MediaKind, ref: string): { path: string; mime: string } {
    if (kind === 'file') {
      const file = this.published.get(ref);
      if (!file) throw new ProofmarkError('forbidden', 'That file was not produced by ProofMark in this session.');
      return { path: file, mime: mimeFor(file) };
    }
    const id = Number(ref);
    if (!Number.isInteger(id) || id <= 0) throw new ProofmarkError('invalid_input', `"${ref}" is not an image id.`);
    const item = this.library.images.byId(id);
    if (!item) throw new ProofmarkError('not_found', `There is no image #${id} in the library.`);
    if (kind === 'thumb') return { path: this.library.thumbnailPath(item), mime: 'image/webp' };
    const file = this.library.originalPath(id);
    return { path: file, mime: mimeFor(file) };
  }
}
