import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuthedApiHarness } from '../../../support/api-harness.ts';

let h: Awaited<ReturnType<typeof createAuthedApiHarness>>;
beforeEach(async () => {
  h = await createAuthedApiHarness();
});
afterEach(() => h.close());

describe('authentication and tenants', () => {
  it('no key or a wrong key → 401 problem with a hint, and nothing is written', async () => {
    const none = await h.call('POST', '/jobs', { name: 'x' }, undefined, { authorization: '' });
    expect(none.status).toBe(401);
    expect(none.body.detail).toMatch(/Authorization: Bearer/);
    const wrong = await h.call('GET', '/jobs', undefined, undefined, { authorization: 'Bearer trb_not-a-key' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.detail).toBe('the API key is not valid');
    expect(await h.store.list()).toEqual([]);
  });

  it('health and the OpenAPI document need no key', async () => {
    expect((await h.call('GET', '/health', undefined, undefined, { authorization: '' })).status).toBe(200);
    expect((await h.call('GET', '/openapi.json', undefined, undefined, { authorization: '' })).status).toBe(200);
  });

  it("another tenant's job is 404 for every call and absent from its list", async () => {
    const id = await h.created();
    const other = { authorization: `Bearer ${await h.apiKeys.create('tenant-b')}` };
    expect((await h.call('GET', `/jobs/${id}`, undefined, undefined, other)).status).toBe(404);
    expect((await h.call('PATCH', `/jobs/${id}`, { name: 'mine now' }, undefined, other)).status).toBe(404);
    for (const action of ['start', 'stop', 'release']) {
      expect((await h.call('POST', `/jobs/${id}/${action}`, undefined, undefined, other)).status).toBe(404);
    }
    expect((await h.call('GET', '/jobs', undefined, undefined, other)).body.items).toEqual([]);
    expect(h.launcher.calls).toEqual([]);
    expect((await h.call('GET', `/jobs/${id}`)).body.name).toBe('shop'); // untouched for its owner
  });

  it('keys are stored only as hashes', async () => {
    const key = await h.apiKeys.create('tenant-c');
    expect(key).toMatch(/^trb_[A-Za-z0-9_-]{32}$/);
    expect(await h.apiKeys.tenantOf(key)).toBe('tenant-c');
    expect(await h.apiKeys.tenantOf(key.slice(0, -1))).toBeUndefined();
  });
});
