import { describe, it, expect } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { MATRIX, servicesFor, freshDatabase, api, jobBody, startJob, useLocalTributary } from '../support/e2e.ts';
import { waitFor } from '../support/wait-for.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// SPEC.md §7: lag from a heartbeat table the job writes on its source, and the
// WAL its slot retains, in the status API; the heartbeat never reaches Kafka
// and release removes its table.
describe('heartbeat, lag and retained WAL', () => {
  const combo = MATRIX[1];
  // workers inherit TRIBUTARY_ENVIRONMENT and publish CloudWatch EMF lines, as on AWS
  const tributary = useLocalTributary({ before: () => void (process.env.TRIBUTARY_ENVIRONMENT = 'it'), after: () => void delete process.env.TRIBUTARY_ENVIRONMENT });

  it('reports lag and retained WAL, keeps heartbeats out of Kafka, and release drops the table', async () => {
    const { postgres, kafka } = servicesFor(combo);
    const db = await freshDatabase(postgres.connectionString);
    await db.client.query('CREATE TABLE t (id int PRIMARY KEY)');
    const id = (await api(tributary.url, 'POST', '/jobs', jobBody({ port: postgres.port, database: db.name, brokers: kafka.brokers, tables: [{ table: 't' }] }))).body.id;
    await startJob(tributary.url, id);

    const job = await waitFor('a measured lag', async () => {
      const j = (await api(tributary.url, 'GET', `/jobs/${id}`)).body;
      return j.metrics?.lagSeconds !== undefined && j.metrics.retainedWalBytes !== undefined ? j : undefined;
    }, 60_000);
    expect(job.metrics.lagSeconds).toBeGreaterThanOrEqual(0);
    expect(job.metrics.lagSeconds).toBeLessThan(30);
    expect(job.metrics.retainedWalBytes).toBeGreaterThanOrEqual(0);
    const emf = readFileSync(join(tributary.dataDir, 'logs', `${id}.log`), 'utf8').split('\n').filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l));
    expect(emf.length).toBeGreaterThan(0);
    expect(emf.some((e) => typeof e.ReplicationLag === 'number' && e.JobId === id && e.Environment === 'it')).toBe(true);
    const heartbeatTable = `tributary_heartbeat_${id}`;
    const rows = await db.client.query(`SELECT ts FROM public."${heartbeatTable}"`);
    expect(rows.rowCount).toBe(1);
    const published = await db.client.query('SELECT tablename FROM pg_publication_tables WHERE pubname = $1 ORDER BY 1', [job.publicationName]);
    expect(published.rows.map((r) => r.tablename)).toEqual([heartbeatTable, 't'].sort());

    // the heartbeat advances the slot on an idle database: its confirmed LSN moves without user writes
    const slotLsn = async () => (await db.client.query('SELECT confirmed_flush_lsn::text AS l FROM pg_replication_slots WHERE slot_name = $1', [job.slotName])).rows[0].l;
    const before = await slotLsn();
    await waitFor('the slot to advance on heartbeats alone', async () => (await db.client.query('SELECT $1::pg_lsn > $2::pg_lsn AS moved', [await slotLsn(), before])).rows[0].moved, 60_000);

    // metering (SPEC.md §6): healthy streaming time and delivered rows, reported when the worker stops
    await db.client.query('INSERT INTO t SELECT generate_series(1, 10)');
    await waitFor('the rows delivered', async () => ((await api(tributary.url, 'GET', `/jobs/${id}`)).body.metrics?.eventsDelivered ?? 0) >= 10, 30_000);
    await api(tributary.url, 'POST', `/jobs/${id}/stop`);
    const usage = (await api(tributary.url, 'GET', `/jobs/${id}/usage`)).body;
    expect(usage.monthly).toHaveLength(1);
    expect(usage.monthly[0].incrementalSeconds).toBeGreaterThan(0);
    expect(usage.monthly[0].rows).toBeGreaterThanOrEqual(10);
    expect(usage.monthly[0].coreHours).toBeCloseTo((usage.monthly[0].incrementalSeconds / 3600) * 2, 6);

    const admin = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${db.name}.`));
    await admin.disconnect();
    expect(topics.sort()).toEqual([`${db.name}.public.t`, `${db.name}.schema-changes`]); // no topic for the heartbeat table

    expect((await api(tributary.url, 'POST', `/jobs/${id}/release`)).status).toBe(200);
    const left = await db.client.query('SELECT to_regclass($1) AS t', [`public."${heartbeatTable}"`]);
    expect(left.rows[0].t).toBeNull();
    await db.client.end();
  });
});
