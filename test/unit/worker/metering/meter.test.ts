import { describe, it, expect } from 'vitest';
import { createMeter } from '../../../../worker/metering/meter.ts';
import { createSqliteUsageStore } from '../../../../shared/metering/sqlite-usage-store.ts';
import { summarize } from '../../../../shared/metering/usage.ts';
import { createLogger } from '../../../../shared/logger.ts';

const T0 = Date.parse('2026-11-23T10:30:00Z');

function setup() {
  let t = T0;
  const store = createSqliteUsageStore(':memory:');
  const meter = () => createMeter({ store, tenantId: 'acme', jobId: 'j1', cpuCores: 4, log: createLogger({}, () => {}), intervalMs: 3_600_000, now: () => t });
  return { store, meter, advance: (ms: number) => (t += ms), list: () => store.list({ tenantId: 'acme', jobId: 'j1', from: '2026-01-01', to: '2027-01-01' }) };
}

describe('metering', () => {
  it('bills healthy incremental time split at hour boundaries, not snapshot, retry or stall time', async () => {
    const s = setup();
    const m = s.meter();
    m.phase('snapshot');
    s.advance(10 * 60_000); // 10 min snapshot: free
    m.delivered('snapshot', 1000, 50_000);
    m.phase('incremental');
    s.advance(40 * 60_000); // 10:40 → 11:20 streaming, crossing 11:00
    m.delivered('incremental', 300, 30_000);
    m.stalled(true);
    s.advance(5 * 60_000); // Kafka stalled: not billed
    m.stalled(false);
    m.phase(undefined);
    s.advance(5 * 60_000); // retry backoff between runs: not billed
    m.phase('incremental');
    s.advance(10 * 60_000);
    await m.close();
    const records = await s.list();
    const incremental = records.filter((r) => r.phase === 'incremental');
    expect(incremental.map((r) => [r.hour, r.seconds])).toEqual([
      ['2026-11-23T10:00:00.000Z', 20 * 60],
      ['2026-11-23T11:00:00.000Z', 30 * 60],
    ]);
    const [day] = summarize(records, 'day');
    expect(day).toMatchObject({ period: '2026-11-23', incrementalSeconds: 50 * 60, rows: 300, bytes: 30_000, freeRows: 1000 });
    expect(day.coreHours).toBeCloseTo((50 / 60) * 4, 6);
  });

  it('a duplicated or replayed report never counts twice; a new run counts on its own', async () => {
    const s = setup();
    const m = s.meter();
    m.phase('incremental');
    s.advance(10 * 60_000);
    const [r] = await (async () => {
      await m.close();
      return s.list();
    })();
    await s.store.report(r); // replay
    await s.store.report({ ...r, seconds: r.seconds - 100 }); // a stale, smaller report
    expect((await s.list()).map((x) => x.seconds)).toEqual([600]);

    const again = s.meter(); // the worker restarted: a new run
    again.phase('incremental');
    s.advance(5 * 60_000);
    await again.close();
    expect(summarize(await s.list(), 'month')[0]).toMatchObject({ period: '2026-11', incrementalSeconds: 900 });
  });

  it('summarizes by month across days', () => {
    const base = { tenantId: 'a', jobId: 'j', runId: 'r', phase: 'incremental' as const, cpuCores: 2, rows: 1, bytes: 10 };
    const months = summarize([
      { ...base, hour: '2026-10-31T23:00:00.000Z', seconds: 3600 },
      { ...base, hour: '2026-11-01T00:00:00.000Z', seconds: 1800 },
      { ...base, hour: '2026-11-02T00:00:00.000Z', seconds: 1800 },
    ], 'month');
    expect(months).toEqual([
      { period: '2026-10', coreHours: 2, incrementalSeconds: 3600, rows: 1, bytes: 10, freeRows: 0 },
      { period: '2026-11', coreHours: 2, incrementalSeconds: 3600, rows: 2, bytes: 20, freeRows: 0 },
    ]);
  });
});
