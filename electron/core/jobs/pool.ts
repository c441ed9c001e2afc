import os from 'node:os';
import { Piscina } from 'piscina';
import type { TaskName, TaskInput, TaskOutput } from './tasks.ts';

/**
 * Worker threads for pure-JS pixel kernels (sharp already runs on its own libuv pool).
 * The worker script is given by the composition root: the .ts source under plain Node,
 * the bundled .js inside Electron.
 */
export class PixelPool {
  private readonly piscina: Piscina;
  constructor(workerScript: string | URL, threads = Math.max(1, Math.min(4, os.availableParallelism()))) {
    this.piscina = new Piscina({ filename: workerScript.toString(), minThreads: 0, maxThreads: threads, idleTimeout: 5_000 });
    // Cancelling stops a worker mid-task; if its answer was already on the way, piscina reports it
    // as an 'error' event, which with no listener would take the whole process down.
    this.piscina.on('error', (err: Error) => {
      if (!err.message.startsWith('Unexpected message from Worker')) console.error('pixel worker pool:', err);
    });
  }

  run<N extends TaskName>(name: N, input: TaskInput<N>, opts: { transfer?: ArrayBuffer[]; signal?: AbortSignal } = {}): Promise<TaskOutput<N>> {
    return this.piscina.run({ name, input }, { transferList: opts.transfer as never, signal: opts.signal ?? null }) as Promise<TaskOutput<N>>;
  }

  async close(): Promise<void> {
    await this.piscina.destroy();
  }
}
