import { describe, it, expect, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MATRIX, servicesFor, freshDatabase, api, jobBody, rememberApiKey, startTributary, startJob } from '../support/e2e.ts';
import { readTopic } from '../support/kafka-reader.ts';
import { waitFor } from '../support/wait-for.ts';
import { freePort } from '../../scripts/services/postgres.ts';
import type { LocalTributary } from '../../functions/api/local.ts';

const LOCAL_MAIN = fileURLToPath(new URL('../../functions/api/local.ts', import.meta.url));

// kill -9 of the local control plane: its worker notices the broken IPC
// lifeline and stops without marking the job stopped; the next control plane
// on the same data folder resumes the job, and nothing written meanwhile is lost.
describe('kill -9 of the local control plane', () => {
  const combo = MATRIX[1];
  let second: LocalTributary | undefined;
  afterAll(async () => {
    await second?.close();
  });

  it('resumes running jobs on restart and loses nothing', async () => {
    const { postgres, kafka } = servicesFor(combo);
    const db = await freshDatabase(postgres.connectionString);
    await db.client.query('CREATE TABLE items (id int PRIMARY KEY, name text)');
    const dataDir = mkdtempSync(join(tmpdir(), 'tributary-restart-'));
    const port = await freePort();
    const first = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', LOCAL_MAIN, '--port', String(port), '--data', dataDir], { stdio: 'ignore' });
    const url = `http://127.0.0.1:${port}`;
    await waitFor('first control plane', async () => (await fetch(`${url}/health`)).ok);
    rememberApiKey(url, readFileSync(join(dataDir, 'api-key'), 'utf8').trim());

    const id = (await api(url, 'POST', '/jobs', jobBody({ port: postgres.port, database: db.name, brokers: kafka.brokers, tables: [{ table: 'items' }] }))).body.id;
    await startJob(url, id);
    const job = await waitFor('streaming', async () => {
      const j = (await api(url, 'GET', `/jobs/${id}`)).body;
      return j.status === 'streaming' ? j : undefined;
    });
    await db.client.query(`INSERT INTO items SELECT g, 'before' FROM generate_series(1, 100) g`);

    first.kill('SIGKILL');
    await waitFor('the orphaned worker to let go of its slot', async () =>
      (await db.client.query('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [job.slotName])).rows[0]?.active === false,
    );
    await db.client.query(`INSERT INTO items SELECT g, 'while down' FROM generate_series(101, 200) g`);

    second = await startTributary({ dataDir }); // same data folder: same API key, same jobs
    await waitFor('job resumed', async () => (await api(second!.url, 'GET', `/jobs/${id}`)).body.status === 'streaming');
    await db.client.query(`INSERT INTO items SELECT g, 'after' FROM generate_series(201, 300) g`);

    const messages = await readTopic(kafka.brokers, `${db.name}.public.items`, (m) => new Set(m.map((x) => x.key)).size >= 300);
    const ids = new Set(messages.map((m) => JSON.parse(m.value!).after.id));
    expect(ids.size).toBe(300);
    await api(second.url, 'POST', `/jobs/${id}/release`);
    await db.client.end();
  });
});
