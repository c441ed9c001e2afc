import { contract, isMethodName, type CallContext, type Handlers, type MethodName } from './index.ts';
import { ProofmarkError, toErrorInfo, type Envelope } from './errors.ts';

/** Turns zod issues into sentences that name the field. */
function describeIssues(issues: { path: PropertyKey[]; message: string }[]) {
  return issues.map((i) => ({ path: i.path.map(String).join('.') || '(input)', message: i.message }));
}

/** Validate raw input against the method's schema; throws ProofmarkError('invalid_input'). */
export function parseInput(method: MethodName, raw: unknown): unknown {
  const parsed = contract[method].input.safeParse(raw ?? {});
  if (!parsed.success) {
    const issues = describeIssues(parsed.error.issues);
    const first = issues[0];
    throw new ProofmarkError(
      'invalid_input',
      `Invalid input for ${method}: ${first ? `${first.path}: ${first.message}` : 'not accepted'}`,
      issues,
    );
  }
  return parsed.data;
}

/** The single entry point every front end uses: validate, call the handler, wrap in an envelope. */
export async function dispatch(handlers: Handlers, method: unknown, raw: unknown, ctx: CallContext): Promise<Envelope<unknown>> {
  try {
    if (!isMethodName(method)) throw new ProofmarkError('unknown_method', `There is no method called ${String(method)}.`);
    const input = parseInput(method, raw);
    const handler = handlers[method] as (input: unknown, ctx: CallContext) => Promise<unknown>;
    const value = await handler(input, ctx);
    return { ok: true, value };
  } catch (err) {
    if (ctx.signal.aborted && !(err instanceof ProofmarkError)) {
      return { ok: false, error: { code: 'cancelled', message: 'The job was cancelled.' } };
    }
    return { ok: false, error: toErrorInfo(err) };
  }
}
