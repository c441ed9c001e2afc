/**
 * The in-memory index over every fingerprint in the library: global hashes in one typed array
 * (scanned with popcounts), and keypoint descriptors in bit-sampling LSH tables (CSR arrays) whose
 * postings carry the keypoint's orientation, so votes for an original are counted per relative
 * rotation — the true original's votes pile up in one rotation bin, chance collisions spread out.
 */
import { popcount32 } from '../dsp/phash.ts';
import { lshKey, lshLayout, type LshLayout } from '../dsp/lsh.ts';
import { REGION_COUNT, REGION_WORDS } from './regions.ts';
import { RegionStore } from './popscan.ts';

const REGION_STRIDE = REGION_COUNT * REGION_WORDS;

export interface IndexedPicture {
  id: number;
  /** 256-bit global hash, 8 words. */
  hash: Uint32Array;
  /** Keypoints indexed: orientation (degrees) and descriptors (8 words each), strongest/spread first. */
  n: number;
  angle: Float32Array;
  desc: Uint32Array;
  /** Region hashes of its windows (REGION_COUNT × REGION_WORDS words), or empty. */
  regions?: Uint32Array;
}

export interface QueryKeys {
  /** 8 dihedral variants of the query's global hash (8 words each). */
  variants: Uint32Array;
  /** Region hash of the whole query (REGION_WORDS words), looked up among the windows. */
  whole?: Uint32Array;
  plain: { n: number; angle: Float32Array; desc: Uint32Array };
  mirrored: { n: number; angle: Float32Array; desc: Uint32Array };
}

export interface IndexHit {
  id: number;
  /** Smallest Hamming distance of the global hash over the 8 variants (0–255). */
  distance: number;
  /** Which dihedral variant gave it (see DIHEDRAL_NAMES). */
  variant: number;
  /** Orientation-consistent keypoint votes (the larger of the two below). */
  votes: number;
  /** Votes of the query's plain and of its mirrored keypoints. */
  plainVotes: number;
  mirrorVotes: number;
  /** Smallest distance of the query's whole region hash to one of the picture's windows (64: none). */
  region: number;
  /** That window (see regions.ts windowBox), or -1. */
  window: number;
}

export interface IndexOptions {
  tables?: number;
  bits?: number;
  /** Keypoints of each picture put in the tables. */
  perPicture?: number;
}

export const INDEX_DEFAULTS = { tables: 2, bits: 20, perPicture: 256 } as const;
const ANGLE_BINS = 16;
/** Bytes per picture in the vote array (one cache line), and where its best pairs and mark are. */
const VOTE_STRIDE = 64;
const VOTE_TOP = 2 * ANGLE_BINS;
const VOTE_MARK = VOTE_TOP + 2;

interface Table {
  offsets: Uint32Array;
  /** slot << 8 | orientation (0–255). */
  postings: Uint32Array;
  /** Added since the last compaction (keys and postings side by side); merged before a search. */
  pendKeys: Uint32Array;
  pendVals: Uint32Array;
  pendN: number;
}

export class FingerprintIndex {
  readonly layout: LshLayout;
  readonly perPicture: number;
  private ids = new Int32Array(1024);
  private hashes = new Uint32Array(1024 * 8);
  private regions = new RegionStore(REGION_COUNT);
  private alive = new Uint8Array(1024);
  private slotOf = new Map<number, number>();
  private slots = 0;
  private tables: Table[];
  private pendingCount = 0;
  /** A search's vote counters (see search). */
  private votes = new Uint8Array(0);
  private builtCount = 0;

  constructor(opts: IndexOptions = {}) {
    const tables = opts.tables ?? INDEX_DEFAULTS.tables;
    const bits = opts.bits ?? INDEX_DEFAULTS.bits;
    this.perPicture = opts.perPicture ?? INDEX_DEFAULTS.perPicture;
    this.layout = lshLayout(tables, bits);
    this.tables = Array.from({ length: tables }, () => ({ offsets: new Uint32Array((1 << bits) + 1), postings: new Uint32Array(0), pendKeys: new Uint32Array(4096), pendVals: new Uint32Array(4096), pendN: 0 }));
  }

