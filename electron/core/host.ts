import { dispatch } from '../contract/dispatch.ts';
import type { Envelope, Progress } from '../contract/index.ts';
import type { Core } from './index.ts';

/**
 * Runs contract calls for a front end that talks over a channel (Electron IPC, the HTTP bridge):
 * tracks calls in flight by the caller's id so they can be cancelled, and forwards progress
 * at most ten times a second (plus the final report).
 */
export class CallHost {
  private readonly core: Core;
  private readonly inFlight = new Map<string, AbortController>();
  constructor(core: Core) {
    this.core = core;
  }

  async call(method: unknown, input: unknown, callId: string, onProgress: (p: Progress) => void): Promise<Envelope<unknown>> {
    const controller = new AbortController();
    if (this.inFlight.has(callId)) return { ok: false, error: { code: 'conflict', message: `A call with id ${callId} is already running.` } };
    this.inFlight.set(callId, controller);
    let last = 0;
    const progress = (p: Progress) => {
      const now = Date.now();
      if (now - last < 100 && p.done !== p.total) return;
      last = now;
      onProgress(p);
    };
    try {
      return await dispatch(this.core.handlers, method, input, { signal: controller.signal, progress });
    } finally {
      this.inFlight.delete(callId);
    }
  }

  cancel(callId: string): boolean {
    const c = this.inFlight.get(callId);
    c?.abort();
    return Boolean(c);
  }

  cancelAll(): void {
    for (const c of this.inFlight.values()) c.abort();
  }
}
