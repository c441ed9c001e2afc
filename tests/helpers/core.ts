import { createCore, type Core } from '../../electron/core/index.ts';
import { dispatch } from '../../electron/contract/dispatch.ts';
import type { Input, MethodName, Output, Progress } from '../../electron/contract/index.ts';
import { tempDir } from './corpus.ts';

/** A real core on a fresh library in a temp folder. */
export async function testCore(): Promise<{ core: Core; libraryDir: string; close: () => Promise<void> }> {
  const { dir, cleanup } = await tempDir('proofmark-lib-');
  const core = await createCore({ libraryDir: dir });
  return { core, libraryDir: dir, close: async () => { await core.close(); await cleanup(); } };
}

/** Calls a method through the contract exactly as the front ends do; throws on an error envelope. */
export async function call<M extends MethodName>(core: Core, method: M, input: Input<M>, onProgress?: (p: Progress) => void): Promise<Output<M>> {
  const result = await dispatch(core.handlers, method, input, { signal: new AbortController().signal, progress: onProgress ?? (() => {}) });
  if (!result.ok) throw Object.assign(new Error(result.error.message), { info: result.error });
  return result.value as Output<M>;
}