  get size(): number {
    return this.slotOf.size;
  }

  has(id: number): boolean {
    return this.slotOf.has(id);
  }

  private grow(min: number) {
    if (min <= this.ids.length) return;
    const cap = Math.max(min, this.ids.length * 2);
    const ids = new Int32Array(cap);
    ids.set(this.ids);
    const hashes = new Uint32Array(cap * 8);
    hashes.set(this.hashes);
    const alive = new Uint8Array(cap);
    alive.set(this.alive);
    this.regions.reserve(cap);
    this.ids = ids;
    this.hashes = hashes;
    this.alive = alive;
  }

  /** Adds (or replaces) one picture. Its keypoints wait in a small side table until compaction. */
  add(p: IndexedPicture): void {
    this.remove(p.id);
    const slot = this.slots++;
    if (slot >= 1 << 24) throw new RangeError('The find index holds at most 16 million pictures.');
    this.grow(slot + 1);
    this.ids[slot] = p.id;
    this.hashes.set(p.hash.subarray(0, 8), slot * 8);
    // A picture without region hashes gets words no real hash comes near (a real one has 31 bits set).
    const words = this.regions.words(slot);
    if (p.regions && p.regions.length >= REGION_STRIDE) words.set(p.regions.subarray(0, REGION_STRIDE));
    else words.fill(0xffffffff);
    this.alive[slot] = 1;
    this.slotOf.set(p.id, slot);
    const n = Math.min(p.n, this.perPicture);
    for (let t = 0; t < this.tables.length; t++) {
      const table = this.tables[t]!;
      if (table.pendN + n > table.pendKeys.length) {
        const cap = Math.max(table.pendN + n, table.pendKeys.length * 2);
        const keys = new Uint32Array(cap);
        keys.set(table.pendKeys.subarray(0, table.pendN));
        const vals = new Uint32Array(cap);
        vals.set(table.pendVals.subarray(0, table.pendN));
        table.pendKeys = keys;
        table.pendVals = vals;
      }
      for (let i = 0; i < n; i++) {
        table.pendKeys[table.pendN] = lshKey(this.layout, p.desc, i, t);
        table.pendVals[table.pendN] = ((slot << 8) | angleByte(p.angle[i]!)) >>> 0;
        table.pendN++;
      }
    }
    this.pendingCount += n;
  }

  /** Forgets a picture (its postings are skipped, and dropped at the next compaction). */
  remove(id: number): void {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return;
    this.alive[slot] = 0;
    this.slotOf.delete(id);
  }

  /** Merges the side arrays into the CSR arrays (a counting sort by key); dead postings are dropped. */
  compact(): void {
    for (const table of this.tables) {
      const buckets = table.offsets.length - 1;
      const counts = new Uint32Array(buckets + 1);
      const old = table.postings;
      const oldOffsets = table.offsets;
      for (let k = 0; k < buckets; k++) {
        let c = 0;
        for (let j = oldOffsets[k]!; j < oldOffsets[k + 1]!; j++) if (this.alive[old[j]! >>> 8]) c++;
        counts[k] = c;
      }
      for (let i = 0; i < table.pendN; i++) if (this.alive[table.pendVals[i]! >>> 8]) counts[table.pendKeys[i]!]!++;
      const offsets = new Uint32Array(buckets + 1);
      for (let k = 0; k < buckets; k++) offsets[k + 1] = offsets[k]! + counts[k]!;
      const postings = new Uint32Array(offsets[buckets]!);
      const write = offsets.slice(0, buckets);
      for (let k = 0; k < buckets; k++) {
        for (let j = oldOffsets[k]!; j < oldOffsets[k + 1]!; j++) if (this.alive[old[j]! >>> 8]) postings[write[k]!++] = old[j]!;
      }
      for (let i = 0; i < table.pendN; i++) {
        const v = table.pendVals[i]!;
        if (this.alive[v >>> 8]) postings[write[table.pendKeys[i]!]!++] = v;
      }
      table.offsets = offsets;
      table.postings = postings;
      table.pendKeys = new Uint32Array(4096);
      table.pendVals = new Uint32Array(4096);
      table.pendN = 0;
    }
    this.builtCount = this.tables[0]?.postings.length ?? 0;
    this.pendingCount = 0;
    // WebAssembly starts in its baseline tier; one scan here lets the optimised code take over
    // before the first real search.
    this.regions.scan(new Uint32Array(REGION_WORDS), Math.min(this.slots, 20_000));
  }

