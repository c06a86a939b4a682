import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { MATRIX, servicesFor, freshDatabase, api, jobBody, startJob, useLocalTributary } from '../support/e2e.ts';
import { readTopic, byPartitionOffset, type ReadMessage } from '../support/kafka-reader.ts';
import { waitFor } from '../support/wait-for.ts';

// Changing the tables of a running job (SPEC.md §3, DTS "modify
// synchronization objects"), on real PostgreSQL and Kafka: an added table is
// snapshotted and joins the stream while writers keep changing both tables,
// the other table loses nothing, a bad list is refused with its precheck, and
// a removed table stops.
type Row = { version: number };
const finalState = (messages: ReadMessage[]) => {
  const state = new Map<string, Row | null>();
  for (const m of byPartitionOffset(messages)) {
    if (m.key === null) continue;
    const v = m.value === null ? null : JSON.parse(m.value);
    state.set(m.key, v === null || v.op === 'd' ? null : { version: v.after.version });
  }
  return state;
};
async function mismatches(client: pg.Client, table: string, messages: ReadMessage[]): Promise<string[]> {
  const { rows } = await client.query(`SELECT id, version FROM ${table}`);
  const kafka = finalState(messages);
  const out = rows.filter((r) => kafka.get(JSON.stringify({ id: r.id }))?.version !== r.version).map((r) => `${table} ${r.id}: source v${r.version}, kafka ${JSON.stringify(kafka.get(JSON.stringify({ id: r.id })))}`);
  const ids = new Set(rows.map((r) => JSON.stringify({ id: r.id })));
  for (const [key, row] of kafka) if (row !== null && !ids.has(key)) out.push(`${table} ${key}: gone at the source, kafka v${row.version}`);
  return out;
}
const orderViolations = (messages: ReadMessage[]) => {
  const last = new Map<string, number>();
  const out: string[] = [];
  for (const m of byPartitionOffset(messages)) {
    if (m.key === null || m.value === null) continue;
    const v = JSON.parse(m.value);
    if (!v.after) continue;
    if ((last.get(m.key) ?? 0) > v.after.version) out.push(`${m.key}: v${v.after.version} after v${last.get(m.key)}`);
    last.set(m.key, v.after.version);
  }
  return out;
};

