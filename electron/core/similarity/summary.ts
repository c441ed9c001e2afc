/** Sentences for people: what was done to the original, and the one-line verdict. */
import type { FindMatch, FindTransform } from '../../contract/index.ts';

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** The changes read off a match, in words ("cropped to 60%", "mirrored", …); empty when none. */
export function describeChanges(t: FindTransform): string[] {
  const out: string[] = [];
  const side = Math.sqrt(Math.max(0, t.cropShare));
  if (side < 0.93) out.push(`cropped to ${pct(side)}`);
  if (Math.abs(t.scale - 1) > 0.06) out.push(`scaled to ${pct(t.scale)}`);
  if (t.flip) out.push('mirrored');
  const r = t.rotation;
  if (Math.abs(r) >= 1.5) out.push(Math.abs(Math.abs(r) - 180) < 1.5 ? 'turned upside down' : `rotated ${Math.round(Math.abs(r))}° ${r > 0 ? 'clockwise' : 'anticlockwise'}`);
  if (t.padded) out.push('placed on a larger canvas (border or padding)');
  const c = t.colour;
  if (c.greyscale) out.push('made grey');
  else if (c.saturation < 0.8) out.push('less colourful');
  else if (c.saturation > 1.25) out.push('more colourful');
  if (c.brightness > 1.08) out.push('brightened');
  else if (c.brightness < 0.92) out.push('darkened');
  if (c.contrast < 0.88) out.push('with less contrast');
  else if (c.contrast > 1.12) out.push('with more contrast');
  if (t.overlay) out.push('with something put on top (text, a logo or a tag)');
  return out;
}

function joinWords(parts: string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)!}`;
}

/** One sentence: the best match and what changed, or why nothing matched. */
export function describeMatch(best: FindMatch | undefined, libraryTotal: number, searched: number): string {
  if (libraryTotal === 0) return 'Your library is empty: import your originals first, then search again.';
  if (searched === 0) return 'No library picture has a fingerprint yet: run the find back-fill (proofmark find backfill), then search again.';
  if (!best || !best.isMatch) return `No match in your library (${searched} picture${searched === 1 ? '' : 's'} searched).`;
  const changes = describeChanges(best.transform);
  const what = changes.length ? joinWords(changes) : 'no visible change apart from re-saving';
  return `This is your photo #${best.id} "${best.title}" (imported ${best.importedAt.slice(0, 10)}): ${what} — ${Math.round(best.score)}% match.`;
}
