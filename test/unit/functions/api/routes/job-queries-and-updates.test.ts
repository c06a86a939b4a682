import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiHarness, createAuthedApiHarness, PASSWORD } from '../../../../support/api-harness.ts';
import { updateJob } from '../../../../../shared/storage/job-store.ts';

let h: ReturnType<typeof createApiHarness>;
beforeEach(async () => {
  h = await createAuthedApiHarness();
});
afterEach(() => h.close());

describe('GET /jobs: filters and pages', () => {
  it('filters by status and by tag, and pages with a cursor through every job once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await h.prechecked({ tags: { team: i % 2 ? 'payments' : 'search' } }));
    await h.call('POST', `/jobs/${ids[0]}/start`);

    const starting = await h.call('GET', '/jobs?status=starting');
    expect(starting.body.items.map((j: { id: string }) => j.id)).toEqual([ids[0]]);
    const payments = await h.call('GET', '/jobs?tag=team=payments');
    expect(payments.body.items.map((j: { id: string }) => j.id).sort()).toEqual([ids[1], ids[3]].sort());

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await h.call('GET', `/jobs?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((j: { id: string }) => j.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual([...ids].sort());
  });

  it('a bad query is a 400 naming each parameter', async () => {
    const res = await h.call('GET', '/jobs?status=sleeping&limit=1000');
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['limit', 'status']);
  });
});

describe('PATCH /jobs/{id}', () => {
  it('changes name, tags and retry windows of a stopped job and bumps the version', async () => {
    const id = await h.created();
    const res = await h.call('PATCH', `/jobs/${id}`, { name: 'renamed', tags: { env: 'prod' }, otherRetryMinutes: 30 }, undefined, { 'if-match': '1' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'renamed', tags: { env: 'prod' }, otherRetryMinutes: 30, version: 2 });
  });

  it('validates the patched job as a whole: a cross-field rule names its field', async () => {
    const id = await h.created();
    const res = await h.call('PATCH', `/jobs/${id}`, { otherRetryMinutes: 800 });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'otherRetryMinutes', message: 'otherRetryMinutes must be less than connectionRetryMinutes' }]);
    expect((await h.call('GET', `/jobs/${id}`)).body.version).toBe(1); // nothing written
  });

  it('a stale If-Match is refused with 412 and changes nothing', async () => {
    const id = await h.created();
    await h.call('PATCH', `/jobs/${id}`, { name: 'first' });
    const res = await h.call('PATCH', `/jobs/${id}`, { name: 'second' }, undefined, { 'if-match': '1' });
    expect(res.status).toBe(412);
    expect((await h.call('GET', `/jobs/${id}`)).body.name).toBe('first');
  });

  it('while running, connection and destination are fixed (409 naming them); the name is not', async () => {
    const id = await h.created();
    await updateJob(h.store, id, () => ({ status: 'streaming' }));
    const res = await h.call('PATCH', `/jobs/${id}`, { source: { host: 'elsewhere', password: 'new' }, destination: { brokers: ['other:9092'] } });
    expect(res.status).toBe(409);
    expect(res.body.fields).toEqual(['source.host', 'source.password', 'destination']);
    expect(res.body.detail).toMatch(/while the job is streaming; stop it first/);
    expect((await h.call('PATCH', `/jobs/${id}`, { name: 'still fine' })).status).toBe(200);
  });

  it('a new password goes to the secret store, never into the job or the response', async () => {
    const id = await h.created();
    const res = await h.call('PATCH', `/jobs/${id}`, { source: { password: 'N3w-password' } });
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('N3w-password');
    const stored = await h.store.get(id);
    expect(JSON.stringify(stored)).not.toContain('N3w-password');
    expect(await h.secrets.get(stored!.source.passwordRef)).toBe('N3w-password');
    expect(await h.secrets.get(stored!.source.passwordRef)).not.toBe(PASSWORD);
  });
});

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document built from the validation schemas', async () => {
    const res = await h.call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/jobs', '/jobs/{id}', '/jobs/{id}/start', '/jobs/{id}/stop', '/jobs/{id}/release']));
    const spec = doc.components.schemas.JobSpec;
    expect(spec.required).toEqual(expect.arrayContaining(['source', 'destination']));
    expect(spec.properties.objects.default).toEqual({ wholeDatabase: true, tables: [] }); // SPEC.md §2: whole database by default
    expect(spec.properties.connectionRetryMinutes).toMatchObject({ minimum: 10, maximum: 1440, default: 720 });
    // the destination is a union discriminated by type: Kafka or PostgreSQL
    const variants = spec.properties.destination.oneOf;
    expect(variants.map((v: any) => v.properties.type.const)).toEqual(['kafka', 'postgresql']);
    expect(variants[0].properties.partitionPolicy.enum).toEqual(['partition-0', 'hash-db-table', 'hash-primary-key']);
    expect(variants[1].properties.conflictMode.enum).toEqual(['precheck-and-report', 'ignore-and-proceed']);
    expect(variants[1].required).toContain('password');
    // the response shape never offers a password
    expect(doc.components.schemas.Job.properties.source.properties.password).toBeUndefined();
    expect(doc.components.schemas.Job.properties.destination.oneOf[1].properties.password).toBeUndefined();
    expect(doc.components.schemas.Job.properties.destination.oneOf[1].required).not.toContain('password');
    expect(doc.paths['/jobs'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['status', 'tag', 'limit', 'cursor']);
  });
});
