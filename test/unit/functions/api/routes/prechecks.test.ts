import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuthedApiHarness, passingReport, PASSWORD } from '../../../../support/api-harness.ts';
import type { CheckResult } from '../../../../../shared/prechecks/precheck.ts';

let h: Awaited<ReturnType<typeof createAuthedApiHarness>>;
beforeEach(async () => {
  h = await createAuthedApiHarness();
});
afterEach(() => h.close());

const warning: CheckResult = { id: 'toast-replica-identity', title: 'TOAST and replica identity', status: 'warning', detail: 'orders.note is TOASTable', fix: 'ALTER TABLE "public"."orders" REPLICA IDENTITY FULL;', ignorable: true };
const failure: CheckResult = { id: 'wal-level', title: 'wal_level', status: 'error', detail: 'wal_level = replica', fix: "ALTER SYSTEM SET wal_level = 'logical';", ignorable: false };

describe('precheck gate', () => {
  it('a created job cannot start before a precheck; the 409 says what to run', async () => {
    const id = await h.created();
    const res = await h.call('POST', `/jobs/${id}/start`);
    expect(res.status).toBe(409);
    expect(res.body.detail).toContain(`POST /jobs/${id}/precheck`);
    expect(h.launcher.calls).toEqual([]);
  });

  it('the precheck runs with the stored password, returns every result, and a pass allows start', async () => {
    const id = await h.created();
    h.precheckReport = passingReport({ results: [{ id: 'source-reachable', title: 'Source reachable', status: 'pass', detail: 'ok', ignorable: false }] });
    const res = await h.call('POST', `/jobs/${id}/precheck`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ verdict: 'passed', status: 'precheck_passed', results: [{ id: 'source-reachable' }] });
    expect(h.precheckCalls[0].password).toBe(PASSWORD);
    expect(res.text).not.toContain(PASSWORD);
    expect((await h.call('POST', `/jobs/${id}/start`)).status).toBe(202);
  });

  it('a failed precheck blocks start and names the failing checks', async () => {
    const id = await h.created();
    h.precheckReport = passingReport({ verdict: 'failed', results: [failure], blocking: ['wal-level'] });
    expect((await h.call('POST', `/jobs/${id}/precheck`)).body.status).toBe('precheck_failed');
    const res = await h.call('POST', `/jobs/${id}/start`);
    expect(res.status).toBe(409);
    expect(res.body.detail).toMatch(/the last precheck failed: wal-level; fix them and run the precheck again/);
  });

  it('an ignorable warning must be acknowledged before start; only ignorable ids are accepted', async () => {
    const id = await h.created();
    h.precheckReport = passingReport({ results: [warning], needsAcknowledgement: ['toast-replica-identity'] });
    await h.call('POST', `/jobs/${id}/precheck`);
    const blocked = await h.call('POST', `/jobs/${id}/start`);
    expect(blocked.status).toBe(409);
    expect(blocked.body.blockers[0]).toMatch(/acknowledge the warnings toast-replica-identity/);

    const wrong = await h.call('POST', `/jobs/${id}/precheck/ack`, { ids: ['wal-level'] });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors[0].message).toMatch(/wal-level is not an ignorable warning/);

    const acked = await h.call('POST', `/jobs/${id}/precheck/ack`, { ids: ['toast-replica-identity'] });
    expect(acked.body.acknowledged).toEqual(['toast-replica-identity']);
    expect((await h.call('POST', `/jobs/${id}/start`)).status).toBe(202);
  });

  it('changing what the precheck saw makes it stale: start needs a new precheck', async () => {
    const id = await h.prechecked();
    const patched = await h.call('PATCH', `/jobs/${id}`, { objects: { tables: [{ table: 'customers' }] } });
    expect(patched.body.status).toBe('created');
    expect(patched.body.precheck).toBeUndefined();
    expect((await h.call('POST', `/jobs/${id}/start`)).status).toBe(409);
    // a name change does not
    const other = await h.prechecked();
    await h.call('PATCH', `/jobs/${other}`, { name: 'renamed' });
    expect((await h.call('POST', `/jobs/${other}/start`)).status).toBe(202);
  });
});
