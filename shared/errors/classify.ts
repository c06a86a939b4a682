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

  if (typeof e.code === 'string' && e.code.startsWith('PLT_KFK_')) return classifyPlatformatic(err, e.code, message);

  if (typeof e.name === 'string' && e.name.startsWith('KafkaJS')) {
    const connectionLike = /Connection|Broker|Timeout|NumberOfRetriesExceeded/.test(e.name) || findErrno(err) !== undefined;
    return new TributaryError(connectionLike ? 'SinkUnreachable' : 'SinkRejected', `${e.name}: ${message}`, { cause: err });
  }

  const errno = findErrno(err);
  if (errno) {
    const code: ErrorCode = side === 'sink' ? 'SinkUnreachable' : errno === 'ECONNRESET' || errno === 'EPIPE' ? 'SourceConnectionLost' : 'SourceUnreachable';
    return new TributaryError(code, message, { cause: err });
  }
  // node-postgres' own words for a socket that died under it (no errno, no SQLSTATE)
  if (/timeout expired|Connection terminated|connection timeout|not queryable|Connection ended/i.test(message)) {
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

// @platformatic/kafka errors carry a PLT_KFK_* code and, for broker answers,
// `canRetry`; aggregates (PLT_KFK_MULTIPLE, "metadata failed 4 times") nest
// the real causes in `errors`, so the whole tree is searched.
function classifyPlatformatic(err: unknown, code: string, message: string): TributaryError {
  const nodes = flatten(err);
  const detail = [...new Set(nodes.map((n) => n.message).filter(Boolean))].join(': ') || message;
  if (code === 'PLT_KFK_AUTHENTICATION' || nodes.some((n) => n.code === 'PLT_KFK_AUTHENTICATION')) return new TributaryError('SinkAuthFailed', detail, { cause: err });
  // A transactional producer whose epoch is no longer current (a newer InitProducerId, or a transaction the coordinator timed out).
  if (nodes.some((n) => n.apiId === 'PRODUCER_FENCED' || n.apiId === 'INVALID_PRODUCER_EPOCH')) return new TributaryError('ProducerFenced', detail, { cause: err });
  const unreachable = nodes.some((n) => n.code === 'PLT_KFK_NETWORK' || n.code === 'PLT_KFK_TIMEOUT' || (typeof n.code === 'string' && SOCKET_ERRNOS.has(n.code)));
  if (unreachable) return new TributaryError('SinkUnreachable', detail, { cause: err });
  const verdicts = nodes.filter((n) => typeof n.canRetry === 'boolean');
  const retriable = verdicts.length > 0 && verdicts.every((n) => n.canRetry);
  return new TributaryError(retriable ? 'SinkUnreachable' : 'SinkRejected', detail, { cause: err });
}

export type ErrorNode = { code?: string; apiId?: string; message?: string; canRetry?: boolean; errors?: unknown[]; cause?: unknown };

/** An error and everything nested in it (aggregates' `errors`, `cause` chains), as the Kafka client builds them. */
export function flatten(err: unknown, depth = 0): ErrorNode[] {
  if (!err || typeof err !== 'object' || depth > 6) return [];
  const node = err as ErrorNode;
  return [node, ...(node.errors ?? []).flatMap((e) => flatten(e, depth + 1)), ...flatten(node.cause, depth + 1)];
}
