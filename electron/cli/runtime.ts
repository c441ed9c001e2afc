import fs from 'node:fs';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { dispatch } from '../contract/dispatch.ts';
import type { ErrorInfo, Input, MethodName, Output, Progress } from '../contract/index.ts';
import { createCore, type Core } from '../core/index.ts';

export const EXIT_OK = 0;
/** The answer is "no": a check failed, nothing was found, verification failed. */
export const EXIT_NEGATIVE = 1;
/** The command was used wrongly or its input was invalid. */
export const EXIT_USAGE = 2;

export interface GlobalOptions {
  library?: string;
  json?: boolean;
}

/** Thrown to stop a command with a message and an exit code (caught once, in main). */
export class CliExit extends Error {
  readonly exitCode: number;
  constructor(exitCode: number, message = '') {
    super(message);
    this.exitCode = exitCode;
  }
}

export function globalOptions(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals() as GlobalOptions;
}

function formatError(e: ErrorInfo): string {
  const lines = [e.message];
  for (const i of e.issues?.slice(1) ?? []) lines.push(`  ${i.path}: ${i.message}`);
  return lines.join('\n');
}

/** Opens the library's core for one command and always closes it. */
export async function withCore<T>(opts: GlobalOptions, fn: (core: Core) => Promise<T>): Promise<T> {
  const core = await createCore(opts.library ? { libraryDir: opts.library } : {});
  try {
    return await fn(core);
  } finally {
    await core.close();
  }
}

/**
 * Calls one contract method the way every front end does (validation, envelope), with a progress
 * bar on an interactive terminal and Ctrl-C as cancel. Errors become a message and exit code 2
 * (invalid input) or 1 (anything else).
 */
export async function invoke<M extends MethodName>(core: Core, method: M, input: Input<M>, opts: GlobalOptions = {}): Promise<Output<M>> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const bar = process.stderr.isTTY && !opts.json ? new SingleBar({ format: ' {bar} {value}/{total} {rate}/s ETA {eta_formatted} {current}', stream: process.stderr, hideCursor: true, clearOnComplete: true }) : null;
  let started = false;
  const progress = (p: Progress) => {
    if (!bar || p.total === 0) return;
    const payload = { current: p.current ? shorten(p.current) : '', rate: (p.rate ?? 0).toFixed(1) };
    if (!started) {
      bar.start(p.total, p.done, payload);
      started = true;
    } else bar.update(p.done, payload);
  };
  try {
    const result = await dispatch(core.handlers, method, input, { signal: controller.signal, progress });
    if (!result.ok) throw new CliExit(result.error.code === 'invalid_input' ? EXIT_USAGE : EXIT_NEGATIVE, formatError(result.error));
    return result.value as Output<M>;
  } finally {
    bar?.stop();
    process.off('SIGINT', onSigint);
  }
}

function shorten(text: string, max = 40): string {
  return text.length <= max ? text : `…${text.slice(-(max - 1))}`;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Usage error unless `file` is an existing regular file. */
export function requireFile(file: string): void {
  if (!fs.existsSync(file)) throw new CliExit(EXIT_USAGE, `${file} does not exist.`);
  if (!fs.statSync(file).isFile()) throw new CliExit(EXIT_USAGE, `${file} is not a file.`);
}
