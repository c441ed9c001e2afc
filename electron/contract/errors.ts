export const errorCodes = [
  'invalid_input',
  'not_found',
  'unsupported_format',
  'too_large',
  'damaged_file',
  'io_error',
  'conflict',
  'cancelled',
  'unknown_method',
  'forbidden',
  'internal',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

/** A phrase's code and values, so the interface can word a message in its own language. */
export interface Wording {
  code: string;
  values?: Record<string, string | number>;
}

export interface ErrorInfo {
  code: ErrorCode;
  /** A sentence a person can act on. */
  message: string;
  /** Field-level problems for invalid input: where, and what is wrong. */
  issues?: { path: string; message: string }[];
  /** The message as a phrase code, where the interface has a translation. */
  wording?: Wording;
}

/** The one error type the core throws on purpose; anything else is reported as `internal`. */
export class ProofmarkError extends Error {
  readonly code: ErrorCode;
  readonly issues: ErrorInfo['issues'];
  wording: Wording | undefined;
  constructor(code: ErrorCode, message: string, issues?: ErrorInfo['issues']) {
    super(message);
    this.name = 'ProofmarkError';
    this.code = code;
    this.issues = issues;
  }
  /** Attaches the phrase code the interface translates; the English message stays as it is. */
  worded(code: string, values?: Wording['values']): this {
    this.wording = values ? { code, values } : { code };
    return this;
  }
  toInfo(): ErrorInfo {
    const info: ErrorInfo = { code: this.code, message: this.message };
    if (this.issues) info.issues = this.issues;
    if (this.wording) info.wording = this.wording;
    return info;
  }
}

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof ProofmarkError) return err.toInfo();
  if (err && typeof err === 'object' && 'name' in err && (err as Error).name === 'AbortError') {
    return { code: 'cancelled', message: 'The job was cancelled.' };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'internal', message: `Unexpected error: ${message}` };
}
