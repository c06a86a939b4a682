// Job-wide throttling of the full phase (SPEC.md §2, DTS: source queries/s,
// rows/s, MB/s). A token bucket that may go into debt: rows and bytes are
// known only after a chunk was read, so they are taken afterwards and the
// next read waits until the debt is paid. Over any long window the rate is
// the cap; a burst is at most `burstSeconds` of it (plus one chunk).

export type TokenBucket = {
  /** Takes `n` tokens; resolves when the bucket is no longer in debt. */
  take(n: number, signal?: AbortSignal): Promise<void>;
};

export type Clock = { now(): number; sleep(ms: number, signal?: AbortSignal): Promise<void> };

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
    }),
};

export function createTokenBucket(ratePerSecond: number, opts: { burstSeconds?: number; clock?: Clock } = {}): TokenBucket {
  const clock = opts.clock ?? realClock;
  const capacity = ratePerSecond * (opts.burstSeconds ?? 0.1);
  let tokens = capacity;
  let last = clock.now();
  let queue: Promise<void> = Promise.resolve();

  const refill = () => {
    const now = clock.now();
    tokens = Math.min(capacity, tokens + ((now - last) / 1000) * ratePerSecond);
    last = now;
  };

  return {
    take(n, signal) {
      // Serialized: callers pay their debts in turn, so readers share the cap fairly.
      const turn = queue.then(async () => {
        refill();
        tokens -= n;
        while (tokens < 0 && !signal?.aborted) {
          await clock.sleep((-tokens / ratePerSecond) * 1000, signal);
          refill();
        }
      });
      queue = turn.catch(() => undefined);
      return turn;
    },
  };
}

export type ThrottleLimits = { queriesPerSecond?: number; rowsPerSecond?: number; mbPerSecond?: number };

export type Throttle = {
  beforeQuery(signal?: AbortSignal): Promise<void>;
  /** Records what a read returned; the next beforeQuery pays for it. */
  afterRead(rows: number, bytes: number): void;
};

export function createThrottle(limits: ThrottleLimits = {}, clock?: Clock): Throttle {
  const queries = limits.queriesPerSecond ? createTokenBucket(limits.queriesPerSecond, { burstSeconds: 1, clock }) : undefined;
  const rows = limits.rowsPerSecond ? createTokenBucket(limits.rowsPerSecond, { clock }) : undefined;
  const bytes = limits.mbPerSecond ? createTokenBucket(limits.mbPerSecond * 1024 * 1024, { clock }) : undefined;
  return {
    beforeQuery: async (signal) => {
      // a query with tokens to spare starts now; the debt of earlier reads is paid first
      await rows?.take(0, signal);
      await bytes?.take(0, signal);
      await queries?.take(1, signal);
    },
    afterRead: (n, b) => {
      void rows?.take(n);
      void bytes?.take(b);
    },
  };
}
