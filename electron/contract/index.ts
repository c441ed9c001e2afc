import type { z } from 'zod';
import type { MethodDef, Progress } from './define.ts';
import { libraryMethods } from './library.ts';
import { checkMethods } from './check.ts';
import { watermarkMethods } from './watermark.ts';
import { hiddenMethods } from './hidden.ts';
import { findMethods } from './find.ts';
import { bundlesMethods } from './bundles.ts';

export * from './define.ts';
export * from './errors.ts';
export * from './library.ts';
export * from './check.ts';
export * from './watermark.ts';
export * from './hidden.ts';
export * from './find.ts';
export * from './bundles.ts';

/** The one API. Every front end (IPC, CLI, bridge) is derived from this object. */
export const contract = {
  ...libraryMethods,
  ...checkMethods,
  ...watermarkMethods,
  ...hiddenMethods,
  ...findMethods,
  ...bundlesMethods,
} as const;

export type Contract = typeof contract;
export type MethodName = keyof Contract;
export const methodNames = Object.keys(contract) as MethodName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.hasOwn(contract, name);
}

/** What a caller sends (defaults may be omitted). */
export type Input<M extends MethodName> = z.input<Contract[M]['input']>;
/** What a handler receives, after validation and defaults. */
export type ParsedInput<M extends MethodName> = z.output<Contract[M]['input']>;
export type Output<M extends MethodName> = Contract[M] extends MethodDef<z.ZodType, infer O> ? O : never;

/** Given to every handler: cancel signal and progress reporting. */
export interface CallContext {
  signal: AbortSignal;
  progress: (p: Progress) => void;
}

export type Handler<M extends MethodName> = (input: ParsedInput<M>, ctx: CallContext) => Promise<Output<M>>;
export type Handlers = { [M in MethodName]: Handler<M> };
/** The handlers one feature provides: exactly the methods of its contract file. */
export type HandlersFor<Methods> = { [M in keyof Methods & MethodName]: Handler<M> };

export interface CallOptions {
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

/** The client side every front end offers the renderer: one typed call for every method. */
export interface ApiClient {
  call<M extends MethodName>(method: M, input: Input<M>, options?: CallOptions): Promise<Output<M>>;
  /** URL the renderer can put in <img src>: a library thumbnail or original, or a file the core produced. */
  mediaUrl(kind: MediaKind, ref: string | number): string;
}

export type MediaKind = 'thumb' | 'original' | 'file';
