import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { MATRIX, servicesFor, freshDatabase, api, jobBody, startJob, useLocalTributary } from '../support/e2e.ts';
import { waitFor } from '../support/wait-for.ts';

// Large and streamed transactions end to end (issue 3): the source streams a
// transaction in progress (protocol 2+, logical_decoding_work_mem set to its
// 64 kB minimum for this database's role), the worker holds it in a 1 MiB
// memory budget, spills the rest to disk, and publishes it only at its commit.
// One partition per topic, so the test can check the total order.

// 500k rows by default: its INSERT is one long transaction on the shared
// servers, and a replication slot created meanwhile by another test file waits
// for it to end (CREATE_REPLICATION_SLOT waits for running transactions).
// STREAM_TEST_ROWS=1000000 passes too (40–85 s per server on the shared
// 2-core machine).
const ROWS = Number(process.env.STREAM_TEST_ROWS ?? 500_000);

// Read by each worker the local launcher spawns (it passes this process's environment).
process.env.TRIBUTARY_STREAM_MEMORY_MB = '1';

type Seen = { id: number; op: string; txId: number; timestamp: number };

/** Consumes `topic` from the start until `count` records arrived (or `until` holds), keeping only what the test checks. */
async function consume(brokers: string[], topic: string, count: number, timeoutMs: number, until?: (s: Seen) => boolean): Promise<Seen[]> {
  const kafka = new Kafka({ clientId: 'tributary-test-streamed', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `streamed-${randomUUID()}`, maxBytes: 16 * 1024 * 1024 });
  const seen: Seen[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          if (!m.value) continue; // tombstones
          const v = JSON.parse(m.value.toString());
          seen.push({ id: Number(v.after?.id ?? v.before?.id), op: v.op, txId: v.source.txId, timestamp: Number(m.timestamp) });
        }
      },
    });
    await waitFor(`${count} records on ${topic} (have ${seen.length})`, () => (until ? seen.some(until) : seen.length >= count), timeoutMs, 250);
    return seen;
  } finally {
    await consumer.disconnect();
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe.each(MATRIX)('streamed transactions PostgreSQL $pg → Kafka $kafka', (combo) => {
  const tributary = useLocalTributary();
  let db: { name: string; client: pg.Client; url: string };
  let jobId: string;
  const topic = (table: string) => `${db.name}.public.${table}`;
  const workerLog = () => readFileSync(join(tributary.dataDir, 'logs', `${jobId}.log`), 'utf8');
  const logLines = (msg: string) => workerLog().split('\n').filter((l) => l.includes(`"${msg}"`)).map((l) => JSON.parse(l));

  beforeAll(async () => {
    const { postgres, kafka } = servicesFor(combo);
    db = await freshDatabase(postgres.connectionString);
    // A role setting the walsender of this database reads at connection: stream after 64 kB.
    await db.client.query(`ALTER ROLE postgres IN DATABASE ${db.name} SET logical_decoding_work_mem = '64kB'`);
    for (const t of ['big', 'rolled_back', 'savepoint', 'interleaved']) {
      await db.client.query(`CREATE TABLE ${t} (id int8 PRIMARY KEY, payload text NOT NULL)`);
    }
    const body = jobBody({ port: postgres.port, database: db.name, brokers: kafka.brokers, tables: ['big', 'rolled_back', 'savepoint', 'interleaved'].map((table) => ({ table })) });
    const created = await api(tributary.url, 'POST', '/jobs', { ...body, destination: { ...body.destination, partitionPolicy: 'partition-0', newTopicPartitions: 1 } });
    expect(created.status).toBe(201);
    jobId = created.body.id;
    expect((await startJob(tributary.url, jobId)).status).toBe(202);
    await waitFor('job streaming', async () => (await api(tributary.url, 'GET', `/jobs/${jobId}`)).body.status === 'streaming', 60_000);
    expect(logLines('streaming')[0]).toMatchObject({ protocol: 4, streaming: 'parallel' });
  }, 120_000);

  it(`a ${ROWS.toLocaleString('en')}-row transaction arrives complete and in order, spilled to disk on the way`, { timeout: 300_000 }, async () => {
    const { kafka } = servicesFor(combo);
    await db.client.query('BEGIN');
    await db.client.query(`INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, $1::int) g`, [ROWS]);
    const beforeCommit = (await db.client.query('SELECT pg_current_wal_insert_lsn()::text AS lsn')).rows[0].lsn as string;
    await db.client.query('COMMIT');
    const seen = await consume(kafka.brokers, topic('big'), ROWS, 270_000);
    expect(seen.length).toBe(ROWS);
    let inOrder = true;
    for (let i = 0; i < seen.length; i++) if (seen[i].id !== i + 1 || seen[i].op !== 'c') inOrder = false;
    expect(inOrder).toBe(true);
    expect(new Set(seen.map((s) => s.txId)).size).toBe(1);
    // The server streamed it, and the worker spilled all but its 1 MiB budget.
    const committed = logLines('streamed transaction committed').find((l) => l.xid === seen[0].txId);
    expect(committed).toBeDefined();
    expect(committed.changes).toBeGreaterThanOrEqual(ROWS);
    expect(committed.spilledBytes).toBeGreaterThan(ROWS * 40);
    const { slotName } = (await api(tributary.url, 'GET', `/jobs/${jobId}`)).body;
    await waitFor('server statistics of streamed transactions', async () => {
      const stats = await db.client.query('SELECT stream_txns FROM pg_stat_replication_slots WHERE slot_name = $1', [slotName]);
      return Number(stats.rows[0]?.stream_txns ?? 0) > 0;
    }, 30_000);
    // The checkpoint moves past the transaction's commit once it is delivered.
    await waitFor('checkpoint past the big transaction', async () => {
      const j = (await api(tributary.url, 'GET', `/jobs/${jobId}`)).body;
      if (!j.ackedLsn) return false;
      return (await db.client.query('SELECT $1::pg_lsn > $2::pg_lsn AS past', [j.ackedLsn, beforeCommit])).rows[0].past;
    }, 30_000);
  });

  it('a streamed transaction rolled back leaves nothing in Kafka', { timeout: 120_000 }, async () => {
    const { kafka } = servicesFor(combo);
    await db.client.query('BEGIN');
    await db.client.query(`INSERT INTO rolled_back SELECT g, md5(g::text) FROM generate_series(1, 30000) g`);
    const xid = Number((await db.client.query('SELECT txid_current() AS x')).rows[0].x);
    await db.client.query('ROLLBACK');
    await db.client.query(`INSERT INTO rolled_back VALUES (-1, 'after')`); // a marker committed after it
    // Anything of the rolled-back transaction would come before the marker committed after it.
    const seen = await consume(kafka.brokers, topic('rolled_back'), 1, 60_000, (s) => s.id === -1);
    expect(seen.map((s) => s.id)).toEqual([-1]);
    // The server did stream it (a Stream Abort is sent only for a streamed transaction).
    // droppedBytes is usually the 2 MB it sent, but was once 0 on PostgreSQL 17 right after
    // the big transaction: not understood yet, so not asserted (see the branch report).
    const rolledBack = await waitFor('rollback logged', () => logLines('streamed transaction rolled back: its changes are dropped').find((l) => l.xid === xid), 10_000);
    expect(rolledBack.subXid).toBe(xid);
  });

  it('ROLLBACK TO SAVEPOINT inside a streamed transaction drops only those rows', { timeout: 120_000 }, async () => {
    const { kafka } = servicesFor(combo);
    await db.client.query('BEGIN');
    await db.client.query(`INSERT INTO savepoint SELECT g, md5(g::text) FROM generate_series(1, 10000) g`);
    await db.client.query('SAVEPOINT a');
    await db.client.query(`INSERT INTO savepoint SELECT g, md5(g::text) FROM generate_series(10001, 20000) g`);
    await db.client.query('SAVEPOINT b');
    await db.client.query(`INSERT INTO savepoint SELECT g, md5(g::text) FROM generate_series(20001, 30000) g`);
    await db.client.query('ROLLBACK TO SAVEPOINT b');
    await db.client.query(`INSERT INTO savepoint SELECT g, md5(g::text) FROM generate_series(30001, 35000) g`);
    await db.client.query('RELEASE SAVEPOINT a');
    await db.client.query(`UPDATE savepoint SET payload = 'updated' WHERE id = 1`);
    await db.client.query('COMMIT');
    const expected = [...range(1, 20000), ...range(30001, 35000)];
    const seen = await consume(kafka.brokers, topic('savepoint'), expected.length + 1, 60_000);
    expect(seen.filter((s) => s.op === 'c').map((s) => s.id)).toEqual(expected);
    expect(seen.at(-1)).toMatchObject({ id: 1, op: 'u' });
    expect(seen).toHaveLength(expected.length + 1);
    expect(logLines('streamed subtransaction rolled back: its changes are dropped').length).toBeGreaterThan(0);
  });

  it('interleaved transactions, streamed and not, arrive in commit order', { timeout: 120_000 }, async () => {
    const { kafka } = servicesFor(combo);
    const a = new pg.Client({ connectionString: db.url });
    const b = new pg.Client({ connectionString: db.url });
    await a.connect();
    await b.connect();
    try {
      await a.query('BEGIN');
      await a.query(`INSERT INTO interleaved SELECT g, md5(g::text) FROM generate_series(1, 15000) g`);
      await b.query('BEGIN');
      await b.query(`INSERT INTO interleaved SELECT g, md5(g::text) FROM generate_series(100001, 115000) g`);
      await a.query(`INSERT INTO interleaved SELECT g, md5(g::text) FROM generate_series(15001, 20000) g`);
      await db.client.query(`INSERT INTO interleaved VALUES (-1, 'small, commits first')`);
      await b.query('COMMIT');
      await a.query(`INSERT INTO interleaved SELECT g, md5(g::text) FROM generate_series(20001, 25000) g`);
      await a.query('COMMIT');
    } finally {
      await a.end();
      await b.end();
    }
    const expected = [-1, ...range(100001, 115000), ...range(1, 25000)];
    const seen = await consume(kafka.brokers, topic('interleaved'), expected.length, 60_000);
    expect(seen.map((s) => s.id)).toEqual(expected);
    expect(new Set(seen.slice(1, 15001).map((s) => s.txId)).size).toBe(1);
  });
});

describe.each(MATRIX)('incremental throttle PostgreSQL $pg → Kafka $kafka', (combo) => {
  const tributary = useLocalTributary();

  it('holds a 2,000 rows/s cap on the stream', { timeout: 120_000 }, async () => {
    const CAP = 2_000;
    const N = 12_000;
    const { postgres, kafka } = servicesFor(combo);
    const db = await freshDatabase(postgres.connectionString);
    await db.client.query('CREATE TABLE slow (id int8 PRIMARY KEY, payload text NOT NULL)');
    const body = jobBody({ port: postgres.port, database: db.name, brokers: kafka.brokers, tables: [{ table: 'slow' }] });
    const created = await api(tributary.url, 'POST', '/jobs', { ...body, destination: { ...body.destination, partitionPolicy: 'partition-0', newTopicPartitions: 1 }, throttle: { incremental: { rowsPerSecond: CAP } } });
    expect(created.status).toBe(201);
    expect(created.body.throttle).toEqual({ incremental: { rowsPerSecond: CAP } });
    const id = created.body.id as string;
    expect((await startJob(tributary.url, id)).status).toBe(202);
    await waitFor('job streaming', async () => (await api(tributary.url, 'GET', `/jobs/${id}`)).body.status === 'streaming', 60_000);
    // Written at once, in transactions of 1,000: the source is far faster than the cap.
    for (let i = 0; i < N; i += 1000) await db.client.query(`INSERT INTO slow SELECT g, md5(g::text) FROM generate_series($1::int, $2::int) g`, [i + 1, i + 1000]);
    const seen = await consume(kafka.brokers, `${db.name}.public.slow`, N, 60_000);
    expect(seen.map((s) => s.id)).toEqual(range(1, N));
    // Measured on Kafka's record timestamps (set by the producer as records are sent).
    const first = seen[0].timestamp;
    const last = seen.at(-1)!.timestamp;
    const rate = (N - 1) / ((last - first) / 1000);
    console.log(`incremental throttle (PG ${combo.pg}): cap ${CAP} rows/s, measured ${Math.round(rate)} rows/s over ${((last - first) / 1000).toFixed(2)} s`);
    expect(rate).toBeLessThanOrEqual(CAP * 1.1);
    expect(rate).toBeGreaterThan(CAP * 0.5); // throttled, not stuck
    await api(tributary.url, 'POST', `/jobs/${id}/release`);
    await db.client.end();
  });
});
