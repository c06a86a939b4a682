import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { MATRIX, servicesFor, freshDatabase, api, jobBody, startJob, useLocalTributary } from '../support/e2e.ts';
import { readTopic, byPartitionOffset, type ReadMessage } from '../support/kafka-reader.ts';
import { waitFor } from '../support/wait-for.ts';

// Full + incremental synchronization against real PostgreSQL and Kafka: the
// snapshot (op "r") and the stream meet exactly while writers keep changing
// the table; a worker killed mid-snapshot resumes from its last delivered
// chunk; the rows/s throttle holds; an incremental start skips earlier commits.

type State = Map<string, { version: number; payload: string } | null>;

/** Last record per key, in Kafka order (a key always lands on one partition); a delete or tombstone is null. */
function finalState(messages: ReadMessage[]): State {
  const state: State = new Map();
  for (const m of byPartitionOffset(messages)) {
    if (m.key === null) continue;
    if (m.value === null) {
      state.set(m.key, null);
      continue;
    }
    const v = JSON.parse(m.value);
    state.set(m.key, v.op === 'd' ? null : { version: v.after.version, payload: v.after.payload });
  }
  return state;
}

async function sourceState(client: pg.Client, table: string): Promise<Map<string, { version: number; payload: string }>> {
  const { rows } = await client.query(`SELECT id, version, payload FROM ${table}`);
  return new Map(rows.map((r) => [JSON.stringify({ id: r.id }), { version: r.version, payload: r.payload }]));
}

function differences(kafka: State, source: Map<string, { version: number; payload: string }>): string[] {
  const out: string[] = [];
  for (const [key, row] of source) {
    const got = kafka.get(key);
    if (!got || got.version !== row.version || got.payload !== row.payload) out.push(`${key}: source ${JSON.stringify(row)}, kafka ${JSON.stringify(got)}`);
  }
  for (const [key, row] of kafka) if (row !== null && !source.has(key)) out.push(`${key}: deleted at the source, kafka ${JSON.stringify(row)}`);
  return out;
}

/** Per key, versions never go back (writers only increment them). */
function orderViolations(messages: ReadMessage[]): string[] {
  const last = new Map<string, number>();
  const out: string[] = [];
  for (const m of byPartitionOffset(messages)) {
    if (m.key === null || m.value === null) continue;
    const v = JSON.parse(m.value);
    if (!v.after) continue;
    const prev = last.get(m.key);
    if (prev !== undefined && v.after.version < prev) out.push(`${m.key}: version ${v.after.version} after ${prev} (${v.op})`);
    last.set(m.key, v.after.version);
  }
  return out;
}

/** Random updates, deletes and inserts in small transactions until `until()` is true. */
async function writeWhile(client: pg.Client, firstNewId: number, until: () => boolean): Promise<number> {
  let next = firstNewId;
  let transactions = 0;
  while (!until() || transactions < 20) {
    await client.query('BEGIN');
    await client.query('UPDATE items SET version = version + 1, payload = md5(random()::text) WHERE id IN (SELECT (random() * $1)::int + 1 FROM generate_series(1, 20))', [firstNewId - 1]);
    await client.query('DELETE FROM items WHERE id = (random() * $1)::int + 1', [firstNewId - 1]);
    await client.query('INSERT INTO items SELECT g, 1, md5(g::text) FROM generate_series($1::int, $2::int) g', [next, next + 9]);
    await client.query('COMMIT');
    next += 10;
    transactions++;
  }
  return transactions;
}

async function seed(client: pg.Client, rows: number) {
  await client.query('CREATE TABLE items (id int PRIMARY KEY, version int NOT NULL, payload text NOT NULL)');
  await client.query('INSERT INTO items SELECT g, 1, md5(g::text) FROM generate_series(1, $1::int) g', [rows]);
  await client.query('ANALYZE items'); // reltuples: the estimate the plan splits by
}

