/**
 * The find feature's decisions: fingerprint originals at import (and by back-fill), keep the
 * in-memory index in step with SQLite, search a suspect (candidates → verification → score →
 * what changed), find duplicate groups, and render comparisons.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { CallContext, DuplicateGroup, FindHiddenResult, FindMatch, FindResult, Progress } from '../../contract/index.ts';
import { ProofmarkError } from '../../contract/index.ts';
import type { CoreDeps } from '../deps.ts';
import { runBatch } from '../jobs/batch.ts';
import { detectHiddenInBytes } from '../watermark/hidden/api.ts';
import type { Affine } from '../dsp/affine.ts';
import { FINGERPRINT_VERSION, type QueryFingerprint, type Side, type Verification } from './kernels.ts';
import { SEARCH_OPTIONS, sideFor } from './candidates.ts';
import type { StoredFingerprint } from './codec.ts';
import { FingerprintRepository } from './repository.ts';
import { FingerprintIndex, type IndexHit, type QueryKeys } from './search-index.ts';
import { decodeLuma, readSuspect, type SuspectInput } from './decode.ts';
import { describeMap, pixelMapFromVariant, pixelMapFromWorkFit } from './geometry.ts';
import { MATCH_THRESHOLD, scoreOf } from './score.ts';
import { analysePixels } from './changes.ts';
import { describeMatch } from './summary.ts';

/** Candidates scoring below this are not reported at all (chance resemblance). */
const MIN_REPORTED = 5;
/** Matches whose pixels are analysed for colour and overlay changes. */
const ANALYSED = 3;

type Query = QueryFingerprint & { width: number; height: number };

const services = new WeakMap<CoreDeps, FindService>();

/** The one find service of a core (the index lives in it). */
export function findService(deps: CoreDeps): FindService {
  let s = services.get(deps);
  if (!s) {
    s = new FindService(deps);
    services.set(deps, s);
  }
  return s;
}

export interface BackfillResult {
  fingerprinted: number;
  alreadyDone: number;
  failed: { id: number; error: string }[];
}

/** The one fingerprinting run allowed at a time, and who follows its progress. */
interface FingerprintRun {
  done: Promise<BackfillResult>;
  listeners: Set<(p: Progress) => void>;
}

interface Scored {
  hit: IndexHit;
  fp: StoredFingerprint;
  verification: Verification | null;
  score: number;
  map: Affine;
  method: 'keypoints' | 'global-hash';
}

export class FindService {
  readonly repo: FingerprintRepository;
  private readonly deps: CoreDeps;
  private index: FingerprintIndex | null = null;
  private running: FingerprintRun | null = null;
  /** New images arrived while a run was going: run again when it ends. */
  private runAgain = false;

  constructor(deps: CoreDeps) {
    this.deps = deps;
    this.repo = new FingerprintRepository(deps.db);
  }

  /** Fingerprint of a decoded picture, computed in a worker thread. */
  async fingerprint(bytes: Uint8Array, name: string, query: true): Promise<{ fp: Query; original: { width: number; height: number }; format: string }>;
  async fingerprint(bytes: Uint8Array, name: string, query: false): Promise<{ fp: StoredFingerprint; original: { width: number; height: number }; format: string }>;
  async fingerprint(bytes: Uint8Array, name: string, query: boolean): Promise<{ fp: Query | StoredFingerprint; original: { width: number; height: number }; format: string }> {
    const decoded = await decodeLuma(bytes, { pixelLimit: this.deps.config.pixelLimit, name, query });
    const luma = decoded.luma.slice();
    const fp = await this.deps.pool.run('find.fingerprint', { luma, width: decoded.width, height: decoded.height, query }, { transfer: [luma.buffer] });
    return { fp: { ...fp, ...decoded.original } as Query | StoredFingerprint, original: decoded.original, format: decoded.probe.format };
  }

