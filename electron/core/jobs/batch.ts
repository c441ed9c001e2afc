import { ProofmarkError, type Progress, type Wording } from '../../contract/index.ts';

export interface BatchOptions<T> {
  concurrency: number;
  signal: AbortSignal;
  progress: (p: Progress) => void;
  label: (item: T) => string;
  phase?: string;
}

export type BatchResult<T, R> = { item: T; ok: true; value: R } | { item: T; ok: false; error: string; wording?: Wording };

/**
 * Runs `work` over items with bounded concurrency, reporting done/total/current/rate/ETA.
 * One item's failure is recorded and the batch goes on; cancellation stops starting new items
 * and lets the ones in flight finish (so nothing is left half-written); items never started are
 * reported as such.
 */
export async function runBatch<T, R>(items: readonly T[], opts: BatchOptions<T>, work: (item: T) => Promise<R>): Promise<BatchResult<T, R>[]> {
  const results: BatchResult<T, R>[] = new Array(items.length);
  const started = performance.now();
  let next = 0;
  let done = 0;
  const report = (current?: string) => {
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const p: Progress = { done, total: items.length, rate, etaSeconds: rate > 0 ? (items.length - done) / rate : undefined };
    if (current !== undefined) p.current = current;
    if (opts.phase) p.phase = opts.phase;
    opts.progress(p);
  };
  report();
  async function lane() {
    while (next < items.length && !opts.signal.aborted) {
      const index = next++;
      const item = items[index]!;
      report(opts.label(item));
      try {
        results[index] = { item, ok: true, value: await work(item) };
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        const wording = err instanceof ProofmarkError ? err.wording : undefined;
        results[index] = wording ? { item, ok: false, error, wording } : { item, ok: false, error };
      }
      done++;
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, items.length)) }, lane));
  report();
  for (let i = 0; i < items.length; i++) {
    results[i] ??= { item: items[i]!, ok: false, error: 'Not started: the job was cancelled.' };
  }
  return results;
}
