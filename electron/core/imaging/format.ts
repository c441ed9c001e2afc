import type { ImageFormat } from '../../contract/index.ts';

/** The real format of a file, from its first bytes (never its name). */
export function sniffFormat(head: Uint8Array): ImageFormat | null {
  const b = head;
  const at = (i: number) => b[i] ?? -1;
  const ascii = (start: number, text: string) => [...text].every((c, i) => at(start + i) === c.charCodeAt(0));
  if (at(0) === 0xff && at(1) === 0xd8 && at(2) === 0xff) return 'jpeg';
  if (at(0) === 0x89 && ascii(1, 'PNG\r\n\x1a\n')) return 'png';
  if (ascii(0, 'GIF87a') || ascii(0, 'GIF89a')) return 'gif';
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return 'webp';
  if ((at(0) === 0x49 && at(1) === 0x49 && at(2) === 0x2a && at(3) === 0) || (at(0) === 0x4d && at(1) === 0x4d && at(2) === 0 && at(3) === 0x2a)) return 'tiff';
  if (ascii(0, 'BM') && b.length > 14) return 'bmp';
  if (ascii(4, 'ftyp')) {
    const brand = String.fromCharCode(at(8), at(9), at(10), at(11));
    if (brand === 'avif' || brand === 'avis') return 'avif';
    if (['heic', 'heix', 'hevc', 'heim', 'heis', 'mif1', 'msf1'].includes(brand)) return 'heif';
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(b.subarray(0, 512)).trimStart().toLowerCase();
  if (text.startsWith('<svg') || (text.startsWith('<?xml') && text.includes('<svg'))) return 'svg';
  return null;
}

export const extensionsByFormat: Record<ImageFormat, readonly string[]> = {
  jpeg: ['jpg', 'jpeg', 'jpe', 'jfif'],
  png: ['png'],
  webp: ['webp'],
  gif: ['gif'],
  tiff: ['tif', 'tiff'],
  avif: ['avif'],
  heif: ['heic', 'heif'],
  bmp: ['bmp'],
  svg: ['svg'],
};

export function canonicalExtension(format: ImageFormat): string {
  return extensionsByFormat[format][0] ?? format;
}

export function extensionMatches(fileName: string, format: ImageFormat): boolean {
  const ext = fileName.toLowerCase().split('.').pop() ?? '';
  return extensionsByFormat[format].includes(ext);
}

/** Whether a file name looks like an image we should pick up when walking a folder. */
export function looksLikeImageName(fileName: string): boolean {
  const ext = fileName.toLowerCase().split('.').pop() ?? '';
  return Object.values(extensionsByFormat).some((list) => list.includes(ext));
}
