import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuthedApiHarness, jobBody } from '../../../support/api-harness.ts';

let h: Awaited<ReturnType<typeof createAuthedApiHarness>>;
beforeEach(async () => {
  h = await createAuthedApiHarness();
});
afterEach(() => h.close());

const withKey = (key: string) => ({ 'idempotency-key': key });

describe('Idempotency-Key on POST', () => {
  it('a retried create returns the first response and creates one job', async () => {
    const first = await h.call('POST', '/jobs', jobBody(), undefined, withKey('create-1'));
    const retry = await h.call('POST', '/jobs', jobBody(), undefined, withKey('create-1'));
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(first.body.id);
    expect(await h.store.list()).toHaveLength(1);
    expect((await h.call('POST', '/jobs', jobBody(), undefined, withKey('create-2'))).body.id).not.toBe(first.body.id);
  });

  it('a retried start launches one worker', async () => {
    const id = await h.prechecked();
    const a = await h.call('POST', `/jobs/${id}/start`, undefined, undefined, withKey('start-1'));
    const b = await h.call('POST', `/jobs/${id}/start`, undefined, undefined, withKey('start-1'));
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(h.launcher.calls).toEqual([`launch ${id}`]);
  });

  it('the same key with another body is 422, and nothing is created', async () => {
    await h.call('POST', '/jobs', jobBody(), undefined, withKey('k'));
    const other = await h.call('POST', '/jobs', { ...jobBody(), name: 'other' }, undefined, withKey('k'));
    expect(other.status).toBe(422);
    expect(other.body.detail).toMatch(/different request body/);
    expect(await h.store.list()).toHaveLength(1);
  });

  it('keys are per tenant: another tenant may use the same key for its own job', async () => {
    await h.call('POST', '/jobs', jobBody(), undefined, withKey('shared'));
    const other = { ...withKey('shared'), authorization: `Bearer ${await h.apiKeys.create('tenant-b')}` };
    const res = await h.call('POST', '/jobs', jobBody(), undefined, other);
    expect(res.status).toBe(201);
    expect(await h.store.list()).toHaveLength(2);
  });

  it('a 400 is replayed as a 400: the verdict on a body does not change', async () => {
    const bad = await h.call('POST', '/jobs', { name: '' }, undefined, withKey('bad'));
    const again = await h.call('POST', '/jobs', { name: '' }, undefined, withKey('bad'));
    expect([bad.status, again.status]).toEqual([400, 400]);
    expect(again.body).toEqual(bad.body);
  });
});
