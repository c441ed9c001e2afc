import type { z } from 'zod';
import type { Wording } from './errors.ts';

/** One method of the API: its validated input, its result type, and whether it runs as a job. */
export interface MethodDef<I extends z.ZodType = z.ZodType, O = unknown> {
  readonly input: I;
  readonly summary: string;
  /** Long-running work: reports progress and can be cancelled. */
  readonly job: boolean;
  /** Phantom field carrying the result type; never set at run time. */
  readonly output?: O;
}

/**
 * `method<Result>()({ input, summary })`: the result type is given explicitly,
 * the input type is inferred from its zod schema.
 */
export function method<O>() {
  return <I extends z.ZodType>(def: { input: I; summary: string; job?: boolean }): MethodDef<I, O> => ({
    input: def.input,
    summary: def.summary,
    job: def.job ?? false,
  });
}

/**
 * A warning about one result: English text for the CLI and JSON, and a code with its values so
 * the interface can word it in its own language (falling back to the text).
 */
export interface Notice extends Wording {
  text: string;
}

/** Progress of a job, as every front end shows it. */
export interface Progress {
  done: number;
  total: number;
  /** The file or item being worked on now. */
  current?: string;
  /** Items per second so far. */
  rate?: number;
  etaSeconds?: number;
  phase?: string;
}

/** Per-item outcome of a batch job (explicit, never silent). */
export type ItemOutcome<T> =
  | { status: 'done'; path: string; value: T }
  | { status: 'skipped'; path: string; reason: string }
  | { status: 'failed'; path: string; error: string };
