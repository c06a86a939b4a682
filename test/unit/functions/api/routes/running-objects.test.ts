import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiHarness, createAuthedApiHarness, passingReport } from '../../../../support/api-harness.ts';
import { updateJob } from '../../../../../shared/storage/job-store.ts';
import type { CheckResult } from '../../../../../shared/prechecks/precheck.ts';

// PATCH of a running job's tables (SPEC.md §3): prechecked first, stored only
// when nothing blocks, and the rest of the job keeps running.
let h: ReturnType<typeof createApiHarness>;
beforeEach(async () => {
  h = await createAuthedApiHarness();
});
afterEach(() => h.close());

const result = (id: string, status: CheckResult['status'], ignorable = false): CheckResult => ({ id, title: id, status, detail: `${id} ${status}`, ignorable });

async function streamingJob() {
  h.precheckReport = passingReport({ results: [result('wal-level', 'pass'), result('tables-exist', 'pass'), result('toast-replica-identity', 'warning', true)], needsAcknowledgement: ['toast-replica-identity'] });
  const id = await h.prechecked();
  await h.call('POST', `/jobs/${id}/precheck/ack`, { ids: ['toast-replica-identity'] });
  await updateJob(h.store, id, () => ({ status: 'streaming' }));
  h.precheckCalls.length = 0;
  return id;
}

describe('PATCH objects of a running job', () => {
  it('prechecks the new list (as pendingObjects), then stores it and merges the object checks into the job\'s precheck', async () => {
    const id = await streamingJob();
    h.precheckReport = passingReport({ results: [result('tables-exist', 'pass'), result('toast-replica-identity', 'pass')] });
    const tables = [{ table: 'orders' }, { table: 'customers' }];
    const res = await h.call('PATCH', `/jobs/${id}`, { objects: { tables } });
    expect(res.status).toBe(200);
    expect(h.precheckCalls).toHaveLength(1);
    expect(h.precheckCalls[0].job.pendingObjects?.tables.map((t) => t.table)).toEqual(['orders', 'customers']);
    expect(h.precheckCalls[0].job.objects.tables.map((t) => t.table)).toEqual(['orders']); // still streaming the old list meanwhile
    const stored = (await h.store.get(id))!;
    expect(stored.status).toBe('streaming');
    expect(stored.objects.tables.map((t) => t.table)).toEqual(['orders', 'customers']);
    expect(stored.pendingObjects).toBeUndefined();
    expect(stored.precheck!.report.results.map((r) => `${r.id}:${r.status}`)).toEqual(['wal-level:pass', 'tables-exist:pass', 'toast-replica-identity:pass']);
    expect(stored.precheck!.acknowledged).toEqual([]); // re-run checks need a new acknowledgement
    expect(h.launcher.calls).toEqual([]); // the worker picks the list up itself
  });

  it('a failing precheck answers 409 with the report, and the job is exactly as before', async () => {
    const id = await streamingJob();
    const before = (await h.store.get(id))!;
    h.precheckReport = passingReport({ verdict: 'failed', blocking: ['tables-exist'], results: [result('tables-exist', 'error')] });
    const res = await h.call('PATCH', `/jobs/${id}`, { objects: { tables: [{ table: 'orders' }, { table: 'nope' }] } });
    expect(res.status).toBe(409);
    expect(res.type).toBe('application/problem+json');
    expect(res.body).toMatchObject({ title: 'The new objects fail the precheck', currentStatus: 'streaming', change: { added: ['public.nope'], removed: [], changed: [] } });
    expect(res.body.precheck.blocking).toEqual(['tables-exist']);
    const after = (await h.store.get(id))!;
    expect(after.objects).toEqual(before.objects);
    expect(after.pendingObjects).toBeUndefined();
    expect(after.precheck).toEqual(before.precheck);
  });

  it('a precheck that throws leaves nothing staged', async () => {
    const id = await streamingJob();
    h.precheckFails = new Error('state machine unavailable');
    const res = await h.call('PATCH', `/jobs/${id}`, { objects: { tables: [{ table: 'customers' }] } });
    expect(res.status).toBe(500);
    const after = (await h.store.get(id))!;
    expect(after.pendingObjects).toBeUndefined();
    expect(after.objects.tables.map((t) => t.table)).toEqual(['orders']);
  });

  it('the same list again runs no precheck; a stopping job refuses a new list', async () => {
    const id = await streamingJob();
    expect((await h.call('PATCH', `/jobs/${id}`, { objects: { tables: [{ table: 'orders' }] } })).status).toBe(200);
    expect(h.precheckCalls).toHaveLength(0);
    await updateJob(h.store, id, () => ({ status: 'stopping' }));
    const res = await h.call('PATCH', `/jobs/${id}`, { objects: { tables: [{ table: 'customers' }] } });
    expect(res.status).toBe(409);
    expect(res.body.fields).toEqual(['objects']);
  });
});
