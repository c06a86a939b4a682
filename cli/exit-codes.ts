import { ApiError, ConnectionError, formatProblem } from './http-client.ts';

// Exit codes are the CLI's contract with scripts: a shell can tell a refused
// request from a mistyped command from a precheck that found blockers.
export const EXIT = { ok: 0, apiError: 1, usage: 2, precheckFailed: 3 } as const;

/** A mistake on the command line or in the job file: nothing was sent. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

// node:util parseArgs throws TypeErrors carrying ERR_PARSE_ARGS_* codes.
const isParseArgsError = (err: unknown) => err instanceof TypeError && String((err as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');

export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError || isParseArgsError(err)) return EXIT.usage;
  return EXIT.apiError; // API refusals, an unreachable API, and anything unexpected
}

/** What goes to stderr for a failure; with `json`, an API problem is printed as its JSON. */
export function describeError(err: unknown, json = false): string {
  if (err instanceof ApiError) return json ? JSON.stringify(err.problem, null, 2) : formatProblem(err);
  if (err instanceof UsageError || isParseArgsError(err)) return `error: ${(err as Error).message}\nRun "tributary help" for usage.`;
  if (err instanceof ConnectionError) return `error: ${err.message}`;
  return `error: unexpected failure: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
}
