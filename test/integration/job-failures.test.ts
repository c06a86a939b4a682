import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { MATRIX, servicesFor, freshDatabase, startTributary, api, jobBody } from '../support/e2e.ts';
import { freePort } from '../../scripts/services/postgres.ts';
import { waitFor } from '../support/wait-for.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

// Closing any descriptor of an SQLite file drops every POSIX lock this process
// holds on it (a POSIX rule), which would corrupt the store the API has open:
// read the raw database bytes from another process.
const rawFileOutOfProcess = (path: string) =>
  execFileSync(process.execPath, ['-e', `process.stdout.write(require('fs').readFileSync(${JSON.stringify(path)}).toString('latin1'))`], { encoding: 'latin1', maxBuffer: 64 << 20 });

describe('jobs that cannot run fail clearly, without hanging or leaking the password', () => {
  const combo = MATRIX[0];
  let tributary: Awaited<ReturnType<typeof startTributary>>;
  beforeAll(async () => {
    tributary = await startTributary();
  });
  afterAll(async () => {
    await tributary?.close();
  });

  const runUntilReported = async (body: unknown) => {
    const created = await api(tributary.url, 'POST', '/jobs', body);
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const started = Date.now();
    await api(tributary.url, 'POST', `/jobs/${id}/start`);
    // fatal errors fail the job; connection errors show as retrying, with the error and its window
    const job = await waitFor('the failure to be reported', async () => {
      const j = (await api(tributary.url, 'GET', `/jobs/${id}`)).body;
      return j.status === 'failed' || j.status === 'retrying' ? j : undefined;
    }, 30_000);
    return { job, seconds: (Date.now() - started) / 1000, id };
  };

  it('an unreachable source is reported within seconds as SourceUnreachable, retried within its window', async () => {
    const { kafka } = servicesFor(combo);
    const closedPort = await freePort(); // nothing listens here
    const { job, seconds } = await runUntilReported(jobBody({ port: closedPort, database: 'nowhere', brokers: kafka.brokers, tables: [{ table: 't' }] }));
    expect(job.status).toBe('retrying');
    expect(job.error).toMatchObject({ code: 'SourceUnreachable', class: 'connection' });
    expect(job.error.message).toMatch(/ECONNREFUSED/);
    expect(Date.parse(job.retry.until) - Date.parse(job.retry.since)).toBe(720 * 60_000);
    expect(job.error.remedy).toMatch(/host and port/);
    expect(seconds).toBeLessThan(30);
  });

  it('a wrong password fails with SourceAuthFailed and the password appears nowhere', async () => {
    const { postgres, kafka } = servicesFor(combo);
    const secret = 'Wr0ng-Pa55word-do-not-log';
    const { job, id } = await runUntilReported(jobBody({ port: postgres.port, database: 'postgres', brokers: kafka.brokers, tables: [{ table: 't' }], password: secret }));
    expect(job.status).toBe('failed');
    expect(job.error).toMatchObject({ code: 'SourceAuthFailed', class: 'fatal' });
    const everything = [
      JSON.stringify(job),
      (await api(tributary.url, 'GET', '/jobs')).text,
      readFileSync(join(tributary.dataDir, 'logs', `${id}.log`), 'utf8'),
      rawFileOutOfProcess(join(tributary.dataDir, 'tributary.db')),
      readFileSync(join(tributary.dataDir, 'secrets', 'secrets.json'), 'utf8'),
      tributary.logs.join('\n'),
    ].join('\n');
    expect(everything).not.toContain(secret);
  });

  it('a missing table fails with TableNotFound naming it', async () => {
    const { postgres, kafka } = servicesFor(combo);
    const db = await freshDatabase(postgres.connectionString);
    const { job } = await runUntilReported(jobBody({ port: postgres.port, database: db.name, brokers: kafka.brokers, tables: [{ table: 'no_such_table' }] }));
    expect(job.status).toBe('failed');
    expect(job.error.code).toBe('TableNotFound');
    expect(job.error.message).toContain('public.no_such_table');
    await db.client.end();
  });

  it('an unreachable Kafka is reported as SinkUnreachable and retried', async () => {
    const { postgres } = servicesFor(combo);
    const db = await freshDatabase(postgres.connectionString);
    await db.client.query('CREATE TABLE t (id int PRIMARY KEY)');
    const { job, id } = await runUntilReported(jobBody({ port: postgres.port, database: db.name, brokers: [`127.0.0.1:${await freePort()}`], tables: [{ table: 't' }] }));
    expect(job.status).toBe('retrying');
    expect(job.error).toMatchObject({ code: 'SinkUnreachable', class: 'connection' });
    expect((await api(tributary.url, 'POST', `/jobs/${id}/stop`)).body.status).toBe('stopped'); // a retrying job can be stopped
    await db.client.end();
  });
});
