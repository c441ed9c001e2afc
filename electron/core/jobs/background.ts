/**
 * Work the core starts on its own rather than for a caller (fingerprinting new imports for
 * Find): it stops and is awaited when the core closes, so nothing writes to a closed database.
 */
export class BackgroundWork {
  private readonly controller = new AbortController();
  private readonly pending = new Set<Promise<unknown>>();

  /** Aborted when the core closes. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  track<T>(work: Promise<T>): Promise<T> {
    this.pending.add(work);
    work.then(
      () => this.pending.delete(work),
      () => this.pending.delete(work),
    );
    return work;
  }

  async close(): Promise<void> {
    this.controller.abort();
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }
}