describe.each(MATRIX)('snapshot on PostgreSQL $pg + Kafka $kafka', (combo) => {
  const tributary = useLocalTributary();
  const job = async (id: string) => (await api(tributary.url, 'GET', `/jobs/${id}`)).body;

  it('meets the stream exactly while writers change the table', { timeout: 120_000 }, async () => {
    const ROWS = 60_000;
    const { postgres, kafka } = servicesFor(combo);
    const db = await freshDatabase(postgres.connectionString);
    await seed(db.client, ROWS);
    const body = { ...jobBody({ port: postgres.port, database: db.name, brokers: kafka.brokers, tables: [{ table: 'items' }] }), resources: { cpuCores: 3 }, throttle: { full: { rowsPerSecond: 30_000 } } };
    const id = (await api(tributary.url, 'POST', '/jobs', body)).body.id as string;
    expect((await startJob(tributary.url, id)).status).toBe(202);

    let snapshotDone = false;
    const writer = writeWhile(db.client, ROWS + 1, () => snapshotDone);
    const done = await waitFor('snapshot complete', async () => {
      const j = await job(id);
      if (j.status === 'failed') throw new Error(JSON.stringify(j.error));
      return j.snapshot?.completedAt && j.status === 'streaming' ? j : undefined;
    }, 90_000);
    snapshotDone = true;
    const transactions = await writer;
    expect(done.snapshot.tables[0]).toMatchObject({ schema: 'public', table: 'items', done: true });
    expect(done.snapshot.tables[0].segments.length).toBeGreaterThan(1); // concurrency 2: the table was split

    const source = await sourceState(db.client, 'items');
    const messages = await readTopic(kafka.brokers, `${db.name}.public.items`, (m) => m.length >= source.size && differences(finalState(m), source).length === 0, 60_000).catch(async (err) => {
      const m = await readTopic(kafka.brokers, `${db.name}.public.items`, () => true, 10_000);
      throw new Error(`${err.message}\n${differences(finalState(m), source).slice(0, 10).join('\n')}`);
    });
    expect(orderViolations(messages)).toEqual([]);
    const snapshotRecords = messages.filter((m) => m.value && JSON.parse(m.value).op === 'r').map((m) => JSON.parse(m.value!));
    expect(snapshotRecords.length).toBeGreaterThan(ROWS / 2);
    expect(snapshotRecords.every((v) => v.source.snapshot === true && v.before === null)).toBe(true);
    const streamed = messages.filter((m) => m.value && JSON.parse(m.value).op !== 'r').map((m) => JSON.parse(m.value!));
    expect(streamed.every((v) => v.source.snapshot === false)).toBe(true);
    console.log(`snapshot + writers (PG ${combo.pg}): ${snapshotRecords.length} snapshot records, ${streamed.length} streamed during/after it from ${transactions} writer transactions; final state of ${source.size} rows equals the source`);

    await api(tributary.url, 'POST', `/jobs/${id}/release`);
    await db.client.end();
  });
});

