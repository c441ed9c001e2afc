import { latin1, u32 } from './bytes.ts';

/** What an ICC profile says about itself: its colour space and its description ("sRGB IEC61966-2.1"). */
export interface IccSummary {
  space: string;
  description: string | null;
}

export function readIccSummary(p: Uint8Array): IccSummary | null {
  if (p.length < 132 || latin1(p, 36, 40) !== 'acsp') return null;
  const space = latin1(p, 16, 20).trim();
  const count = u32(p, 128);
  let description: string | null = null;
  for (let i = 0; i < count && 132 + i * 12 + 12 <= p.length; i++) {
    const e = 132 + i * 12;
    if (latin1(p, e, e + 4) !== 'desc') continue;
    const at = u32(p, e + 4);
    const size = u32(p, e + 8);
    if (at + size > p.length || size < 12) break;
    const type = latin1(p, at, at + 4);
    if (type === 'desc') {
      // ICC v2 textDescriptionType: ASCII count (with NUL), then the text.
      const n = u32(p, at + 8);
      description = latin1(p, at + 12, Math.min(at + 12 + n, at + size)).replace(/\0.*$/s, '').trim() || null;
    } else if (type === 'mluc' && size >= 28) {
      // ICC v4 multiLocalizedUnicodeType: first record, UTF-16BE.
      const len = u32(p, at + 20);
      const off = u32(p, at + 24);
      let s = '';
      for (let k = at + off; k + 1 < at + off + len && k + 1 < p.length; k += 2) s += String.fromCharCode((p[k]! << 8) | p[k + 1]!);
      description = s.replace(/\0.*$/s, '').trim() || null;
    }
    break;
  }
  return { space, description };
}

/** "sRGB IEC61966-2.1", or the colour space when the profile has no description. */
export function iccLabel(s: IccSummary | null): string | null {
  if (!s) return null;
  return s.description ?? `${s.space} profile`;
}
