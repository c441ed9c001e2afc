import { useCallback, useRef, useState } from 'react';
import type { Input, MethodName, Output, Progress } from '../../../electron/contract/index.ts';
import { api, ApiError } from '../api.ts';

export interface JobState<T> {
  running: boolean;
  progress: Progress | null;
  result: T | null;
  error: string | null;
}

/** Runs one contract method with progress and cancel, keeping the state a screen needs. */
export function useJob<M extends MethodName>(method: M) {
  const [state, setState] = useState<JobState<Output<M>>>({ running: false, progress: null, result: null, error: null });
  const controller = useRef<AbortController | null>(null);

  const run = useCallback(
    async (input: Input<M>): Promise<Output<M> | null> => {
      controller.current?.abort();
      const c = new AbortController();
      controller.current = c;
      setState({ running: true, progress: null, result: null, error: null });
      try {
        const result = await api.call(method, input, { signal: c.signal, onProgress: (progress) => setState((s) => ({ ...s, progress })) });
        setState({ running: false, progress: null, result, error: null });
        return result;
      } catch (err) {
        setState({ running: false, progress: null, result: null, error: err instanceof ApiError || err instanceof Error ? err.message : String(err) });
        return null;
      }
    },
    [method],
  );

  const cancel = useCallback(() => controller.current?.abort(), []);
  return { ...state, run, cancel };
}
