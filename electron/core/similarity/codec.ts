/**
 * Compact binary form of a stored fingerprint (one SQLite BLOB): a small JSON header with the
 * scalar fields and the byte length of each typed array, then the arrays, each 4-byte aligned.
 */
import type { Keypoints } from './orb.ts';
import type { PictureFingerprint } from './kernels.ts';

/** A library original's fingerprint, with the picture's own size for mapping back to its pixels. */
export interface StoredFingerprint extends PictureFingerprint {
  /** The original's upright size in pixels. */
  width: number;
  height: number;
}

type ArrayName = 'hash' | 'phash64' | 'variants' | 'thumb' | 'x' | 'y' | 'angle' | 'octave' | 'desc' | 'regions' | 'whole';
const ARRAYS: { name: ArrayName; type: 'u32' | 'u8' | 'f32' }[] = [
  { name: 'hash', type: 'u32' }, { name: 'phash64', type: 'u32' }, { name: 'variants', type: 'u32' }, { name: 'thumb', type: 'u8' },
  { name: 'x', type: 'f32' }, { name: 'y', type: 'f32' }, { name: 'angle', type: 'f32' }, { name: 'octave', type: 'u8' }, { name: 'desc', type: 'u32' },
  // Since fingerprint version 3 (older blobs decode with these empty).
  { name: 'regions', type: 'u32' }, { name: 'whole', type: 'u32' },
];
const MAGIC = 0x50_4d_46_50; // "PMFP"

function arraysOf(fp: StoredFingerprint): Record<ArrayName, Uint32Array | Uint8Array | Float32Array> {
  const k = fp.keypoints;
  return { hash: fp.hash, phash64: fp.phash64, variants: fp.variants, thumb: fp.thumb, x: k.x, y: k.y, angle: k.angle, octave: k.octave, desc: k.desc, regions: fp.regions, whole: fp.whole };
}

export function encodeFingerprint(fp: StoredFingerprint): Buffer {
  const arrays = arraysOf(fp);
  const header = {
    version: fp.version, width: fp.width, height: fp.height, decodedWidth: fp.decodedWidth, decodedHeight: fp.decodedHeight,
    trim: fp.trim, workWidth: fp.workWidth, workHeight: fp.workHeight, thumbWidth: fp.thumbWidth, thumbHeight: fp.thumbHeight,
    n: fp.keypoints.n, lengths: ARRAYS.map((a) => arrays[a.name].byteLength),
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (n: number) => (4 - (n % 4)) % 4;
  const parts: Buffer[] = [];
  const head = Buffer.alloc(8);
  head.writeUInt32LE(MAGIC, 0);
  head.writeUInt32LE(json.length, 4);
  parts.push(head, json, Buffer.alloc(pad(json.length)));
  for (const a of ARRAYS) {
    const arr = arrays[a.name];
    parts.push(Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength), Buffer.alloc(pad(arr.byteLength)));
  }
  return Buffer.concat(parts);
}

export function decodeFingerprint(blob: Uint8Array): StoredFingerprint {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  if (blob.byteLength < 8 || view.getUint32(0, true) !== MAGIC) throw new Error('Not a ProofMark fingerprint.');
  const jsonLength = view.getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(blob.subarray(8, 8 + jsonLength))) as Omit<StoredFingerprint, 'hash' | 'phash64' | 'variants' | 'thumb' | 'keypoints' | 'regions' | 'whole'> & { n: number; lengths: number[] };
  let offset = 8 + jsonLength;
  offset += (4 - (offset % 4)) % 4;
  const arrays = {} as Record<ArrayName, Uint32Array | Uint8Array | Float32Array>;
  ARRAYS.forEach((a, i) => {
    const length = header.lengths[i] ?? 0;
    // Copy out into a fresh buffer: the blob may be a Node Buffer view (unaligned, pooled, reused by SQLite).
    const bytes = new Uint8Array(length);
    bytes.set(blob.subarray(offset, offset + length));
    arrays[a.name] = a.type === 'u8' ? bytes : a.type === 'u32' ? new Uint32Array(bytes.buffer, 0, length / 4) : new Float32Array(bytes.buffer, 0, length / 4);
    offset += length + ((4 - (length % 4)) % 4);
  });
  const keypoints: Keypoints = {
    n: header.n, x: arrays.x as Float32Array, y: arrays.y as Float32Array, angle: arrays.angle as Float32Array,
    octave: arrays.octave as Uint8Array, desc: arrays.desc as Uint32Array,
  };
  return {
    version: header.version, width: header.width, height: header.height, decodedWidth: header.decodedWidth, decodedHeight: header.decodedHeight,
    trim: header.trim, workWidth: header.workWidth, workHeight: header.workHeight, thumbWidth: header.thumbWidth, thumbHeight: header.thumbHeight,
    hash: arrays.hash as Uint32Array, phash64: arrays.phash64 as Uint32Array, variants: arrays.variants as Uint32Array, thumb: arrays.thumb as Uint8Array, keypoints,
    regions: arrays.regions as Uint32Array, whole: arrays.whole as Uint32Array,
  };
}
