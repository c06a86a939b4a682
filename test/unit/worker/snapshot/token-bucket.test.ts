import { describe, expect, it } from 'vitest';
import { createThrottle, createTokenBucket, type Clock } from '../../../../worker/snapshot/token-bucket.ts';

// A fake clock: sleeping advances time, so the tests measure the bucket's
// arithmetic, not the machine's timers.
function fakeClock() {
  let t = 0;
  const clock: Clock & { t(): number } = {
    now: () => t,
    sleep: async (ms) => void (t += ms),
    t: () => t,
  };
  return clock;
}

describe('token bucket', () => {
  it('paces takes to the rate once the burst is spent', async () => {
    const clock = fakeClock();
    const bucket = createTokenBucket(10_000, { clock }); // burst: 0.1 s = 1,000 tokens
    for (let i = 0; i < 100; i++) await bucket.take(1_000);
    // 100,000 tokens at 10,000/s, less the initial burst of 1,000
    expect(clock.t()).toBeCloseTo(9_900, 0);
  });

  it('lets a take larger than the bucket through and makes the next one pay the debt', async () => {
    const clock = fakeClock();
    const bucket = createTokenBucket(1_000, { clock, burstSeconds: 0 });
    await bucket.take(5_000);
    expect(clock.t()).toBeCloseTo(5_000, 0);
    await bucket.take(0);
    expect(clock.t()).toBeCloseTo(5_000, 0);
  });

  it('refills while idle, but never beyond its burst', async () => {
    const clock = fakeClock();
    const bucket = createTokenBucket(100, { clock, burstSeconds: 1 });
    await clock.sleep(60_000);
    await bucket.take(100); // the full burst, free
    expect(clock.t()).toBe(60_000);
    await bucket.take(100); // one second's worth: waits one second, not less
    expect(clock.t()).toBeCloseTo(61_000, 0);
  });

  it('stops waiting when aborted', async () => {
    const bucket = createTokenBucket(1, { burstSeconds: 0 });
    const controller = new AbortController();
    const started = Date.now();
    const taking = bucket.take(1_000, controller.signal); // would wait 1,000 s
    controller.abort();
    await taking;
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('throttle', () => {
  it('charges rows and bytes after a read and waits before the next query', async () => {
    const clock = fakeClock();
    const throttle = createThrottle({ rowsPerSecond: 10_000, mbPerSecond: 1 }, clock);
    await throttle.beforeQuery();
    throttle.afterRead(1_000, 2 * 1024 * 1024); // bytes are the tighter cap: 2 MB at 1 MB/s
    await throttle.beforeQuery();
    expect(clock.t()).toBeGreaterThan(1_800);
    expect(clock.t()).toBeLessThan(2_100);
  });

  it('limits queries per second', async () => {
    const clock = fakeClock();
    const throttle = createThrottle({ queriesPerSecond: 5 }, clock);
    for (let i = 0; i < 25; i++) await throttle.beforeQuery();
    expect(clock.t()).toBeCloseTo(4_000, 0); // 25 queries, a burst of 5 free, then 5/s
  });

  it('without limits never waits', async () => {
    const clock = fakeClock();
    const throttle = createThrottle({}, clock);
    for (let i = 0; i < 10; i++) {
      await throttle.beforeQuery();
      throttle.afterRead(1e9, 1e12);
    }
    expect(clock.t()).toBe(0);
  });
});
