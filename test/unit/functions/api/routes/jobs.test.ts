import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobRecord } from '../../../../../shared/job/job-record.ts';
import type { JobStore } from '../../../../../shared/storage/job-store.ts';
import type { SecretStore } from '../../../../../shared/secrets/secret-store.ts';
import { createApiHarness, createAuthedApiHarness, PASSWORD, jobBody } from '../../../../support/api-harness.ts';
import { TributaryError } from '../../../../../shared/errors/tributary-error.ts';

let h: ReturnType<typeof createApiHarness>;
let store: JobStore;
let secrets: SecretStore;
let launcher: ReturnType<typeof createApiHarness>['launcher'];
let released: Array<{ job: JobRecord; password: string }>;
beforeEach(async () => {
  h = await createAuthedApiHarness();
  ({ store, secrets, launcher, released } = h);
});
afterEach(() => h.close());

const call = (method: string, path: string, body?: unknown, raw?: string) => h.call(method, path, body, raw);
const created = () => h.created();

describe('POST /jobs', () => {
  it('201 with defaults, no password or reference in the response, and the password in the secret store', async () => {
    const res = await call('POST', '/jobs', jobBody());
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    expect(res.location).toBe(`/jobs/${id}`);
    expect(res.body).toMatchObject({
      name: 'shop', status: 'created', version: 1, slotName: `tributary_${id}`, publicationName: `tributary_${id}`,
      source: { host: 'db.internal', port: 5432, sslmode: 'prefer' },
      destination: { partitionPolicy: 'hash-primary-key', newTopicPartitions: 3, deliveryGuarantee: 'at-least-once' },
      connectionRetryMinutes: 720, otherRetryMinutes: 10, resources: { cpuCores: 2 },
    });
    expect(res.body.source).not.toHaveProperty('password');
    expect(res.body.source).not.toHaveProperty('passwordRef');
    expect(res.text).not.toContain(PASSWORD);
    const stored = (await store.get(id))!;
    expect(stored.source).not.toHaveProperty('password');
    expect(await secrets.get(stored.source.passwordRef)).toBe(PASSWORD);
  });

  it('400 problem+json listing every bad field, and nothing stored', async () => {
    const body = jobBody() as any;
    body.source.port = 0;
    body.destination.newTopicPartitions = 1001;
    body.destination.brokers = ['no-port'];
    body.resources = { cpuCores: 33 };
    body.otherRetryMinutes = 900;
    body.objects.tables = [{ table: 'a.b' }];
    body.surprise = true;
    const res = await call('POST', '/jobs', body);
    expect(res.status).toBe(400);
    expect(res.type).toBe('application/problem+json');
    expect(res.body).toMatchObject({ type: 'https://tributary.dev/problems/validation', status: 400 });
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(
      ['source.port', 'destination.newTopicPartitions', 'destination.brokers.0', 'resources.cpuCores', 'otherRetryMinutes', 'objects.tables.0.table', '(body)'].sort(),
    );
    expect(res.body.detail).toContain('otherRetryMinutes: otherRetryMinutes must be less than connectionRetryMinutes');
    expect(res.text).not.toContain(PASSWORD);
    expect(await store.list()).toEqual([]);
  });

  it('400 for a body that is not JSON', async () => {
    const res = await call('POST', '/jobs', undefined, '{"source": ');
    expect(res.status).toBe(400);
    expect(res.type).toBe('application/problem+json');
    expect(res.body.detail).toMatch(/JSON/);
    expect(await store.list()).toEqual([]);
  });
});

describe('GET /jobs', () => {
  it('404 problem for an unknown id', async () => {
    const res = await call('GET', '/jobs/jnope');
    expect(res.status).toBe(404);
    expect(res.type).toBe('application/problem+json');
    expect(res.body.detail).toContain('jnope');
  });

  it('lists every job without secrets', async () => {
    const ids = [await created(), await created()];
    const res = await call('GET', '/jobs');
    expect(res.status).toBe(200);
    expect(res.body.items.map((j: { id: string }) => j.id).sort()).toEqual(ids.sort());
    expect(res.text).not.toContain('passwordRef');
    expect((await call('GET', `/jobs/${ids[0]}`)).body).toMatchObject({ id: ids[0], status: 'created' });
  });
});

