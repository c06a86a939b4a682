import { TributaryError } from '../../../shared/errors/tributary-error.ts';
import { classify } from '../../../shared/errors/classify.ts';
import type { ErrorCode } from '../../../shared/errors/error-codes.ts';

// A failure on the destination database, in the destination's words: the
// shared classify() speaks of the source for SQLSTATEs (it was written for
// one database), so the sink maps them itself — connection classes are
// retried for connectionRetryMinutes, a failed statement for
// otherRetryMinutes, a refused login or privilege needs a person.
const SQLSTATE_CODES: Array<[RegExp, ErrorCode]> = [
  [/^28/, 'DestinationAuthFailed'],
  [/^08/, 'DestinationUnreachable'],
  [/^57P0[123]$/, 'DestinationUnreachable'],
  [/^3D000$/, 'DestinationAuthFailed'], // database does not exist: the connection settings are wrong
  [/^42501$/, 'DestinationPrivilegeMissing'],
];

export function classifyDestination(err: unknown, context?: string): TributaryError {
  if (err instanceof TributaryError) return err;
  const e = (err ?? {}) as { code?: unknown; message?: unknown };
  const message = `${context ? `${context}: ` : ''}${typeof e.message === 'string' ? e.message : String(err)}`;
  if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && !/^E[A-Z]+$/.test(e.code)) {
    const code = SQLSTATE_CODES.find(([p]) => p.test(e.code as string))?.[1] ?? 'DestinationWriteFailed';
    return new TributaryError(code, `destination: ${message} (SQLSTATE ${e.code})`, { cause: err });
  }
  const generic = classify(err, 'sink');
  if (generic.code === 'SinkUnreachable') return new TributaryError('DestinationUnreachable', `destination: ${message}`, { cause: err });
  return new TributaryError(generic.code === 'Internal' ? 'DestinationWriteFailed' : generic.code, `destination: ${message}`, { cause: err });
}
