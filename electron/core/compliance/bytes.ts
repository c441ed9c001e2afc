// Small helpers for reading and writing big- and little-endian fields in byte arrays.

export function u16(b: Uint8Array, o: number, le = false): number {
  return le ? (b[o] ?? 0) | ((b[o + 1] ?? 0) << 8) : ((b[o] ?? 0) << 8) | (b[o + 1] ?? 0);
}

export function u32(b: Uint8Array, o: number, le = false): number {
  return le ? u16(b, o, true) + u16(b, o + 2, true) * 0x10000 : u16(b, o) * 0x10000 + u16(b, o + 2);
}

export function put16(b: Uint8Array, o: number, v: number, le = false): void {
  if (le) {
    b[o] = v & 0xff;
    b[o + 1] = (v >>> 8) & 0xff;
  } else {
    b[o] = (v >>> 8) & 0xff;
    b[o + 1] = v & 0xff;
  }
}

export function put32(b: Uint8Array, o: number, v: number, le = false): void {
  if (le) {
    put16(b, o, v & 0xffff, true);
    put16(b, o + 2, Math.floor(v / 0x10000) & 0xffff, true);
  } else {
    put16(b, o, Math.floor(v / 0x10000) & 0xffff);
    put16(b, o + 2, v & 0xffff);
  }
}

export function ascii(b: Uint8Array, at: number, text: string): boolean {
  for (let i = 0; i < text.length; i++) if (b[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

export function latin1(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end && i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

/** Byte ranges where two arrays of the same length differ (adjacent differences merged). */
export function diffRanges(a: Uint8Array, b: Uint8Array): { offset: number; length: number }[] {
  const out: { offset: number; length: number }[] = [];
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n) {
    if (a[i] === b[i]) { i++; continue; }
    const start = i;
    while (i < n && a[i] !== b[i]) i++;
    out.push({ offset: start, length: i - start });
  }
  if (a.length !== b.length) out.push({ offset: n, length: Math.abs(a.length - b.length) });
  return out;
}