describe('job actions', () => {
  it('start → 202 and a launch; start again while starting → 409 naming the state', async () => {
    const id = await h.prechecked();
    const res = await call('POST', `/jobs/${id}/start`);
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('starting');
    expect(launcher.calls).toEqual([`launch ${id}`]);
    const again = await call('POST', `/jobs/${id}/start`);
    expect(again.status).toBe(409);
    expect(again.type).toBe('application/problem+json');
    expect(again.body.currentStatus).toBe('starting');
    expect(again.body.detail).toMatch(/cannot start a job that is starting/);
    expect(launcher.calls).toEqual([`launch ${id}`]);
  });

  it('a launch that throws leaves the job failed with the error, not starting', async () => {
    const id = await h.prechecked();
    launcher.launcher.launch = async () => {
      throw new Error('spawn ENOMEM');
    };
    const res = await call('POST', `/jobs/${id}/start`);
    expect(res.status).toBe(500);
    expect(res.body.detail).toContain('spawn ENOMEM');
    const job = (await call('GET', `/jobs/${id}`)).body;
    expect(job.status).toBe('failed');
    expect(job.error.message).toContain('spawn ENOMEM');
  });

  it('stop → the launcher stops the worker and the job is stopped', async () => {
    const id = await h.prechecked();
    await call('POST', `/jobs/${id}/start`);
    const res = await call('POST', `/jobs/${id}/stop`);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('stopped');
    expect(launcher.calls).toEqual([`launch ${id}`, `stop ${id}`]);
    expect((await store.get(id))!.status).toBe('stopped');
    expect((await call('POST', `/jobs/${id}/stop`)).status).toBe(409); // nothing runs any more
  });

  it('release → releaseSource with the stored password, status released, secret deleted', async () => {
    const id = await created();
    const ref = (await store.get(id))!.source.passwordRef;
    const res = await call('POST', `/jobs/${id}/release`);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('released');
    expect(launcher.calls).toEqual([`stop ${id}`]);
    expect(released).toHaveLength(1);
    expect(released[0].password).toBe(PASSWORD);
    expect(released[0].job).toMatchObject({ id, slotName: `tributary_${id}`, status: 'releasing' });
    expect(h.positionTopicReleases).toEqual([id]);
    await expect(secrets.get(ref)).rejects.toThrow(/not found/);
    expect((await store.get(id))!.status).toBe('released');
    expect((await call('POST', `/jobs/${id}/release`)).status).toBe(409);
  });

  it('a failed release → 502 problem, the job stays releasing with the error, and the secret is kept for a retry', async () => {
    const id = await created();
    h.releaseFails = new TributaryError('SourceUnreachable', 'connect ECONNREFUSED 127.0.0.1:5432');
    const res = await call('POST', `/jobs/${id}/release`);
    expect(res.status).toBe(502);
    expect(h.positionTopicReleases).toEqual([]);
    expect(res.type).toBe('application/problem+json');
    expect(res.body.detail).toContain(`tributary_${id}`);
    expect(res.body.job).toMatchObject({ status: 'releasing', error: { code: 'SourceUnreachable', class: 'connection' } });
    const stored = (await store.get(id))!;
    expect(stored).toMatchObject({ status: 'releasing', error: { code: 'SourceUnreachable', message: 'connect ECONNREFUSED 127.0.0.1:5432' } });
    expect(await secrets.get(stored.source.passwordRef)).toBe(PASSWORD);

    h.releaseFails = undefined; // the retry goes through
    expect((await call('POST', `/jobs/${id}/release`)).body).toMatchObject({ status: 'released' });
    expect((await store.get(id))!.error).toBeUndefined();
  });

  it('actions on an unknown job → 404, and the launcher is not called', async () => {
    for (const action of ['start', 'stop', 'release']) expect((await call('POST', `/jobs/jnope/${action}`)).status).toBe(404);
    expect(launcher.calls).toEqual([]);
  });
});