  /**
   * Candidates for a query: the `globalTop` nearest global hashes within `maxDistance`, the
   * `regionTop` pictures with a window nearest the query's whole region hash (within
   * `maxRegion`), and the `localTop` pictures with most orientation-consistent keypoint votes
   * (at least `minVotes`).
   */
  search(q: QueryKeys, opts: { globalTop?: number; maxDistance?: number; localTop?: number; minVotes?: number; regionTop?: number; maxRegion?: number } = {}): IndexHit[] {
    if (this.pendingCount > 0) this.compact();
    const globalTop = opts.globalTop ?? 8;
    const maxDistance = opts.maxDistance ?? 100;
    const localTop = opts.localTop ?? 12;
    const minVotes = opts.minVotes ?? 3;
    const slots = this.slots;
    const hits = new Map<number, IndexHit>();
    const hitFor = (slot: number) => {
      let h = hits.get(slot);
      if (!h) {
        h = { id: this.ids[slot]!, distance: 256, variant: 0, votes: 0, plainVotes: 0, mirrorVotes: 0, region: 64, window: -1 };
        hits.set(slot, h);
      }
      return h;
    };

    // Global hashes: every picture against the 8 variants of the query.
    const best = new Uint16Array(slots).fill(256);
    const bestVariant = new Uint8Array(slots);
    const v = q.variants;
    const hs = this.hashes;
    for (let d = 0; d < 8; d++) {
      const o = d * 8;
      const v0 = v[o]!, v1 = v[o + 1]!, v2 = v[o + 2]!, v3 = v[o + 3]!, v4 = v[o + 4]!, v5 = v[o + 5]!, v6 = v[o + 6]!, v7 = v[o + 7]!;
      for (let s = 0, h = 0; s < slots; s++, h += 8) {
        const dist = popcount32(v0 ^ hs[h]!) + popcount32(v1 ^ hs[h + 1]!) + popcount32(v2 ^ hs[h + 2]!) + popcount32(v3 ^ hs[h + 3]!)
          + popcount32(v4 ^ hs[h + 4]!) + popcount32(v5 ^ hs[h + 5]!) + popcount32(v6 ^ hs[h + 6]!) + popcount32(v7 ^ hs[h + 7]!);
        if (dist < best[s]!) {
          best[s] = dist;
          bestVariant[s] = d;
        }
      }
    }
    for (const s of this.smallest(best, slots, globalTop, maxDistance)) hitFor(s);

    // Region hashes: the query's whole picture against every window of every picture.
    const regionTop = opts.regionTop ?? 4;
    const maxRegion = opts.maxRegion ?? 20;
    const useRegions = q.whole !== undefined && q.whole.length >= REGION_WORDS && regionTop > 0;
    const regionBest = useRegions ? this.regions.scan(q.whole!, slots) : new Uint8Array(slots).fill(64);
    if (useRegions) {
      for (const s of this.smallest(regionBest, slots, regionTop, maxRegion)) hitFor(s);
    }

    // Keypoint votes, per relative orientation bin, plain and mirrored query kept apart.
    // Work array kept between searches, one cache line per picture: the vote counters of both
    // sides (2 × ANGLE_BINS), the best pair of neighbouring bins of each side, a touched mark.
    // Only what a search touched is cleared after it.
    if (this.votes.length < slots * VOTE_STRIDE) this.votes = new Uint8Array(this.ids.length * VOTE_STRIDE);
    const votes = this.votes;
    const touched: number[] = [];
    const totalPostings = this.tables.reduce((a, t) => a + t.postings.length, 0);
    // Very crowded buckets are "stop words" (plain texture, sky): they carry no evidence.
    const stopAt = Math.max(64, Math.ceil((8 * totalPostings) / (this.tables.length * (this.tables[0]!.offsets.length - 1))));
    const sets = [q.plain, q.mirrored];
    for (let m = 0; m < 2; m++) {
      const set = sets[m]!;
      for (let i = 0; i < set.n; i++) {
        const qa = angleByte(set.angle[i]!);
        for (let t = 0; t < this.tables.length; t++) {
          const table = this.tables[t]!;
          const key = lshKey(this.layout, set.desc, i, t);
          const from = table.offsets[key]!;
          const to = table.offsets[key + 1]!;
          if (to - from > stopAt) continue;
          const postings = table.postings;
          for (let j = from; j < to; j++) {
            const p = postings[j]!;
            const slot = p >>> 8;
            const bin = (((qa - (p & 255)) & 255) * ANGLE_BINS) >>> 8;
            const line = slot * VOTE_STRIDE;
            const base = line + m * ANGLE_BINS;
            if (!votes[line + VOTE_MARK]) {
              votes[line + VOTE_MARK] = 1;
              touched.push(slot);
            }
            const v = votes[base + bin]! < 255 ? ++votes[base + bin]! : 255;
            // A rotation near a bin edge splits its votes over two neighbours: the best pair counts.
            const pair = Math.min(255, v + Math.max(votes[base + ((bin + ANGLE_BINS - 1) % ANGLE_BINS)]!, votes[base + ((bin + 1) % ANGLE_BINS)]!));
            if (pair > votes[line + VOTE_TOP + m]!) votes[line + VOTE_TOP + m] = pair;
          }
        }
      }
    }
    const scored: { slot: number; votes: number; plain: number; mirror: number }[] = [];
    for (const slot of touched) {
      const line = slot * VOTE_STRIDE;
      const plain = votes[line + VOTE_TOP]!;
      const mirror = votes[line + VOTE_TOP + 1]!;
      const top = Math.max(plain, mirror);
      if (top >= minVotes && this.alive[slot]) scored.push({ slot, votes: top, plain, mirror });
      votes.fill(0, line, line + VOTE_STRIDE);
    }
    scored.sort((a, b) => b.votes - a.votes || a.slot - b.slot);
    const note = (s: (typeof scored)[number], h: IndexHit) => {
      h.votes = s.votes;
      h.plainVotes = s.plain;
      h.mirrorVotes = s.mirror;
    };
    for (const s of scored.slice(0, localTop)) note(s, hitFor(s.slot));
    for (const s of scored) if (hits.has(s.slot)) note(s, hits.get(s.slot)!);

    for (const [slot, h] of hits) {
      h.distance = best[slot]!;
      h.variant = bestVariant[slot]!;
      h.region = regionBest[slot]!;
      h.window = useRegions ? this.nearestWindow(slot, q.whole!) : -1;
    }
    return [...hits.values()];
  }

