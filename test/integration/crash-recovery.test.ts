import { describe, it, expect } from 'vitest';
import { MATRIX, servicesFor, freshDatabase, api, jobBody, startJob, useLocalTributary } from '../support/e2e.ts';
import { readTopic } from '../support/kafka-reader.ts';
import { waitFor } from '../support/wait-for.ts';

const ROWS = 100_000;
const PER_TX = 500;

// The product's promise: kill -9 the worker mid-stream, start it again, and
// every committed change is in Kafka. At-least-once allows re-sent changes;
// the test counts and reports them, and checks per-key order still holds.
describe('kill -9 of the worker during a 100k-row workload', () => {
  const combo = MATRIX[0];
  const tributary = useLocalTributary();

  it('loses nothing and keeps per-key order', async () => {
    const { postgres, kafka } = servicesFor(combo);
    const db = await freshDatabase(postgres.connectionString);
    await db.client.query('CREATE TABLE events (id int PRIMARY KEY, payload text, version int NOT NULL)');
    const created = await api(tributary.url, 'POST', '/jobs', jobBody({ port: postgres.port, database: db.name, brokers: kafka.brokers, tables: [{ table: 'events' }] }));
    const id = created.body.id as string;
    await startJob(tributary.url, id);
    await waitFor('streaming', async () => (await api(tributary.url, 'GET', `/jobs/${id}`)).body.status === 'streaming');

    // Writer: inserts in transactions of PER_TX rows, then updates the first
    // 1000 rows once more so per-key order (c before u) can be checked.
    let written = 0;
    const writer = (async () => {
      for (let start = 1; start <= ROWS; start += PER_TX) {
        await db.client.query(`INSERT INTO events SELECT g, repeat('x', 64), 1 FROM generate_series($1::int, $2::int) g`, [start, start + PER_TX - 1]);
        written = start + PER_TX - 1;
      }
      await db.client.query('UPDATE events SET version = 2 WHERE id <= 1000');
    })();

    // Kill the worker once part of the workload has been acknowledged.
    await waitFor('a first checkpoint', async () => (await api(tributary.url, 'GET', `/jobs/${id}`)).body.ackedLsn, 60_000, 50);
    await waitFor('a third of the rows written', () => written >= ROWS / 3, 120_000, 20);
    const pid = tributary.launcher.pidOf(id);
    expect(pid).toBeDefined();
    process.kill(pid!, 'SIGKILL');
    const crashed = await waitFor('crash recorded', async () => {
      const j = (await api(tributary.url, 'GET', `/jobs/${id}`)).body;
      return j.status === 'failed' ? j : undefined;
    });
    expect(crashed.error.code).toBe('WorkerCrashed');
    const ackedAtCrash = crashed.ackedLsn as string;

    expect((await api(tributary.url, 'POST', `/jobs/${id}/start`)).status).toBe(202);
    await writer;

    const topic = `${db.name}.public.events`;
    const messages = await readTopic(kafka.brokers, topic, (m) => new Set(m.map((x) => x.key)).size >= ROWS && m.length >= ROWS + 1000, 240_000);
    const versionsById = new Map<number, number[]>();
    for (const m of messages) {
      const v = JSON.parse(m.value!);
      const list = versionsById.get(v.after.id) ?? [];
      list.push(v.after.version);
      versionsById.set(v.after.id, list);
    }
    const missing = [];
    for (let i = 1; i <= ROWS; i++) if (!versionsById.has(i)) missing.push(i);
    expect(missing).toEqual([]);
    // per key: every delivery of version 1 precedes version 2 (duplicates of a version may repeat)
    for (let i = 1; i <= 1000; i++) {
      const versions = versionsById.get(i)!;
      expect(versions.at(-1)).toBe(2);
      expect(versions.indexOf(2)).toBeGreaterThan(versions.lastIndexOf(1));
    }
    const duplicates = messages.length - (ROWS + 1000);
    console.log(`crash test (PG ${combo.pg}, Kafka ${combo.kafka}): ${messages.length} records for ${ROWS + 1000} changes, ${duplicates} re-sent after kill -9 (acked at crash: ${ackedAtCrash})`);
    expect(duplicates).toBeGreaterThanOrEqual(0);

    await api(tributary.url, 'POST', `/jobs/${id}/release`);
    await db.client.end();
  });
});
