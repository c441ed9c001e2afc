/**
 * IPTC-IIM inside a JPEG's APP13 "Photoshop 3.0" block: kept for JPEG → JPEG exports, with the
 * location datasets removed on request, and the IIM creator/copyright removed when ProofMark writes
 * new rights (the XMP then speaks alone, instead of two blocks disagreeing).
 */

const PHOTOSHOP = new TextEncoder().encode('Photoshop 3.0\0');
const IPTC_RESOURCE = 0x0404;
const IPTC_DIGEST = 0x0425;

/** Record 2 datasets: 26/27 content location, 90 city, 92 sub-location, 95 province, 100/101 country. */
const LOCATION = new Set([26, 27, 90, 92, 95, 100, 101]);
/** 80 by-line, 85 by-line title, 110 credit, 116 copyright notice. */
const RIGHTS = new Set([80, 85, 110, 116]);

function startsWith(b: Uint8Array, prefix: Uint8Array, at = 0): boolean {
  if (b.length < at + prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (b[at + i] !== prefix[i]) return false;
  return true;
}

/** APP13 "Photoshop 3.0" payloads of a JPEG, in file order. */
export function readJpegApp13(jpeg: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) return out;
  let o = 2;
  while (o + 4 <= jpeg.length && jpeg[o] === 0xff) {
    const marker = jpeg[o + 1]!;
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) { o += 2; continue; }
    if (marker === 0xda || marker === 0xd9) break;
    const len = (jpeg[o + 2]! << 8) | jpeg[o + 3]!;
    const payload = jpeg.subarray(o + 4, o + 2 + len);
    if (marker === 0xed && startsWith(payload, PHOTOSHOP)) out.push(payload);
    o += 2 + len;
  }
  return out;
}

function filterIim(iim: Uint8Array, drop: Set<number>): Uint8Array {
  const parts: Uint8Array[] = [];
  let o = 0;
  while (o + 5 <= iim.length && iim[o] === 0x1c) {
    const record = iim[o + 1]!;
    const dataset = iim[o + 2]!;
    let len = (iim[o + 3]! << 8) | iim[o + 4]!;
    let head = 5;
    if (len & 0x8000) {
      // Extended length: the low bits say how many bytes hold the real length.
      const n = len & 0x7fff;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + iim[o + 5 + i]!;
      head = 5 + n;
    }
    const end = o + head + len;
    if (end > iim.length) break;
    if (!(record === 2 && drop.has(dataset))) parts.push(iim.subarray(o, end));
    o = end;
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A filtered copy of an APP13 payload, or null when nothing remains. */
export function filterApp13(payload: Uint8Array, opts: { stripLocation: boolean; dropRights: boolean }): Uint8Array | null {
  const drop = new Set<number>([...(opts.stripLocation ? LOCATION : []), ...(opts.dropRights ? RIGHTS : [])]);
  const resources: Uint8Array[] = [];
  let o = PHOTOSHOP.length;
  while (o + 12 <= payload.length && payload[o] === 0x38 && payload[o + 1] === 0x42 && payload[o + 2] === 0x49 && payload[o + 3] === 0x4d) {
    const id = (payload[o + 4]! << 8) | payload[o + 5]!;
    const nameLen = payload[o + 6]!;
    const nameField = (1 + nameLen + 1) & ~1;
    const sizeAt = o + 6 + nameField;
    if (sizeAt + 4 > payload.length) break;
    const size = ((payload[sizeAt]! << 24) >>> 0) + (payload[sizeAt + 1]! << 16) + (payload[sizeAt + 2]! << 8) + payload[sizeAt + 3]!;
    const dataAt = sizeAt + 4;
    if (dataAt + size > payload.length) break;
    const next = dataAt + size + (size & 1);
    if (id === IPTC_RESOURCE && drop.size) {
      const iim = filterIim(payload.subarray(dataAt, dataAt + size), drop);
      if (iim.length) {
        const head = new Uint8Array(payload.subarray(o, sizeAt + 4)); // a copy: Buffer.slice would write into the source
        head[head.length - 4] = (iim.length >>> 24) & 0xff;
        head[head.length - 3] = (iim.length >>> 16) & 0xff;
        head[head.length - 2] = (iim.length >>> 8) & 0xff;
        head[head.length - 1] = iim.length & 0xff;
        resources.push(head, iim, new Uint8Array(iim.length & 1));
      }
    } else if (!(id === IPTC_DIGEST && drop.size)) {
      // The digest would no longer match the edited IIM; readers then trust the XMP.
      resources.push(payload.subarray(o, Math.min(next, payload.length)));
    }
    o = next;
  }
  if (!resources.length) return null;
  const out = new Uint8Array(PHOTOSHOP.length + resources.reduce((n, r) => n + r.length, 0));
  out.set(PHOTOSHOP, 0);
  let at = PHOTOSHOP.length;
  for (const r of resources) {
    out.set(r, at);
    at += r.length;
  }
  return out;
}

/** IIM datasets of record 2 in an APP13 payload, for tests: dataset number → text. */
export function listIptc(payload: Uint8Array): Map<number, string[]> {
  const found = new Map<number, string[]>();
  let o = PHOTOSHOP.length;
  while (o + 12 <= payload.length) {
    const id = (payload[o + 4]! << 8) | payload[o + 5]!;
    const nameField = (1 + payload[o + 6]! + 1) & ~1;
    const sizeAt = o + 6 + nameField;
    const size = ((payload[sizeAt]! << 24) >>> 0) + (payload[sizeAt + 1]! << 16) + (payload[sizeAt + 2]! << 8) + payload[sizeAt + 3]!;
    if (id === IPTC_RESOURCE) {
      const iim = payload.subarray(sizeAt + 4, sizeAt + 4 + size);
      let i = 0;
      while (i + 5 <= iim.length && iim[i] === 0x1c) {
        const len = (iim[i + 3]! << 8) | iim[i + 4]!;
        if (iim[i + 1] === 2) {
          const list = found.get(iim[i + 2]!) ?? [];
          list.push(new TextDecoder().decode(iim.subarray(i + 5, i + 5 + len)));
          found.set(iim[i + 2]!, list);
        }
        i += 5 + len;
      }
    }
    o = sizeAt + 4 + size + (size & 1);
  }
  return found;
}
