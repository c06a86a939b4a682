import { TributaryError } from './tributary-error.ts';
import type { ErrorCode } from './error-codes.ts';

// The one place that decides what a failure is. Order matters: a PostgreSQL
// SQLSTATE is the most precise signal, then the Kafka client's own verdict,
// then Node's errno for sockets that never reached a protocol.

const SQLSTATE_CODES: Array<[RegExp, ErrorCode]> = [
  [/^28/, 'SourceAuthFailed'], // invalid authorization / password
  [/^08/, 'SourceUnreachable'], // connection exception
  [/^57P0[123]$/, 'SourceConnectionLost'], // admin / crash shutdown, cannot connect now
  [/^55006$/, 'SlotInUse'], // object in use: "replication slot ... is active for PID"
  [/^42P01$/, 'TableNotFound'],
  [/^42501$/, 'InsufficientPrivilege'],
  [/^53400$/, 'SlotLimitReached'], // configuration limit exceeded: all replication slots are in use
  [/^53/, 'SourceResourcesExhausted'],
];

const SOCKET_ERRNOS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

type Side = 'source' | 'sink';

export function classify(err: unknown, side: Side = 'source'): TributaryError {
  if (err instanceof TributaryError) return err;
  const e = (err ?? {}) as { code?: unknown; message?: unknown; retriable?: unknown; name?: unknown; cause?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(err);

  // Node's errno names can look like SQLSTATEs (EPIPE is five capitals), so they are excluded first.
  if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && !SOCKET_ERRNOS.has(e.code)) {
    for (const [pattern, code] of SQLSTATE_CODES) {
      if (pattern.test(e.code)) return new TributaryError(code, `${message} (SQLSTATE ${e.code})`, { cause: err });
    }
    return new TributaryError('SourceQueryFailed', `${message} (SQLSTATE ${e.code})`, { cause: err });
  }

  if (typeof e.name === 'string' && e.name.startsWith('KafkaJS')) {
    const connectionLike = /Connection|Broker|Timeout|NumberOfRetriesExceeded/.test(e.name) || findErrno(err) !== undefined;
    return new TributaryError(connectionLike ? 'SinkUnreachable' : 'SinkRejected', `${e.name}: ${message}`, { cause: err });
  }

  const errno = findErrno(err);
  if (errno) {
    const code: ErrorCode = side === 'sink' ? 'SinkUnreachable' : errno === 'ECONNRESET' || errno === 'EPIPE' ? 'SourceConnectionLost' : 'SourceUnreachable';
    return new TributaryError(code, message, { cause: err });
  }
  if (/timeout expired|Connection terminated|connection timeout/i.test(message)) {
    return new TributaryError(side === 'sink' ? 'SinkUnreachable' : 'SourceUnreachable', message, { cause: err });
  }
  return new TributaryError('Internal', message, { cause: err });
}

function findErrno(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && SOCKET_ERRNOS.has(e.code)) return e.code;
  }
  return undefined;
}