  /**
   * Import hook: the new originals are fingerprinted in the background right after the import
   * (not inside it, so photos reach the library at full speed); searches wait for the run.
   */
  fingerprintInBackground(): void {
    if (this.running) this.runAgain = true;
    else if (this.status().missing === 0) return;
    else this.startRun(false, { signal: this.deps.background.signal, progress: () => {} }, true);
  }

  private startRun(redo: boolean, ctx: CallContext, background: boolean): FingerprintRun {
    const listeners = new Set<(p: Progress) => void>([ctx.progress]);
    const work = this.fingerprintMissing(redo, { signal: ctx.signal, progress: (p) => listeners.forEach((l) => l(p)) });
    const run: FingerprintRun = {
      listeners,
      done: work.finally(() => {
        this.running = null;
        if (this.runAgain && !this.deps.background.signal.aborted) {
          this.runAgain = false;
          this.startRun(false, { signal: this.deps.background.signal, progress: () => {} }, true);
        }
      }),
    };
    this.running = run;
    if (background) this.deps.background.track(run.done).catch(() => {});
    return run;
  }

  /** Waits for the fingerprinting going on (its progress shown to the caller); what it did. */
  private async waitForRuns(ctx: CallContext): Promise<BackfillResult[]> {
    const results: BackfillResult[] = [];
    while (this.running) {
      const run = this.running;
      run.listeners.add(ctx.progress);
      try {
        results.push(await untilAborted(run.done, ctx.signal));
      } finally {
        run.listeners.delete(ctx.progress);
      }
    }
    return results;
  }

  private store(id: number, fp: StoredFingerprint): void {
    this.repo.put(id, fp);
    this.index?.add(indexEntry(id, fp));
  }

  /** The index, loaded from SQLite on first use (and again if another process changed the table). */
  private loadIndex(): FingerprintIndex {
    const stored = this.repo.count(FINGERPRINT_VERSION);
    if (this.index && this.index.size === stored) return this.index;
    const index = new FingerprintIndex();
    for (const { id, fp } of this.repo.each(FINGERPRINT_VERSION)) index.add(indexEntry(id, fp));
    index.compact();
    this.index = index;
    return index;
  }

  status() {
    const total = this.deps.library.images.count();
    const fingerprinted = this.repo.count(FINGERPRINT_VERSION);
    return { total, fingerprinted, missing: Math.max(0, total - fingerprinted), threshold: MATCH_THRESHOLD };
  }

  /** Fingerprints what is missing (or everything, with redo), after any run already going. */
  async backfill(redo: boolean, ctx: CallContext): Promise<BackfillResult> {
    const earlier = await this.waitForRuns(ctx);
    const own = await this.startRun(redo, ctx, false).done;
    return {
      fingerprinted: own.fingerprinted + earlier.reduce((a, r) => a + r.fingerprinted, 0),
      alreadyDone: own.alreadyDone - earlier.reduce((a, r) => a + r.fingerprinted, 0),
      failed: [...earlier.flatMap((r) => r.failed), ...own.failed],
    };
  }

  private async fingerprintMissing(redo: boolean, ctx: CallContext): Promise<BackfillResult> {
    const ids = this.repo.missing(FINGERPRINT_VERSION, redo);
    const alreadyDone = this.deps.library.images.count() - ids.length;
    const outcomes = await runBatch(ids, { concurrency: this.deps.config.concurrency, signal: ctx.signal, progress: ctx.progress, label: (id) => `#${id}`, phase: 'fingerprint' }, async (id) => {
      const file = this.deps.library.originalPath(id);
      const { fp } = await this.fingerprint(await fs.readFile(file), `#${id}`, false);
      this.store(id, fp);
    });
    const failed = outcomes.filter((o) => !o.ok).map((o) => ({ id: o.item, error: (o as { error: string }).error }));
    return { fingerprinted: outcomes.length - failed.length, alreadyDone, failed };
  }

