import { describe, it, expect } from 'vitest';
import { MATRIX, servicesFor, freshDatabase, api, jobBody, startJob, useLocalTributary } from '../support/e2e.ts';
import { freePort } from '../../scripts/services/postgres.ts';
import { waitFor } from '../support/wait-for.ts';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

// Closing any descriptor of an SQLite file drops every POSIX lock this process
// holds on it (a POSIX rule), which would corrupt the store the API has open:
// read the raw database bytes from another process.
const rawFileOutOfProcess = (path: string) =>
  execFileSync(process.execPath, ['-e', `process.stdout.write(require('fs').readFileSync(${JSON.stringify(path)}).toString('latin1'))`], { encoding: 'latin1', maxBuffer: 64 << 20 });

// A job that cannot run is caught by the precheck, with the fix; what breaks
// after a passed precheck is caught by the worker, classified and shown on
// the job — clearly and quickly, never as a hang, never with the password.
describe('jobs that cannot run fail clearly, without hanging or leaking the password', () => {
  const combo = MATRIX[0];
  const tributary = useLocalTributary();

  const create = async (body: unknown) => (await api(tributary.url, 'POST', '/jobs', body)).body.id as string;
  const precheck = async (id: string) => (await api(tributary.url, 'POST', `/jobs/${id}/precheck`)).body;
  const reported = (id: string) =>
    waitFor('the failure to be reported', async () => {
      const j = (await api(tributary.url, 'GET', `/jobs/${id}`)).body;
      return j.status === 'failed' || j.status === 'retrying' ? j : undefined;
    }, 30_000);

  it('an unreachable source: the precheck says so with the fix, and start is refused', async () => {
    const { kafka } = servicesFor(combo);
    const id = await create(jobBody({ port: await freePort(), database: 'nowhere', brokers: kafka.brokers, tables: [{ table: 't' }] }));
    const report = await precheck(id);
    expect(report.verdict).toBe('failed');
    const reach = report.results.find((r: { status: string }) => r.status === 'error');
    expect(reach.detail).toMatch(/ECONNREFUSED|refused/);
    expect(reach.fix).toBeTruthy();
    expect(report.results.filter((r: { status: string }) => r.status === 'skipped').length).toBeGreaterThan(5);
    const start = await api(tributary.url, 'POST', `/jobs/${id}/start`);
    expect(start.status).toBe(409);
  });

  it('a password changed after the precheck: the worker fails with SourceAuthFailed and the password appears nowhere', async () => {
    const { postgres, kafka } = servicesFor(combo);
    const db = await freshDatabase(postgres.connectionString);
    await db.client.query('CREATE TABLE t (id int PRIMARY KEY)');
    const secret = 'Wr0ng-Pa55word-do-not-log';
    const role = `r_${db.name}`;
    await db.client.query(`CREATE ROLE ${role} LOGIN SUPERUSER PASSWORD '${secret}'`);
    const id = await create({ ...jobBody({ port: postgres.port, database: db.name, brokers: kafka.brokers, tables: [{ table: 't' }], password: secret }), source: { type: 'postgresql', host: '127.0.0.1', port: postgres.port, database: db.name, user: role, password: secret, sslmode: 'disable' } });
    expect((await precheck(id)).verdict).toBe('passed');
    await db.client.query(`ALTER ROLE ${role} PASSWORD 'rotated-elsewhere'`);
    await api(tributary.url, 'POST', `/jobs/${id}/start`);
    const job = await reported(id);
    expect(job.status).toBe('failed');
    expect(job.error).toMatchObject({ code: 'SourceAuthFailed', class: 'fatal' });
    const everything = [
      JSON.stringify(job),
      (await api(tributary.url, 'GET', '/jobs')).text,
      readFileSync(join(tributary.dataDir, 'logs', `${id}.log`), 'utf8'),
      rawFileOutOfProcess(join(tributary.dataDir, 'tributary.db')),
      ...readdirSync(join(tributary.dataDir, 'secrets', 'values')).map((f) => readFileSync(join(tributary.dataDir, 'secrets', 'values', f), 'utf8')),
      tributary.logs.join('\n'),
    ].join('\n');
    expect(everything).not.toContain(secret);
    await db.client.end();
  });

  it('a table dropped after the precheck: the worker fails with TableNotFound naming it', async () => {
    const { postgres, kafka } = servicesFor(combo);
    const db = await freshDatabase(postgres.connectionString);
    await db.client.query('CREATE TABLE doomed (id int PRIMARY KEY)');
    const id = await create(jobBody({ port: postgres.port, database: db.name, brokers: kafka.brokers, tables: [{ table: 'doomed' }] }));
    expect((await precheck(id)).verdict).toBe('passed');
    await db.client.query('DROP TABLE doomed');
    await api(tributary.url, 'POST', `/jobs/${id}/start`);
    const job = await reported(id);
    expect(job.status).toBe('failed');
    expect(job.error.code).toBe('TableNotFound');
    expect(job.error.message).toContain('public.doomed');
    await db.client.end();
  });

  it('an unreachable Kafka: the precheck reports the brokers, and start is refused', async () => {
    const { postgres } = servicesFor(combo);
    const db = await freshDatabase(postgres.connectionString);
    await db.client.query('CREATE TABLE t (id int PRIMARY KEY)');
    const id = await create(jobBody({ port: postgres.port, database: db.name, brokers: [`127.0.0.1:${await freePort()}`], tables: [{ table: 't' }] }));
    const report = await precheck(id);
    expect(report.verdict).toBe('failed');
    expect(report.blocking.length).toBeGreaterThan(0);
    await expect(startJob(tributary.url, id)).rejects.toThrow(/precheck did not pass/);
    await db.client.end();
  });
});
