import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuthedApiHarness } from '../../../../support/api-harness.ts';

let h: Awaited<ReturnType<typeof createAuthedApiHarness>>;
beforeEach(async () => {
  h = await createAuthedApiHarness();
});
afterEach(() => h.close());

describe('usage API', () => {
  it("bills the job's incremental phase by day and month, shows snapshot rows as free, and scopes to the tenant", async () => {
    const id = await h.created();
    const base = { tenantId: 'tenant-a', jobId: id, runId: 'r1', cpuCores: 2 };
    await h.usage.report({ ...base, hour: '2026-11-02T10:00:00.000Z', phase: 'snapshot', seconds: 1200, rows: 5000, bytes: 1 });
    await h.usage.report({ ...base, hour: '2026-11-02T10:00:00.000Z', phase: 'incremental', seconds: 1800, rows: 10, bytes: 900 });
    await h.usage.report({ ...base, hour: '2026-11-03T00:00:00.000Z', phase: 'incremental', seconds: 3600, rows: 20, bytes: 1800 });
    await h.usage.report({ ...base, tenantId: 'tenant-b', hour: '2026-11-03T00:00:00.000Z', phase: 'incremental', seconds: 3600, rows: 1, bytes: 1 });

    const res = await h.call('GET', `/jobs/${id}/usage?from=2026-11-01&to=2026-11-30`);
    expect(res.status).toBe(200);
    expect(res.body.daily).toEqual([
      { period: '2026-11-02', coreHours: 1, incrementalSeconds: 1800, rows: 10, bytes: 900, freeRows: 5000 },
      { period: '2026-11-03', coreHours: 2, incrementalSeconds: 3600, rows: 20, bytes: 1800, freeRows: 0 },
    ]);
    expect(res.body.monthly).toEqual([{ period: '2026-11', coreHours: 3, incrementalSeconds: 5400, rows: 30, bytes: 2700, freeRows: 5000 }]);

    const tenant = await h.call('GET', '/usage?from=2026-11-03&to=2026-11-03');
    expect(tenant.body.daily).toEqual([{ period: '2026-11-03', coreHours: 2, incrementalSeconds: 3600, rows: 20, bytes: 1800, freeRows: 0 }]);
  });

  it('a bad range is a 400 naming the field; another tenant gets 404 for the job', async () => {
    const id = await h.created();
    const bad = await h.call('GET', `/jobs/${id}/usage?from=2026-11-30&to=2026-11-01`);
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ field: 'to', message: 'to must not be before from' }]);
    const other = await h.call('GET', `/jobs/${id}/usage`, undefined, undefined, { authorization: `Bearer ${await h.apiKeys.create('tenant-b')}` });
    expect(other.status).toBe(404);
    expect((await h.call('GET', '/usage', undefined, undefined, { authorization: '' })).status).toBe(401);
  });
});