describe('changing the tables of a running job (PostgreSQL 17 + Kafka 4.1)', () => {
  const combo = MATRIX[0];
  const tributary = useLocalTributary({
    before: () => void (process.env.TRIBUTARY_OBJECTS_POLL_MS = '500'),
    after: () => void delete process.env.TRIBUTARY_OBJECTS_POLL_MS,
  });
  const job = async (id: string) => (await api(tributary.url, 'GET', `/jobs/${id}`)).body;

  it('adds a table (snapshot, then stream) while both tables change; refuses a bad list; removes a table', { timeout: 150_000 }, async () => {
    const { postgres, kafka } = servicesFor(combo);
    const db = await freshDatabase(postgres.connectionString);
    for (const [table, rows] of [['first', 2_000], ['added', 30_000]] as const) {
      await db.client.query(`CREATE TABLE ${table} (id int PRIMARY KEY, version int NOT NULL, payload text NOT NULL)`);
      await db.client.query(`INSERT INTO ${table} SELECT g, 1, md5(g::text) FROM generate_series(1, ${rows}) g`);
      await db.client.query(`ANALYZE ${table}`);
    }
    const body = jobBody({ port: postgres.port, database: db.name, brokers: kafka.brokers, tables: [{ table: 'first' }] });
    const id = (await api(tributary.url, 'POST', '/jobs', body)).body.id as string;
    expect((await startJob(tributary.url, id)).status).toBe(202);
    await waitFor('streaming', async () => ((await job(id)).status === 'streaming' ? true : undefined), 60_000);

    // Writers on both tables for the whole change: the added table's changes before,
    // during and after its snapshot, the first table's across the restart.
    let writing = true;
    let transactions = 0;
    const writer = (async () => {
      let next = 1_000_000;
      while (writing) {
        await db.client.query('BEGIN');
        await db.client.query('UPDATE first SET version = version + 1 WHERE id IN (SELECT (random() * 1999)::int + 1 FROM generate_series(1, 5))');
        await db.client.query('UPDATE added SET version = version + 1 WHERE id IN (SELECT (random() * 29999)::int + 1 FROM generate_series(1, 10))');
        await db.client.query('DELETE FROM added WHERE id = (random() * 29999)::int + 1');
        await db.client.query(`INSERT INTO added VALUES (${next}, 1, 'new'), (${next + 1}, 1, 'new')`);
        await db.client.query('COMMIT');
        next += 2;
        transactions++;
      }
    })();

    const refused = await api(tributary.url, 'PATCH', `/jobs/${id}`, { objects: { tables: [{ table: 'first' }, { table: 'missing' }] } });
    expect(refused.status).toBe(409);
    expect(refused.body.precheck.blocking).toContain('tables-exist');
    expect(refused.body.change.added).toEqual(['public.missing']);
    expect((await job(id)).objects.tables.map((t: { table: string }) => t.table)).toEqual(['first']);

    const changed = await api(tributary.url, 'PATCH', `/jobs/${id}`, { objects: { tables: [{ table: 'first' }, { table: 'added' }] } });
    expect(changed.status).toBe(200);
    expect(changed.body.status).toBe('streaming');
    expect(changed.body.precheck.report.results.find((r: { id: string }) => r.id === 'tables-exist').status).toBe('pass');

    const done = await waitFor('the added table snapshotted and streaming again', async () => {
      const j = await job(id);
      if (j.status === 'failed') throw new Error(JSON.stringify(j.error));
      const added = j.snapshot?.tables.find((t: { table: string }) => t.table === 'added');
      return added?.done && j.snapshot.completedAt && j.status === 'streaming' ? j : undefined;
    }, 90_000);
    expect(done.snapshot.tables.find((t: { table: string }) => t.table === 'added').rowsDone).toBeGreaterThanOrEqual(30_000 - 50);
    writing = false;
    await writer;

    for (const table of ['first', 'added']) {
      const topic = `${db.name}.public.${table}`;
      const { rows } = await db.client.query(`SELECT count(*)::int AS n FROM ${table}`);
      const messages = await readTopic(kafka.brokers, topic, (m) => m.length >= rows[0].n && finalState(m).size >= rows[0].n, 60_000);
      // the last changes may still be on their way: read until the final state matches, then check order
      const settled = await waitFor(`${table} equal to the source`, async () => {
        const all = await readTopic(kafka.brokers, topic, (m) => m.length >= messages.length, 30_000);
        return (await mismatches(db.client, table, all)).length === 0 ? all : undefined;
      }, 60_000, 1_000).catch(async (err) => {
        const all = await readTopic(kafka.brokers, topic, () => true, 5_000);
        throw new Error(`${err.message}\n${(await mismatches(db.client, table, all)).slice(0, 10).join('\n')}`);
      });
      expect(orderViolations(settled)).toEqual([]);
      // a restart at a clean checkpoint re-sends nothing: each streamed change once (the last acknowledgement reached the slot)
      const keys = settled.filter((m) => m.value && JSON.parse(m.value).op !== 'r').map((m) => m.headers['tributary.idempotency-key']);
      expect(keys.length - new Set(keys).size).toBe(0);
      if (table === 'added') {
        const ops = new Set(settled.filter((m) => m.value).map((m) => JSON.parse(m.value!).op));
        expect(ops).toEqual(new Set(['r', 'u', 'c', 'd']));
      }
    }
    const log = readFileSync(join(tributary.dataDir, 'logs', `${id}.log`), 'utf8');
    expect(log).toContain('table list changed: restarting the stream at a clean checkpoint');
    console.log(`objects change: ${transactions} writer transactions across the change; both topics equal their tables`);

    // Removing a table: its changes stop arriving while the other table's keep coming.
    expect((await api(tributary.url, 'PATCH', `/jobs/${id}`, { objects: { tables: [{ table: 'added' }] } })).status).toBe(200);
    await waitFor('restarted without "first"', async () => {
      const j = await job(id);
      const lines = readFileSync(join(tributary.dataDir, 'logs', `${id}.log`), 'utf8').split('\n').filter((l) => l.includes('table list changed'));
      return lines.length >= 2 && j.status === 'streaming' ? true : undefined;
    }, 60_000);
    await db.client.query("INSERT INTO first VALUES (999999, 1, 'after removal')");
    await db.client.query("INSERT INTO added VALUES (999999, 1, 'after removal')");
    await readTopic(kafka.brokers, `${db.name}.public.added`, (m) => m.some((x) => x.key === JSON.stringify({ id: 999999 })), 60_000);
    const first = await readTopic(kafka.brokers, `${db.name}.public.first`, (m) => m.length > 0, 30_000);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(first.some((m) => m.key === JSON.stringify({ id: 999999 }))).toBe(false);

    await api(tributary.url, 'POST', `/jobs/${id}/release`);
    await db.client.end();
  });
});
