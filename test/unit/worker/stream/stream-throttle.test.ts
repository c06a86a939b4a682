import { describe, expect, it } from 'vitest';
import { createStreamThrottle } from '../../../../worker/stream/stream-throttle.ts';
import type { Clock } from '../../../../worker/snapshot/token-bucket.ts';

function fakeClock(): Clock & { advance(ms: number): void } {
  let now = 0;
  return { now: () => now, sleep: async (ms) => void (now += ms), advance: (ms) => void (now += ms) };
}

describe('incremental throttle', () => {
  it('is absent without caps', () => {
    expect(createStreamThrottle(undefined)).toBeUndefined();
    expect(createStreamThrottle({})).toBeUndefined();
  });

  it('lets a tenth of a second through at once, then asks to wait for the debt', () => {
    const clock = fakeClock();
    const t = createStreamThrottle({ rowsPerSecond: 1000 }, clock)!;
    for (let i = 0; i < 100; i++) expect(t.charge(1, 0)).toBe(0); // the burst
    expect(t.charge(1, 0)).toBeCloseTo(1); // one row in debt: 1 ms
    clock.advance(1);
    expect(t.charge(10, 0)).toBeCloseTo(10);
  });

  it('holds the rate over time: charging with the waits it asks for takes rows / rate', async () => {
    const clock = fakeClock();
    const t = createStreamThrottle({ rowsPerSecond: 500, mbPerSecond: 100 }, clock)!;
    for (let i = 0; i < 5000; i++) {
      const wait = t.charge(1, 100);
      if (wait) await t.sleep(wait);
    }
    // 5,000 rows at 500/s with a 50-row burst: 9.9 s
    expect(clock.now()).toBeCloseTo(9900, -1);
  });

  it('the MB/s cap counts bytes read even when they produce no rows', async () => {
    const clock = fakeClock();
    const t = createStreamThrottle({ mbPerSecond: 1 }, clock)!;
    let waited = 0;
    for (let i = 0; i < 100; i++) {
      const wait = t.charge(0, 104_858); // ~0.1 MiB of messages of unselected tables
      waited += wait;
      if (wait) await t.sleep(wait);
    }
    expect(clock.now()).toBeCloseTo(9900, -1);
    expect(waited).toBeGreaterThan(0);
  });
});