  /** Searches the library for the originals of a suspect picture given as bytes. */
  async searchBytes(bytes: Uint8Array, opts: { limit?: number; name?: string; path?: string | null; ctx?: CallContext } = {}): Promise<FindResult> {
    const name = opts.name ?? 'the picture';
    const limit = opts.limit ?? 10;
    const t0 = performance.now();
    // The hidden-mark reading runs alongside (its own decode and worker tasks).
    const hiddenPromise = this.detectHidden(bytes);
    const query = await this.fingerprint(bytes, name, true).catch(async (err: unknown) => {
      await hiddenPromise;
      throw err;
    });
    const fingerprintMs = performance.now() - t0;
    // Photos imported a moment ago are being fingerprinted: a search includes them.
    await this.waitForRuns(opts.ctx ?? { signal: new AbortController().signal, progress: () => {} });
    const t1 = performance.now();
    const index = this.loadIndex();
    const status = this.status();
    const scored = index.size ? await this.rank(query.fp, index) : [];
    const queryMs = performance.now() - t1;
    const matches: FindMatch[] = [];
    for (const [i, s] of scored.slice(0, limit).entries()) {
      matches.push(await this.toMatch(s, query.fp, i < ANALYSED && s.score >= MATCH_THRESHOLD ? bytes : null));
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const exact = this.deps.library.images.bySha(sha256);
    const hidden = await hiddenPromise;
    const q = { width: query.original.width, height: query.original.height, format: query.format, sha256, name, path: opts.path ?? null };
    return {
      matches, threshold: MATCH_THRESHOLD, queryMs, fingerprintMs, searched: index.size, notFingerprinted: status.missing,
      query: q, exactItemId: exact?.id ?? null, hidden, summary: describeMatch(matches[0], status.total, index.size),
    };
  }

  async search(input: SuspectInput & { limit: number }, ctx: CallContext): Promise<FindResult> {
    const { bytes, name } = await readSuspect(input);
    const result = await this.searchBytes(bytes, { limit: input.limit, name, path: input.path ?? null, ctx });
    if (input.path === undefined) {
      // A pasted picture is kept for this session, so a complaint can attach it as a file.
      await fs.mkdir(this.deps.config.tempDir, { recursive: true });
      const file = path.join(this.deps.config.tempDir, `pasted-${result.query.sha256.slice(0, 16)}.${result.query.format === 'jpeg' ? 'jpg' : result.query.format}`);
      await fs.writeFile(file, bytes);
      result.query.path = file;
    }
    return result;
  }

  /** Candidates from the index, verified in worker threads, scored and ranked. */
  private async rank(query: Query, index: FingerprintIndex): Promise<Scored[]> {
    const hits = index.search(queryKeys(query), SEARCH_OPTIONS);
    const withFp = hits.map((hit) => ({ hit, fp: this.repo.get(hit.id) })).filter((c): c is { hit: IndexHit; fp: StoredFingerprint } => c.fp !== null);
    const verifications = await this.verify(query, withFp.map((c) => c.fp), withFp.map((c) => sideFor(c.hit)));
    const scored: Scored[] = withFp.map((c, i) => this.scoreOne(c.hit, c.fp, query, verifications[i] ?? null));
    scored.sort((a, b) => b.score - a.score || a.hit.distance - b.hit.distance || a.hit.id - b.hit.id);
    return scored.filter((s) => s.score >= MIN_REPORTED);
  }

  /** Splits the candidates over the worker threads. */
  private async verify(query: QueryFingerprint, candidates: StoredFingerprint[], sides?: Side[]): Promise<Verification[]> {
    if (candidates.length === 0) return [];
    const lanes = Math.max(1, Math.min(2, candidates.length));
    const per = Math.ceil(candidates.length / lanes);
    const parts = await Promise.all(
      Array.from({ length: lanes }, (_, i) => this.deps.pool.run('find.verify', { query, candidates: candidates.slice(i * per, (i + 1) * per), sides: sides?.slice(i * per, (i + 1) * per) })),
    );
    return parts.flat();
  }

  private scoreOne(hit: IndexHit, fp: StoredFingerprint, query: Query, v: Verification | null): Scored {
    const { score, local, global } = scoreOf(hit.distance, v, Math.min(textureOf(query), textureOf(fp)));
    const useFit = v !== null && v.map !== null && (local >= global || v.inliers >= 12);
    const map = useFit ? pixelMapFromWorkFit(fp, query, v.map!) : pixelMapFromVariant(fp, query, hit.variant);
    return { hit, fp, verification: v, score, map, method: useFit ? 'keypoints' : 'global-hash' };
  }

  private async toMatch(s: Scored, query: Query, suspectBytes: Uint8Array | null): Promise<FindMatch> {
    const item = this.deps.library.images.byId(s.hit.id)!;
    const geometry = describeMap(s.map, { width: item.width, height: item.height }, query);
    let colour = { brightness: 1, contrast: 1, saturation: 1, greyscale: false };
    let overlay = { share: 0, box: null as FindMatch['transform']['overlayBox'] };
    if (suspectBytes) {
      try {
        const pixels = await analysePixels(this.deps, s.hit.id, suspectBytes, s.map);
        colour = pixels.colour;
        overlay = { share: pixels.overlayShare, box: pixels.overlayBox };
      } catch {
        // The colour and overlay reading is extra detail; the match stands without it.
      }
    }
    return {
      id: item.id, sha256: item.sha256, title: item.title, importedAt: item.importedAt, width: item.width, height: item.height,
      score: s.score, isMatch: s.score >= MATCH_THRESHOLD,
      transform: { ...geometry, colour, overlay: overlay.share >= OVERLAY_MIN_SHARE, overlayShare: overlay.share, overlayBox: overlay.box, method: s.method },
      evidence: { globalDistance: s.hit.distance, inliers: s.verification?.inliers ?? 0, correlation: round3(s.verification?.correlation ?? 0), votes: s.hit.votes },
    };
  }

  private async detectHidden(bytes: Uint8Array): Promise<FindHiddenResult> {
    try {
      return { result: await detectHiddenInBytes(this.deps, bytes) };
    } catch (err) {
      return { result: null, error: (err as Error).message };
    }
  }

  /** The best-scoring verification of one original against a suspect (for the comparison renders). */
  async matchOne(originalId: number, suspect: Uint8Array, name: string): Promise<{ match: FindMatch | null; map: Affine | null; suspectSize: { width: number; height: number } }> {
    const fp = this.repo.get(originalId) ?? (await this.fingerprintOriginal(originalId));
    const query = await this.fingerprint(suspect, name, true);
    const [v] = await this.verify(query.fp, [fp]);
    const distance = Math.min(...Array.from({ length: 8 }, (_, d) => hammingWords(query.fp.variants, d * 8, fp.hash)));
    let variant = 0;
    for (let d = 0; d < 8; d++) if (hammingWords(query.fp.variants, d * 8, fp.hash) === distance) { variant = d; break; }
    const hit: IndexHit = { id: originalId, distance, variant, votes: 0, plainVotes: 0, mirrorVotes: 0, region: 64, window: -1 };
    const s = this.scoreOne(hit, fp, query.fp, v ?? null);
    return { match: await this.toMatch(s, query.fp, suspect), map: s.map, suspectSize: query.original };
  }

  private async fingerprintOriginal(id: number): Promise<StoredFingerprint> {
    const { fp } = await this.fingerprint(await fs.readFile(this.deps.library.originalPath(id)), `#${id}`, false);
    this.store(id, fp);
    return fp;
  }

  /** Groups of library items that match each other (connected components of match pairs). */
  async duplicates(ctx: CallContext): Promise<{ groups: DuplicateGroup[]; checked: number; notFingerprinted: number }> {
    await this.waitForRuns(ctx);
    const index = this.loadIndex();
    const ids: number[] = [];
    for (const { id } of this.repo.each(FINGERPRINT_VERSION)) ids.push(id);
    const parent = new Map<number, number>();
    const find = (x: number): number => {
      let r = x;
      while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
      parent.set(x, r);
      return r;
    };
    const pairScore = new Map<number, number>();
    const empty = { n: 0, x: new Float32Array(0), y: new Float32Array(0), angle: new Float32Array(0), octave: new Uint8Array(0), desc: new Uint32Array(0) };
    await runBatch(ids, { concurrency: 1, signal: ctx.signal, progress: ctx.progress, label: (id) => `#${id}`, phase: 'duplicates' }, async (id) => {
      const fp = this.repo.get(id);
      if (!fp) return;
      const query: Query = { ...fp, mirrored: empty };
      const scored = (await this.rank(query, index)).filter((s) => s.hit.id !== id && s.score >= MATCH_THRESHOLD);
      for (const s of scored) {
        parent.set(find(id), find(s.hit.id));
        pairScore.set(id, Math.max(pairScore.get(id) ?? 0, s.score));
        pairScore.set(s.hit.id, Math.max(pairScore.get(s.hit.id) ?? 0, s.score));
      }
    });
    const groups = new Map<number, number[]>();
    for (const id of pairScore.keys()) {
      const root = find(id);
      groups.set(root, [...(groups.get(root) ?? []), id]);
    }
    const out: DuplicateGroup[] = [...groups.values()]
      .filter((g) => g.length > 1)
      .map((g) => ({
        items: g.sort((a, b) => a - b).map((id) => {
          const item = this.deps.library.images.byId(id)!;
          return { id, sha256: item.sha256, title: item.title, score: pairScore.get(id) ?? 0 };
        }),
      }))
      .sort((a, b) => a.items[0]!.id - b.items[0]!.id);
    return { groups: out, checked: ids.length, notFingerprinted: this.status().missing };
  }
}

/** Overlay share of the matched region above which "something was put on top" is reported. */
export const OVERLAY_MIN_SHARE = 0.02;

/**
 * How much structure a picture has: mean absolute luma step between neighbouring pixels of its
 * thumbnail. Near 0 for sky, a wall or a plain backdrop, where the global hash is mostly noise.
 */
export function textureOf(fp: Pick<StoredFingerprint, 'thumb' | 'thumbWidth' | 'thumbHeight'>): number {
  const { thumb, thumbWidth: w, thumbHeight: h } = fp;
  let sum = 0;
  let n = 0;
  for (let y = 0; y + 1 < h; y++) {
    for (let x = 0; x + 1 < w; x++) {
      const i = y * w + x;
      sum += Math.abs(thumb[i]! - thumb[i + 1]!) + Math.abs(thumb[i]! - thumb[i + w]!);
      n += 2;
    }
  }
  return n ? sum / n : 0;
}

function queryKeys(q: QueryFingerprint): QueryKeys {
  return { variants: q.variants, whole: q.whole, plain: q.keypoints, mirrored: q.mirrored };
}

function indexEntry(id: number, fp: StoredFingerprint) {
  return { id, hash: fp.hash, n: fp.keypoints.n, angle: fp.keypoints.angle, desc: fp.keypoints.desc, regions: fp.regions };
}

function hammingWords(a: Uint32Array, offset: number, b: Uint32Array): number {
  let d = 0;
  for (let i = 0; i < 8; i++) {
    let v = (a[offset + i]! ^ b[i]!) >>> 0;
    while (v) {
      v &= v - 1;
      d++;
    }
  }
  return d;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

export function ensureFound<T>(value: T | null | undefined, message: string): T {
  if (value === null || value === undefined) throw new ProofmarkError('not_found', message);
  return value;
}

/** The work's result, or an AbortError as soon as the signal fires (the work itself goes on). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(Object.assign(new Error('cancelled'), { name: 'AbortError' }));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(Object.assign(new Error('cancelled'), { name: 'AbortError' }));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
