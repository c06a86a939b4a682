import { realClock, type Clock } from '../snapshot/token-bucket.ts';

// Throttling of the incremental phase (SPEC.md §2, DTS: rows/s and MB/s).
// Nothing is buffered to enforce it: the stream loop charges each message as
// it handles it and, when a cap is exceeded, sleeps before reading the next,
// so a cap slows the reading of the replication socket and reaches PostgreSQL
// as TCP backpressure (the WAL stream pauses the socket once its read-ahead is
// full). Rows are the stream's change events (snapshot rows are capped by
// throttle.full); bytes are the pgoutput bytes read, of selected tables or
// not, since reading is what a source-side cap protects. Same debt rule as the
// snapshot's token-bucket.ts, but synchronous: a message under the caps costs
// no await on the hot path.

export type IncrementalLimits = { rowsPerSecond?: number; mbPerSecond?: number };

export type StreamThrottle = {
  /** Charges `rows` change events and `bytes` read; returns how long to wait before the next message (0: go on). */
  charge(rows: number, bytes: number): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
};

/** Bursts of at most a tenth of a second's worth. */
function debtBucket(ratePerSecond: number, clock: Clock) {
  const capacity = ratePerSecond * 0.1;
  let tokens = capacity;
  let last = clock.now();
  return (n: number): number => {
    const now = clock.now();
    tokens = Math.min(capacity, tokens + ((now - last) / 1000) * ratePerSecond) - n;
    last = now;
    return tokens < 0 ? (-tokens / ratePerSecond) * 1000 : 0;
  };
}

/** undefined when no cap is set, so the loop charges nothing. */
export function createStreamThrottle(limits: IncrementalLimits | undefined, clock: Clock = realClock): StreamThrottle | undefined {
  if (!limits?.rowsPerSecond && !limits?.mbPerSecond) return undefined;
  const rows = limits.rowsPerSecond ? debtBucket(limits.rowsPerSecond, clock) : undefined;
  const bytes = limits.mbPerSecond ? debtBucket(limits.mbPerSecond * 1024 * 1024, clock) : undefined;
  return {
    charge: (n, b) => Math.max(rows && n > 0 ? rows(n) : 0, bytes && b > 0 ? bytes(b) : 0),
    sleep: (ms, signal) => clock.sleep(ms, signal),
  };
}
