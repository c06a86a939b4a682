import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MATRIX, servicesFor, freshDatabase, api, jobBody, startJob, useLocalTributary } from '../support/e2e.ts';
import { waitFor } from '../support/wait-for.ts';
import { WORKER_ENV, WORKER_NODE_FLAGS } from '../../worker/node-flags.ts';

// Two workers on one exactly-once job (a control plane that restarted can
// launch one while the orphaned one is still stopping): the newer one
// fences the older, whose Kafka writes then fail with ProducerFenced. That
// failure is the old worker's, not the job's: the old worker leaves the
// status alone and exits 3, and the newer one runs the job.
describe('a worker replaced by a newer one (PostgreSQL 17, Kafka 4.1)', () => {
  const combo = MATRIX[0];
  const tributary = useLocalTributary();

  it('leaves the job to the newer worker instead of failing it', { timeout: 120_000 }, async () => {
    const { postgres, kafka } = servicesFor(combo);
    const db = await freshDatabase(postgres.connectionString);
    await db.client.query('CREATE TABLE items (id int PRIMARY KEY, v text)');
    const body = jobBody({ port: postgres.port, database: db.name, brokers: kafka.brokers, tables: [{ table: 'items' }] });
    const id = (await api(tributary.url, 'POST', '/jobs', { ...body, destination: { ...body.destination, deliveryGuarantee: 'exactly-once' } })).body.id as string;
    expect((await startJob(tributary.url, id)).status).toBe(202);
    await waitFor('streaming', async () => (await api(tributary.url, 'GET', `/jobs/${id}`)).body.status === 'streaming', 60_000);
    const first = tributary.launcher.pidOf(id)!;
    const main = join(tributary.dataDir, 'worker-bundle', 'main.js');
    expect(existsSync(main)).toBe(true);

    // The newer worker, started beside the control plane's: it claims the job and fences the first.
    const log = join(tributary.dataDir, 'logs', `${id}.newer.log`);
    const fd = openSync(log, 'a');
    const newer = spawn(process.execPath, [...WORKER_NODE_FLAGS, main], { env: { ...WORKER_ENV, ...process.env, TRIBUTARY_JOB_ID: id, TRIBUTARY_DATA_DIR: tributary.dataDir }, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    const newerExit = new Promise<number | null>((resolve) => newer.once('exit', resolve));
    try {
      // Changes keep coming, so the first worker writes (and is refused) soon after the fence.
      let n = 0;
      await waitFor('the first worker gone', async () => {
        await db.client.query('INSERT INTO items VALUES ($1, $2)', [++n, 'x']);
        return !tributary.launcher.isRunning(id);
      }, 60_000, 200);
      const firstLog = readFileSync(join(tributary.dataDir, 'logs', `${id}.log`), 'utf8');
      expect(firstLog).toContain('a newer worker runs this job now');
      expect(firstLog).toMatch(/"code":"ProducerFenced"/);
      expect(first).not.toBe(newer.pid);
      const job = (await api(tributary.url, 'GET', `/jobs/${id}`)).body;
      expect(job.status).not.toBe('failed');
      expect(job.error).toBeUndefined();
      expect(job).not.toHaveProperty('workerRun'); // internal
      await waitFor('the newer worker streaming', async () => readFileSync(log, 'utf8').includes('"msg":"streaming"'), 60_000, 200);
    } finally {
      newer.kill('SIGTERM');
    }
    expect(await newerExit).toBe(0);
    expect((await api(tributary.url, 'GET', `/jobs/${id}`)).body.status).toBe('stopped'); // the newer worker's own last word
    await db.client.end();
  });
});
