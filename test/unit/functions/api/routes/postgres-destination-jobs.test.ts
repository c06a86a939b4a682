import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuthedApiHarness, PASSWORD, jobBody } from '../../../../support/api-harness.ts';
import type { StoredPostgresDestination } from '../../../../../shared/job/job-record.ts';
import { updateJob } from '../../../../../shared/storage/job-store.ts';

// The destination password is handled exactly like the source's: in the
// secret store, referenced from the record, never in a response; handed to
// the precheck; replaced by PATCH; deleted with the job.
const DEST_PASSWORD = 'D3st-Pa55-for-the-warehouse';
const pgBody = () => ({ ...jobBody(), destination: { type: 'postgresql', host: 'dw.internal', database: 'warehouse', user: 'loader', password: DEST_PASSWORD } });

let h: Awaited<ReturnType<typeof createAuthedApiHarness>>;
beforeEach(async () => {
  h = await createAuthedApiHarness();
});
afterEach(() => h.close());

const storedDestination = async (id: string) => (await h.store.get(id))!.destination as StoredPostgresDestination;

describe('a job with a PostgreSQL destination', () => {
  it('201: the destination password goes to the secret store; the record and the response hold neither password', async () => {
    const res = await h.call('POST', '/jobs', pgBody());
    expect(res.status, res.text).toBe(201);
    const id = res.body.id as string;
    expect(res.body.destination).toEqual({ type: 'postgresql', host: 'dw.internal', port: 5432, database: 'warehouse', user: 'loader', sslmode: 'prefer', conflictMode: 'precheck-and-report', nameCase: 'default' });
    const stored = await storedDestination(id);
    expect(stored).not.toHaveProperty('password');
    expect(await h.secrets.get(stored.passwordRef)).toBe(DEST_PASSWORD);
    for (const text of [res.text, (await h.call('GET', `/jobs/${id}`)).text, (await h.call('GET', '/jobs')).text, JSON.stringify(await h.store.get(id))]) {
      expect(text).not.toContain(DEST_PASSWORD);
      expect(text).not.toContain(PASSWORD);
    }
  });

  it('400 naming the field for a bad destination, nothing stored', async () => {
    const body = pgBody() as any;
    body.destination.conflictMode = 'overwrite';
    delete body.destination.password;
    const res = await h.call('POST', '/jobs', body);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['destination.conflictMode', 'destination.password']);
    expect(res.text).not.toContain(DEST_PASSWORD);
    expect(await h.store.list()).toEqual([]);
  });

  it('the precheck gets the destination password from the secret store', async () => {
    const id = await h.created(pgBody());
    await h.call('POST', `/jobs/${id}/precheck`);
    expect(h.precheckCalls.at(-1)).toMatchObject({ password: PASSWORD, destinationPassword: DEST_PASSWORD });
    const kafka = await h.created();
    await h.call('POST', `/jobs/${kafka}/precheck`);
    expect(h.precheckCalls.at(-1)!.destinationPassword).toBeUndefined();
  });

  it('PATCH replaces the password in the secret store (same reference) and keeps it when not given; refused while running', async () => {
    const id = await h.created(pgBody());
    const ref = (await storedDestination(id)).passwordRef;
    const renamed = await h.call('PATCH', `/jobs/${id}`, { destination: { conflictMode: 'ignore-and-proceed' } });
    expect(renamed.status, renamed.text).toBe(200);
    expect(await h.secrets.get(ref)).toBe(DEST_PASSWORD);
    expect((await storedDestination(id)).passwordRef).toBe(ref);
    const changed = await h.call('PATCH', `/jobs/${id}`, { destination: { password: 'N3w-dest' } });
    expect(changed.status).toBe(200);
    expect(changed.text).not.toContain('N3w-dest');
    expect(await h.secrets.get((await storedDestination(id)).passwordRef)).toBe('N3w-dest');
    await updateJob(h.store, id, () => ({ status: 'streaming' }));
    const refused = await h.call('PATCH', `/jobs/${id}`, { destination: { password: 'other' } });
    expect(refused.status).toBe(409);
    expect(refused.body.fields).toEqual(['destination']);
  });

  it('PATCH to another destination type replaces the destination; PostgreSQL needs its password', async () => {
    const id = await h.created();
    const missing = await h.call('PATCH', `/jobs/${id}`, { destination: { type: 'postgresql', host: 'dw', database: 'w', user: 'u' } });
    expect(missing.status).toBe(400);
    expect(missing.body.errors.map((e: { field: string }) => e.field)).toEqual(['destination.password']);
    const toPg = await h.call('PATCH', `/jobs/${id}`, { destination: { type: 'postgresql', host: 'dw', database: 'w', user: 'u', password: DEST_PASSWORD } });
    expect(toPg.status, toPg.text).toBe(200);
    const ref = (await storedDestination(id)).passwordRef;
    expect(await h.secrets.get(ref)).toBe(DEST_PASSWORD);
    const toKafka = await h.call('PATCH', `/jobs/${id}`, { destination: { type: 'kafka', brokers: ['b1:9092'] } });
    expect(toKafka.status, toKafka.text).toBe(200);
    expect(toKafka.body.destination).toMatchObject({ type: 'kafka', brokers: ['b1:9092'] });
    await expect(h.secrets.get(ref)).rejects.toThrow();
  });

  it('release deletes both secrets', async () => {
    const id = await h.created(pgBody());
    const job = (await h.store.get(id))!;
    expect((await h.call('POST', `/jobs/${id}/release`)).status).toBe(200);
    await expect(h.secrets.get(job.source.passwordRef)).rejects.toThrow();
    await expect(h.secrets.get((job.destination as StoredPostgresDestination).passwordRef)).rejects.toThrow();
  });
});
