import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { MATRIX, servicesFor, freshDatabase, api, jobBody, startJob, useLocalTributary } from '../support/e2e.ts';
import { readTopic } from '../support/kafka-reader.ts';
import { waitFor } from '../support/wait-for.ts';
import { expectedJson, parseExact } from '../support/pg-expectations.ts';
import { columns, TYPES } from '../support/all-types.ts';
import { BUILTIN_RANGES } from '../../worker/replication/decoder/value-decoder.ts';
import { columnTypeOids, loadTypeCatalog } from '../../worker/replication/type-catalog.ts';

// Every type PostgreSQL has (test/support/all-types.ts), through a real job
// into Kafka by both paths — the snapshot's COPY text and the stream's
// pgoutput — compared with what PostgreSQL itself says each value is
// (test/support/pg-expectations.ts).

describe.each(MATRIX)('types PostgreSQL $pg → Kafka $kafka', (combo) => {
  const tributary = useLocalTributary();

  it('every type reaches Kafka as the JSON PostgreSQL says it is; a type created later arrives as its text', { timeout: 240_000 }, async () => {
    const { postgres, kafka } = servicesFor(combo);
    const db = await freshDatabase(postgres.connectionString);
    const cols = columns(combo.pg);
    await db.client.query(TYPES);
    await db.client.query(`CREATE TABLE all_types (id int4 PRIMARY KEY, dropped int4, ${cols.map(([n, t]) => `${n} ${t}`).join(', ')})`);
    await db.client.query('ALTER TABLE all_types DROP COLUMN dropped'); // pgoutput and the catalog both skip it
    // The same rows as 11-15, written before the start: they travel the snapshot's path (COPY text), the others the stream's (pgoutput).
    const insertRows = async (firstId: number) => {
      for (let row = 0; row < 4; row++) {
        await db.client.query(`SET TimeZone = '${row % 2 ? 'America/St_Johns' : 'Asia/Kolkata'}'`);
        await db.client.query(`INSERT INTO all_types (id, ${cols.map(([n]) => n).join(', ')}) VALUES (${firstId + row}, ${cols.map(([, t, , v]) => `(${v[row]})::${t}`).join(', ')})`);
      }
      await db.client.query(`INSERT INTO all_types (id) VALUES (${firstId + 4})`);
    };
    await insertRows(11);

    const created = await api(tributary.url, 'POST', '/jobs', jobBody({ port: postgres.port, database: db.name, brokers: kafka.brokers, tables: [{ table: 'all_types' }] }));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await startJob(tributary.url, id)).status).toBe(202);
    await waitFor('job streaming', async () => (await api(tributary.url, 'GET', `/jobs/${id}`)).body.status === 'streaming');

    // Rows 1-4 from sessions in zones far from UTC, row 5 all NULL.
    await insertRows(1);
    // A type the worker's catalog cannot know: created after the job started.
    await db.client.query(`CREATE TYPE late_pair AS (a int4, b text); ALTER TABLE all_types ADD COLUMN late late_pair`);
    await db.client.query(`INSERT INTO all_types (id, late) VALUES (6, ROW(1, 'x y')), (7, ROW(NULL, '"'))`);

    const messages = await readTopic(kafka.brokers, `${db.name}.public.all_types`, (m) => m.length >= 12);
    const values = messages.map((m) => parseExact(m.value!));
    const after = new Map(values.map((v) => v.after).map((a) => [a.id as number, a]));
    expect([...after.keys()].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 14, 15]);
    expect(values.filter((v) => v.op === 'r').map((v) => v.after.id).sort()).toEqual([11, 12, 13, 14, 15]);

    // Expected values are derived in a session that writes intervals as ISO 8601.
    const oracle = new pg.Client({ connectionString: db.url });
    await oracle.connect();
    try {
      await oracle.query('SET IntervalStyle = iso_8601');
      // 1-5 came through the stream, 11-15 through the snapshot
      for (const rowId of [1, 2, 3, 4, 5, 11, 12, 13, 14, 15]) {
        const expected: Record<string, unknown> = { id: rowId };
        for (const [name, , spec] of cols) expected[name] = await expectedJson(oracle, spec, `(SELECT ${name} FROM all_types WHERE id = $1)`, [rowId]);
        expect(after.get(rowId), `row ${rowId}`).toEqual(expected);
        expect(Object.keys(after.get(rowId)!)).toEqual(Object.keys(expected)); // no column dropped or added
      }
      const lateText = await oracle.query<{ id: number; late: string }>('SELECT id, late::text AS late FROM all_types WHERE id IN (6, 7) ORDER BY id');
      expect(lateText.rows.map((r) => after.get(r.id)!.late)).toEqual(lateText.rows.map((r) => r.late)); // '(1,"x y")', '(,"""")'
    } finally {
      await oracle.end();
    }
    // …and the worker said so, once.
    const log = readFileSync(join(tributary.dataDir, 'logs', `${id}.log`), 'utf8').split('\n').filter((l) => l.includes('not in the type catalog'));
    expect(log).toHaveLength(1);
    expect(JSON.parse(log[0]).type).toMatchObject({ namespace: 'public', name: 'late_pair' });

    expect((await api(tributary.url, 'POST', `/jobs/${id}/release`)).status).toBe(200);
    await db.client.end();
  });

  it('the type catalog follows domains, arrays, composites (without dropped fields), ranges and multiranges; built-in ranges match pg_range', async () => {
    const { postgres } = servicesFor(combo);
    const db = await freshDatabase(postgres.connectionString);
    await db.client.query(TYPES);
    await db.client.query('CREATE TABLE t (c outer_t, d intarr, m floatmultirange, h hstore[], i int4)');
    const oid = async (name: string) => (await db.client.query<{ oid: number }>('SELECT $1::regtype::oid AS oid', [name])).rows[0].oid;
    const catalog = await loadTypeCatalog(db.client, await columnTypeOids(db.client, [{ schema: 'public', table: 't' }]));
    const names = ['outer_t', 'inner_t', 'posint[]', 'posint', 'mood', 'floatrange', 'floatmultirange', 'intarr', 'hstore', 'hstore[]'];
    const oids: number[] = [];
    for (const name of names) oids.push(await oid(name));
    const [outer, innerT, posintArr, posint, mood, floatr, floatmr, intarr, hstore, hstoreArr] = oids;
    expect(catalog.get(outer)).toMatchObject({ kind: 'composite', name: 'outer_t', namespace: 'public', fields: [
      { name: 'x', type: innerT }, { name: 'y', type: posintArr }, { name: 'z', type: 1700 }, { name: 'w', type: mood }, { name: 'r', type: floatr }, { name: 'we"ird, name', type: 25 }] });
    expect(catalog.get(innerT)).toMatchObject({ kind: 'composite', fields: [{ name: 'a', type: 23 }, { name: 'b', type: 25 }] });
    expect(catalog.get(posintArr)).toMatchObject({ kind: 'array', element: posint });
    expect(catalog.get(posint)).toMatchObject({ kind: 'domain', base: 23 });
    expect(catalog.get(mood)).toMatchObject({ kind: 'enum' });
    expect(catalog.get(floatr)).toMatchObject({ kind: 'range', subtype: 701 });
    expect(catalog.get(floatmr)).toMatchObject({ kind: 'multirange', range: floatr });
    expect(catalog.get(intarr)).toMatchObject({ kind: 'domain', base: 1007 });
    expect(catalog.get(hstoreArr)).toMatchObject({ kind: 'array', element: hstore });
    expect(catalog.get(hstore)).toMatchObject({ kind: 'base', name: 'hstore' });
    expect(catalog.has(23)).toBe(false); // built-ins are not loaded

    const { rows } = await db.client.query(
      `SELECT r.rngtypid::int AS oid, t.typarray::int AS arr, r.rngsubtype::int AS sub, r.rngmultitypid::int AS mr, m.typarray::int AS mrarr
         FROM pg_range r JOIN pg_type t ON t.oid = r.rngtypid JOIN pg_type m ON m.oid = r.rngmultitypid
        WHERE r.rngtypid < 16384 ORDER BY 1`);
    expect(rows.map((r) => [r.oid, r.arr, r.sub, r.mr, r.mrarr])).toEqual(BUILTIN_RANGES.map((r) => [...r]));
    await db.client.end();
  });
});
