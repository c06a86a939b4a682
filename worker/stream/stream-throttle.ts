import { createTokenBucket, type Clock } from '../snapshot/token-bucket.ts';

// Throttling of the incremental phase (SPEC.md §2, DTS: rows/s and MB/s).
// Nothing is buffered to enforce it: the stream loop pays for each message
// before it reads the next, so a cap slows the reading of the replication
// socket and the wait reaches PostgreSQL as TCP backpressure (the WAL stream
// pauses the socket once its read-ahead is full). Rows are the change events
// of the stream (snapshot rows are capped by throttle.full); bytes are the
// pgoutput bytes read, of selected tables or not, since reading is what a
// source-side cap protects.

export type IncrementalLimits = { rowsPerSecond?: number; mbPerSecond?: number };

export type StreamThrottle = {
  /** Charges `rows` change events and `bytes` read; resolves once the caps allow more. */
  pay(rows: number, bytes: number, signal?: AbortSignal): Promise<void>;
};

/** undefined when no cap is set, so the loop pays nothing per message. */
export function createStreamThrottle(limits: IncrementalLimits | undefined, clock?: Clock): StreamThrottle | undefined {
  if (!limits?.rowsPerSecond && !limits?.mbPerSecond) return undefined;
  const rows = limits.rowsPerSecond ? createTokenBucket(limits.rowsPerSecond, { clock }) : undefined;
  const bytes = limits.mbPerSecond ? createTokenBucket(limits.mbPerSecond * 1024 * 1024, { clock }) : undefined;
  return {
    async pay(n, b, signal) {
      if (rows && n > 0) await rows.take(n, signal);
      if (bytes && b > 0) await bytes.take(b, signal);
    },
  };
}
