/**
 * The pixel tasks worker threads can run. Each feature adds its kernels here; the worker
 * (worker.ts) dispatches by name. Inputs and outputs must be structured-cloneable.
 */
export const tasks = {
  /** Sum of a byte array; used by the pool's own tests. */
  'test.sum': (input: { data: Uint8Array }) => input.data.reduce((a, b) => a + b, 0),
} satisfies Record<string, (input: never) => unknown>;

export type TaskName = keyof typeof tasks;
export type TaskInput<N extends TaskName> = Parameters<(typeof tasks)[N]>[0];
export type TaskOutput<N extends TaskName> = Awaited<ReturnType<(typeof tasks)[N]>>;