  /**
   * The `k` live slots with the smallest values (at most `max`), smallest first, ties by slot:
   * a counting pass instead of sorting the many pictures within reach of a large library.
   */
  private smallest(values: Uint8Array | Uint16Array, slots: number, k: number, max: number): number[] {
    if (k <= 0) return [];
    const counts = new Uint32Array(max + 2);
    for (let s = 0; s < slots; s++) if (values[s]! <= max && this.alive[s]) counts[values[s]!]!++;
    let cut = 0;
    for (let total = 0; cut <= max && total + counts[cut]! < k; cut++) total += counts[cut]!;
    const out: number[] = [];
    for (let s = 0; s < slots; s++) if (values[s]! <= cut && values[s]! <= max && this.alive[s]) out.push(s);
    out.sort((a, b) => values[a]! - values[b]! || a - b);
    return out.slice(0, k);
  }

  /** The window of picture `slot` nearest a region hash (-1 when it has none). */
  private nearestWindow(slot: number, whole: Uint32Array): number {
    const words = this.regions.words(slot);
    let best = 64;
    let at = -1;
    for (let w = 0; w < REGION_COUNT; w++) {
      const d = popcount32((whole[0]! ^ words[w * 2]!) >>> 0) + popcount32((whole[1]! ^ words[w * 2 + 1]!) >>> 0);
      if (d < best) {
        best = d;
        at = w;
      }
    }
    return at;
  }
}

function angleByte(deg: number): number {
  return Math.round((deg / 360) * 256) & 255;
}