describe('snapshot resume, throttle and start modes (PostgreSQL 17)', () => {
  const combo = MATRIX[0];
  const tributary = useLocalTributary();
  const job = async (id: string) => (await api(tributary.url, 'GET', `/jobs/${id}`)).body;

  it('resumes after kill -9 from the last delivered chunk, exactly right', { timeout: 150_000 }, async () => {
    const ROWS = 200_000;
    const { postgres, kafka } = servicesFor(combo);
    const db = await freshDatabase(postgres.connectionString);
    await seed(db.client, ROWS);
    const body = { ...jobBody({ port: postgres.port, database: db.name, brokers: kafka.brokers, tables: [{ table: 'items' }] }), throttle: { full: { rowsPerSecond: 40_000 } } };
    const id = (await api(tributary.url, 'POST', '/jobs', body)).body.id as string;
    expect((await startJob(tributary.url, id)).status).toBe(202);

    const before = await waitFor('a third of the snapshot saved', async () => {
      const j = await job(id);
      if (j.status === 'failed') throw new Error(JSON.stringify(j.error));
      return j.snapshot?.rowsDone >= ROWS / 3 ? j : undefined;
    }, 60_000, 50);
    expect(before.status).toBe('snapshotting');
    process.kill(tributary.launcher.pidOf(id)!, 'SIGKILL');
    const crashed = await waitFor('crash recorded', async () => ((await job(id)).status === 'failed' ? job(id) : undefined));
    const savedAtCrash = crashed.snapshot.rowsDone as number;
    expect(savedAtCrash).toBeLessThan(ROWS);
    await db.client.query('UPDATE items SET version = version + 1 WHERE id % 1000 = 0'); // changes while the worker is down

    expect((await api(tributary.url, 'POST', `/jobs/${id}/start`)).status).toBe(202);
    const done = await waitFor('snapshot complete after the restart', async () => {
      const j = await job(id);
      if (j.status === 'failed') throw new Error(JSON.stringify(j.error));
      return j.snapshot?.completedAt ? j : undefined;
    }, 90_000);
    expect(done.snapshot.resumes).toBe(1);
    expect(done.snapshot.rowsDone).toBe(ROWS);
    const log = readFileSync(join(tributary.dataDir, 'logs', `${id}.log`), 'utf8');
    const resumed = log.split('\n').filter((l) => l.includes('snapshot resumed from the last delivered chunk')).map((l) => JSON.parse(l));
    expect(resumed).toHaveLength(1);
    expect(resumed[0].rowsDone).toBe(savedAtCrash);
    expect(resumed[0].tables[0].after[0]).not.toBeNull(); // a key to continue after, not the start of the table

    const source = await sourceState(db.client, 'items');
    const messages = await readTopic(kafka.brokers, `${db.name}.public.items`, (m) => m.length >= source.size && differences(finalState(m), source).length === 0, 60_000);
    expect(orderViolations(messages)).toEqual([]);
    const snapshotRecords = messages.filter((m) => m.value && JSON.parse(m.value).op === 'r').length;
    // Not restarted at zero: at most the chunk in flight at the kill is sent twice.
    expect(snapshotRecords).toBeLessThan(ROWS + 20_000);
    console.log(`kill -9 mid-snapshot (PG ${combo.pg}): ${savedAtCrash} of ${ROWS} rows saved at the kill, resumed after key ${JSON.stringify(resumed[0].tables[0].after)}; ${snapshotRecords - ROWS} snapshot rows sent twice`);
    await api(tributary.url, 'POST', `/jobs/${id}/release`);
    await db.client.end();
  });

  it('fails clearly on DDL during the snapshot', { timeout: 60_000 }, async () => {
    const { postgres, kafka } = servicesFor(combo);
    const db = await freshDatabase(postgres.connectionString);
    await seed(db.client, 30_000);
    const body = { ...jobBody({ port: postgres.port, database: db.name, brokers: kafka.brokers, tables: [{ table: 'items' }] }), throttle: { full: { rowsPerSecond: 5_000 } } };
    const id = (await api(tributary.url, 'POST', '/jobs', body)).body.id as string;
    expect((await startJob(tributary.url, id)).status).toBe(202);
    await waitFor('a first chunk saved', async () => (await job(id)).snapshot?.rowsDone > 0, 30_000, 50);
    await db.client.query('ALTER TABLE items ADD COLUMN extra int');
    const failed = await waitFor('failed', async () => ((await job(id)).status === 'failed' ? job(id) : undefined), 30_000);
    expect(failed.error).toMatchObject({ code: 'SnapshotSchemaChanged', class: 'fatal' });
    expect(failed.error.message).toMatch(/table public.items was altered during its snapshot .*now id integer, version integer, payload text, extra integer/);
    await api(tributary.url, 'POST', `/jobs/${id}/release`);
    await db.client.end();
  });

  it('reads a table of wide rows in chunks bounded by bytes, not 10,000 rows', { timeout: 60_000 }, async () => {
    const ROWS = 600;
    const { postgres, kafka } = servicesFor(combo);
    const db = await freshDatabase(postgres.connectionString);
    // 40 KB a row, stored uncompressed: about 24 MiB of table, 204 rows per 8 MiB chunk
    await db.client.query('CREATE TABLE wide (id int PRIMARY KEY, body text NOT NULL)');
    await db.client.query('ALTER TABLE wide ALTER COLUMN body SET STORAGE EXTERNAL');
    await db.client.query(`INSERT INTO wide SELECT g, repeat(md5(g::text), 1250) FROM generate_series(1, ${ROWS}) g`);
    await db.client.query('ANALYZE wide');
    const body = jobBody({ port: postgres.port, database: db.name, brokers: kafka.brokers, tables: [{ table: 'wide' }] });
    const id = (await api(tributary.url, 'POST', '/jobs', body)).body.id as string;
    expect((await startJob(tributary.url, id)).status).toBe(202);
    const done = await waitFor('snapshot complete', async () => {
      const j = await job(id);
      if (j.status === 'failed') throw new Error(JSON.stringify(j.error));
      return j.snapshot?.completedAt ? j : undefined;
    }, 45_000);
    expect(done.snapshot.tables[0].rowsDone).toBe(ROWS);
    expect(done.snapshot.tables[0].chunksDone).toBeGreaterThanOrEqual(3);
    const messages = await readTopic(kafka.brokers, `${db.name}.public.wide`, (m) => m.length >= ROWS, 30_000);
    const after = messages.map((m) => JSON.parse(m.value!).after as { id: number; body: string });
    expect(after.map((a) => a.id).sort((a, b) => a - b)).toEqual(Array.from({ length: ROWS }, (_, i) => i + 1));
    expect(after.every((a) => a.body.length === 40_000)).toBe(true);
    await api(tributary.url, 'POST', `/jobs/${id}/release`);
    await db.client.end();
  });

  it('holds a 10,000 rows/s throttle', { timeout: 60_000 }, async () => {
    const ROWS = 40_000;
    const CAP = 10_000;
    const { postgres, kafka } = servicesFor(combo);
    const db = await freshDatabase(postgres.connectionString);
    await seed(db.client, ROWS);
    const body = { ...jobBody({ port: postgres.port, database: db.name, brokers: kafka.brokers, tables: [{ table: 'items' }] }), throttle: { full: { rowsPerSecond: CAP } } };
    const id = (await api(tributary.url, 'POST', '/jobs', body)).body.id as string;
    expect((await startJob(tributary.url, id)).status).toBe(202);
    await waitFor('snapshot complete', async () => (await job(id)).snapshot?.completedAt, 30_000);
    const messages = await readTopic(kafka.brokers, `${db.name}.public.items`, (m) => m.length >= ROWS, 30_000);
    // Measured on the source side: each chunk's rows carry the commit time of
    // its high watermark (source.ts_ms), so the rate is rows after the first
    // chunk over the time from the first chunk to the last.
    const times = messages.map((m) => JSON.parse(m.value!).source.ts_ms as number);
    const first = Math.min(...times);
    const last = Math.max(...times);
    const firstChunk = times.filter((t) => t === first).length;
    const rate = (ROWS - firstChunk) / ((last - first) / 1000);
    console.log(`throttle (PG ${combo.pg}): cap ${CAP} rows/s, measured ${Math.round(rate)} rows/s over ${((last - first) / 1000).toFixed(2)} s (${((rate / CAP - 1) * 100).toFixed(1)}%)`);
    expect(rate).toBeGreaterThan(CAP * 0.8);
    expect(rate).toBeLessThan(CAP * 1.1);
    await api(tributary.url, 'POST', `/jobs/${id}/release`);
    await db.client.end();
  });

  it('incremental from a commit timestamp skips earlier commits and refuses one the slot cannot serve', { timeout: 120_000 }, async () => {
    const { postgres, kafka } = servicesFor(combo);
    const db = await freshDatabase(postgres.connectionString);
    await seed(db.client, 10);
    const base = jobBody({ port: postgres.port, database: db.name, brokers: kafka.brokers, tables: [{ table: 'items' }] });

    const past = (await api(tributary.url, 'POST', '/jobs', { ...base, startMode: { type: 'incremental', fromTimestamp: new Date(Date.now() - 3_600_000).toISOString() } })).body.id as string;
    expect((await startJob(tributary.url, past)).status).toBe(202);
    const refused = await waitFor('refused', async () => ((await job(past)).status === 'failed' ? job(past) : undefined), 30_000);
    expect(refused.error.code).toBe('StartPointUnavailable');
    expect(refused.error.message).toMatch(/before the job's replication slot was created/);
    await api(tributary.url, 'POST', `/jobs/${past}/release`);

    // far enough ahead that the job is streaming before it even on a loaded machine (4 s was not)
    const from = new Date(Date.now() + 20_000);
    const id = (await api(tributary.url, 'POST', '/jobs', { ...base, startMode: { type: 'incremental', fromTimestamp: from.toISOString() } })).body.id as string;
    expect((await startJob(tributary.url, id)).status).toBe(202);
    await waitFor('streaming', async () => (await job(id)).status === 'streaming', 30_000);
    await db.client.query('UPDATE items SET version = 2 WHERE id = 1'); // committed before `from`: skipped
    expect(Date.now()).toBeLessThan(from.getTime()); // otherwise the test proves nothing
    await waitFor('the start point', () => Date.now() > from.getTime() + 500, 30_000);
    await db.client.query('UPDATE items SET version = 3 WHERE id = 2');
    const messages = await readTopic(kafka.brokers, `${db.name}.public.items`, (m) => m.length >= 1, 30_000);
    // one more change makes sure nothing before it is still on its way
    await db.client.query('UPDATE items SET version = 4 WHERE id = 3');
    const all = await readTopic(kafka.brokers, `${db.name}.public.items`, (m) => m.length >= 2, 30_000);
    expect(messages.length).toBeGreaterThanOrEqual(1);
    expect(all.map((m) => JSON.parse(m.value!)).sort((a, b) => a.source.lsn - b.source.lsn).map((v) => [v.op, v.after.id, v.after.version])).toEqual([['u', 2, 3], ['u', 3, 4]]);
    expect((await job(id)).snapshot).toBeUndefined();
    await api(tributary.url, 'POST', `/jobs/${id}/release`);
    await db.client.end();
  });
});
