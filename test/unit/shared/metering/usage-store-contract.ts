import { describe, it, expect } from 'vitest';
import type { UsageRecord, UsageStore } from '../../../../shared/metering/usage.ts';

// What every UsageStore must do (SQLite locally, DynamoDB on AWS).
export function describeUsageStoreContract(name: string, makeStore: () => UsageStore | Promise<UsageStore>) {
  const rec = (over: Partial<UsageRecord> = {}): UsageRecord => ({
    tenantId: 'acme', jobId: 'j1', runId: 'r1', hour: '2026-11-23T10:00:00.000Z', phase: 'incremental', seconds: 600, cpuCores: 2, rows: 100, bytes: 5000, ...over,
  });
  const all = { tenantId: 'acme', from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' };

  describe(`usage store contract: ${name}`, () => {
    it('a replayed or older report never counts twice and never lowers totals', async () => {
      const store = await makeStore();
      await store.report(rec());
      await store.report(rec()); // duplicate
      await store.report(rec({ seconds: 300, rows: 50, bytes: 10 })); // late, older totals
      await store.report(rec({ seconds: 900, rows: 150, bytes: 7000 })); // newer totals of the same run
      expect((await store.list(all)).map((r) => [r.seconds, r.rows, r.bytes])).toEqual([[900, 150, 7000]]);
    });

    it('separate runs, phases and hours are separate records', async () => {
      const store = await makeStore();
      await store.report(rec());
      await store.report(rec({ runId: 'r2' }));
      await store.report(rec({ phase: 'snapshot' }));
      await store.report(rec({ hour: '2026-11-23T11:00:00.000Z' }));
      expect(await store.list(all)).toHaveLength(4);
    });

    it('lists by tenant, job and time range', async () => {
      const store = await makeStore();
      await store.report(rec());
      await store.report(rec({ jobId: 'j2' }));
      await store.report(rec({ tenantId: 'other', jobId: 'j9' })); // job ids are unique across tenants
      await store.report(rec({ hour: '2026-10-31T23:00:00.000Z' }));
      expect(await store.list({ ...all, jobId: 'j1' })).toHaveLength(1);
      expect(await store.list(all)).toHaveLength(2);
      expect(await store.list({ ...all, tenantId: 'other' })).toHaveLength(1);
    });
  });
}
