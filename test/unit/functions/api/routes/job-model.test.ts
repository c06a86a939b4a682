import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiHarness, createAuthedApiHarness, jobBody } from '../../../../support/api-harness.ts';
import { updateJob } from '../../../../../shared/storage/job-store.ts';

// SPEC.md §2 fields through the API: objects (whole database, schemas, row
// filters), alerting (alarms applied on create and PATCH, removed on release,
// evaluated locally in GET), environmentTag, publicationPrefix.
let h: ReturnType<typeof createApiHarness>;
beforeEach(async () => {
  h = await createAuthedApiHarness();
});
afterEach(() => h.close());

const { objects: _objects, ...withoutObjects } = jobBody();

describe('POST /jobs with the job model fields', () => {
  it('stores objects (whole database by default), alerting, environmentTag and the publication prefix, and sets the alarms', async () => {
    const res = await h.call('POST', '/jobs', { ...withoutObjects, environmentTag: 'production', publicationPrefix: 'pub_', alerting: { lagThresholdSeconds: 30 } });
    expect(res.status).toBe(201);
    const id = res.body.id;
    expect(res.body).toMatchObject({
      objects: { wholeDatabase: true, tables: [] },
      environmentTag: 'production',
      alerting: { onFailure: true, lagThresholdSeconds: 30 },
      slotName: `tributary_${id}`,
      publicationName: `pub_${id}`,
    });
    expect(h.alarmCalls).toEqual([`apply ${id}`]);
    expect((await h.store.get(id))!.alerting).toEqual({ onFailure: true, lagThresholdSeconds: 30 });
  });

  it('takes schemas and per-table row filters; refuses a filter that is not one expression, naming the field', async () => {
    const objects = { schemas: [{ schema: 'sales' }], tables: [{ schema: 'sales', table: 'orders', rowFilter: "region = 'eu'" }] };
    expect((await h.call('POST', '/jobs', { ...withoutObjects, objects })).body.objects).toEqual({
      schemas: [{ schema: 'sales', operations: ['INSERT', 'UPDATE', 'DELETE'] }],
      tables: [{ schema: 'sales', table: 'orders', operations: ['INSERT', 'UPDATE', 'DELETE'], rowFilter: "region = 'eu'" }],
    });
    const bad = await h.call('POST', '/jobs', { ...withoutObjects, objects: { tables: [{ table: 'orders', rowFilter: "true) , public.secrets WHERE (true" }] }, alerting: { lagThresholdSeconds: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([
      { field: 'objects.tables.0.rowFilter', message: 'rowFilter has a ")" without its "("' },
      { field: 'alerting.lagThresholdSeconds', message: 'alerting.lagThresholdSeconds is at least 10 (lag is measured from a heartbeat written every 5 s)' },
    ]);
    expect(await h.store.list()).toHaveLength(1);
  });

  it('when the alarms cannot be set, nothing is created (502) and the password is not kept', async () => {
    h.alarmsFail = new Error('AccessDenied: cloudwatch:PutMetricAlarm');
    const res = await h.call('POST', '/jobs', jobBody());
    expect(res.status).toBe(502);
    expect(res.body.detail).toBe('the job was not created: its alarms could not be set (AccessDenied: cloudwatch:PutMetricAlarm); retry');
    expect(await h.store.list()).toEqual([]);
    const id = h.alarmCalls[0].split(' ')[1];
    await expect(h.secrets.get(`${id}/source-password`)).rejects.toThrow();
  });
});

describe('PATCH /jobs/{id} with the job model fields', () => {
  it('alerting, environmentTag and tags change while running, update the alarms, and keep the precheck', async () => {
    const id = await h.prechecked();
    await updateJob(h.store, id, () => ({ status: 'streaming' }));
    const res = await h.call('PATCH', `/jobs/${id}`, { alerting: { onFailure: false, retainedWalThresholdMb: 2048 }, environmentTag: 'staging' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'streaming', environmentTag: 'staging', alerting: { onFailure: false, retainedWalThresholdMb: 2048 } });
    expect(res.body.precheck).toBeDefined();
    expect(h.alarmCalls).toEqual([`apply ${id}`, `apply ${id}`]);
  });

  it('publicationPrefix is fixed while running (409); objects and publicationPrefix make the precheck stale', async () => {
    const id = await h.prechecked();
    await updateJob(h.store, id, () => ({ status: 'streaming' }));
    const refused = await h.call('PATCH', `/jobs/${id}`, { publicationPrefix: 'other_' });
    expect(refused.status).toBe(409);
    expect(refused.body.fields).toEqual(['publicationPrefix']);
    await updateJob(h.store, id, () => ({ status: 'precheck_passed' }));
    const filtered = await h.call('PATCH', `/jobs/${id}`, { objects: { tables: [{ table: 'orders', rowFilter: 'amount > 100' }] } });
    expect(filtered.status).toBe(200);
    expect(filtered.body).toMatchObject({ status: 'created', objects: { tables: [{ table: 'orders', rowFilter: 'amount > 100' }] } });
    expect(filtered.body.precheck).toBeUndefined();
  });

  it('a change whose alarms cannot be updated is saved, and the 502 says to send it again', async () => {
    const id = await h.created();
    h.alarmsFail = new Error('Throttling');
    const res = await h.call('PATCH', `/jobs/${id}`, { alerting: { lagThresholdSeconds: 60 } });
    expect(res.status).toBe(502);
    expect(res.body.detail).toBe("the change was saved, but the job's alarms could not be updated (Throttling); send the PATCH again");
    expect(res.body.job.alerting).toEqual({ onFailure: true, lagThresholdSeconds: 60 });
    h.alarmsFail = undefined;
    expect((await h.call('PATCH', `/jobs/${id}`, { alerting: { lagThresholdSeconds: 60 } })).status).toBe(200);
  });
});

describe('alerts and release', () => {
  it('GET /jobs/{id} shows the alerts firing now from the job\'s metrics and status (local adapter)', async () => {
    const id = await h.created({ alerting: { lagThresholdSeconds: 30 } });
    expect((await h.call('GET', `/jobs/${id}`)).body.alerts).toEqual([]);
    const at = new Date().toISOString();
    await updateJob(h.store, id, () => ({ status: 'streaming', metrics: { lagSeconds: 95, retainedWalBytes: 1, eventsDelivered: 1, eventsPerSecond: 0, at } }));
    expect((await h.call('GET', `/jobs/${id}`)).body.alerts).toEqual([
      { alert: 'lag', message: "replication lag is 95 s, above the job's threshold of 30 s", value: 95, threshold: 30, at },
    ]);
    await updateJob(h.store, id, () => ({ status: 'failed', error: { code: 'WorkerCrashed', class: 'other', message: 'exit 137', remedy: 'x', at } }));
    expect((await h.call('GET', `/jobs/${id}`)).body.alerts).toEqual([{ alert: 'failed', message: 'the job failed: WorkerCrashed: exit 137', at }]);
  });

  it('release deletes the alarms; if that fails the job stays releasing and release can be retried', async () => {
    const id = await h.created();
    h.alarmsFail = new Error('AccessDenied');
    const failed = await h.call('POST', `/jobs/${id}/release`);
    expect(failed.status).toBe(502);
    expect(failed.body.detail).toMatch(/the job's alarms could not be deleted: AccessDenied\. Retry release\./);
    expect((await h.store.get(id))!.status).toBe('releasing');
    h.alarmsFail = undefined;
    const done = await h.call('POST', `/jobs/${id}/release`);
    expect(done.status).toBe(200);
    expect(done.body.status).toBe('released');
    expect(h.alarmCalls).toEqual([`apply ${id}`, `remove ${id}`, `remove ${id}`]);
  });

  it('the OpenAPI document shows the new fields with their ranges', async () => {
    const spec = (await h.call('GET', '/openapi.json')).body.components.schemas.JobSpec;
    expect(spec.properties.alerting.properties.lagThresholdSeconds).toMatchObject({ minimum: 10, maximum: 86400 });
    expect(spec.properties.alerting.default).toEqual({ onFailure: true });
    expect(Object.keys(spec.properties.objects.properties)).toEqual(['wholeDatabase', 'schemas', 'tables', 'excludeTables']);
    expect(spec.properties.objects.properties.tables.items.properties.rowFilter).toMatchObject({ type: 'string', maxLength: 4096 });
    expect(spec.properties.environmentTag).toMatchObject({ type: 'string', maxLength: 128 });
    expect(spec.properties.publicationPrefix).toMatchObject({ type: 'string' });
    const job = (await h.call('GET', '/openapi.json')).body.components.schemas.Job;
    expect(job.properties.alerts.items.properties.alert.enum).toEqual(['lag', 'retained-wal', 'failed']);
  });
});
