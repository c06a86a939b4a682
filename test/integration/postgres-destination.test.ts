import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { api, startJob, useLocalTributary } from '../support/e2e.ts';
import { waitFor } from '../support/wait-for.ts';
import { PG_PAIRS, freshPair, jobOf, pgJobBody, rowsAsText, waitForSameRows } from '../support/pg-destination.ts';
import { createFileSecretStore } from '../../shared/secrets/local/file-secret-store.ts';

const rawFileOutOfProcess = (path: string) =>
  execFileSync(process.execPath, ['-e', `process.stdout.write(require('fs').readFileSync(${JSON.stringify(path)}).toString('latin1'))`], { encoding: 'latin1', maxBuffer: 64 << 20 });

// Every column type family the sink must carry exactly: values travel as the
// source's text and are cast on the destination, so the destination's text of
// each row must equal the source's, character for character.
const ITEMS = `
  CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'it''s "quoted"');
  CREATE TABLE items (
    id int8 PRIMARY KEY, price numeric(30,10) NOT NULL, amount numeric, f8 float8, f4 real,
    at timestamptz, ts timestamp(6), d date, tm time, tz timetz, iv interval,
    b bytea, j json, jb jsonb, tags text[], grid int[], m mood, ms mood[], u uuid, c char(3), v varchar(10),
    bits bit(4), vb varbit, r int4range, tr tstzrange, ip inet, mac macaddr, pt point, flag bool, big text)`;
const row = (id: string) => `(${id}, ${id} * 1.0000000001, ${id}::numeric / 7, ${id} / 3.0, ${id} / 7.0,
    '2026-11-23 10:00:00.123456+02'::timestamptz + ${id} * interval '1 hour', '1999-12-31 23:59:59.999999', '2024-02-29', '23:59:59.5', '10:00+05:30',
    interval '1 year 2 months 3 days 04:05:06.789' * ${id}, decode(md5(${id}::text), 'hex'), '{"a": [1, 2.50], "k": "v"}', '{"n": ${id}, "s": "é\\"x"}',
    array['a b', 'c,d', NULL, 'e"f', 'g\\h'], '{{1,2},{3,4}}', 'it''s "quoted"', '{sad,happy}', md5(${id}::text)::uuid, 'ab', 'hey',
    B'1010', B'10101', int4range(${id}, ${id} + 10), tstzrange('2026-01-01', NULL), '10.0.0.${Number(id) % 250}/24', '08:00:2b:01:02:03', point(${id}, -1.5), ${id} % 2 = 0,
    (SELECT string_agg(md5(g::text || ${id}), '') FROM generate_series(1, 200) g))`;

describe.each(PG_PAIRS)('PostgreSQL $source → PostgreSQL $destination', (pair) => {
  const tributary = useLocalTributary();

  it('schema, full and incremental phases: the destination equals the source exactly, and the destination password appears nowhere', { timeout: 180_000 }, async () => {
    const { source, destination } = await freshPair(pair);
    const secret = `Dest-Pa55-${destination.name}`;
    const role = `w_${destination.name}`;
    await destination.client.query(`CREATE ROLE ${role} LOGIN PASSWORD '${secret}'`);
    await destination.client.query(`GRANT CREATE ON DATABASE ${destination.name} TO ${role}; GRANT USAGE, CREATE ON SCHEMA public TO ${role}`);
    await source.client.query(ITEMS);
    await source.client.query(`CREATE TABLE lines (order_id int, line_no int, sku text, PRIMARY KEY (order_id, line_no))`);
    // a table keyed by a UNIQUE constraint only: accepted for a PostgreSQL destination (seed 004)
    await source.client.query(`CREATE TABLE coded (code text NOT NULL, qty int, CONSTRAINT coded_code UNIQUE (code)); ALTER TABLE coded REPLICA IDENTITY USING INDEX coded_code`);
    for (let id = 1; id <= 40; id++) await source.client.query(`INSERT INTO items VALUES ${row(String(id))}`);
    await source.client.query(`INSERT INTO items (id, price, f8, f4, amount) VALUES (41, 0, 'NaN', '-Infinity', 'NaN'), (42, -1e-10, -0.0, 1e-38, 123456789012345678901234567890.123456789)`);
    await source.client.query(`INSERT INTO lines SELECT o, l, 'sku-' || o || '-' || l FROM generate_series(1, 20) o, generate_series(1, 5) l`);
    await source.client.query(`INSERT INTO coded VALUES ('a', 1), ('b', 2)`);

    const body = pgJobBody({
      sourcePort: source.port, sourceDb: source.name, destinationPort: destination.port, destinationDb: destination.name,
      destinationUser: role, destinationPassword: secret, tables: [{ table: 'items' }, { table: 'lines' }, { table: 'coded' }],
    });
    const created = await api(tributary.url, 'POST', '/jobs', body);
    expect(created.status, created.text).toBe(201);
    const id = created.body.id as string;
    expect(created.body.destination).toMatchObject({ type: 'postgresql', conflictMode: 'precheck-and-report', nameCase: 'default' });
    expect(created.body.destination.password).toBeUndefined();
    expect(created.body.destination.passwordRef).toBeUndefined();

    const precheck = await api(tributary.url, 'POST', `/jobs/${id}/precheck`);
    const results = new Map<string, { status: string; detail: string }>(precheck.body.results.map((r: { id: string }) => [r.id, r]));
    for (const check of ['destination-reachable', 'destination-authentication', 'destination-version', 'destination-privileges', 'destination-conflicting-tables', 'destination-names', 'primary-key']) {
      expect(results.get(check)?.status, `${check}: ${results.get(check)?.detail}`).toBe('pass');
    }
    expect(results.get('destination-free-space')?.status).toBe('skipped');
    expect([...results.keys()].some((k) => k.startsWith('kafka-'))).toBe(false);
    expect((await startJob(tributary.url, id)).status).toBe(202);
    await waitFor('streaming', async () => (await jobOf(tributary.url, id)).status === 'streaming', 90_000);

    // the schema phase created the tables with the source's types, NOT NULL and keys
    const columns = async (client: pg.Client, table: string) =>
      (await client.query(`SELECT attname, format_type(atttypid, atttypmod) AS type, attnotnull FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`, [table])).rows;
    for (const table of ['items', 'lines', 'coded']) expect(await columns(destination.client, table), table).toEqual(await columns(source.client, table));
    const keyOf = async (client: pg.Client, table: string) => (await client.query(`SELECT contype, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = $1::regclass ORDER BY 1`, [table])).rows;
    expect(await keyOf(destination.client, 'lines')).toEqual([{ contype: 'p', def: 'PRIMARY KEY (order_id, line_no)' }]);
    expect(await keyOf(destination.client, 'coded')).toEqual([{ contype: 'u', def: 'UNIQUE (code)' }]);
    await waitForSameRows(source.client, destination.client, 'items', 'id');
    await waitForSameRows(source.client, destination.client, 'lines', 'order_id, line_no');

    // incremental: inserts, updates (the TOASTed column untouched), a key change, deletes, truncate
    for (let id = 101; id <= 110; id++) await source.client.query(`INSERT INTO items VALUES ${row(String(id))}`);
    await source.client.query(`UPDATE items SET price = price + 1, jb = jsonb_set(jb, '{n}', '0') WHERE id <= 10`);
    await source.client.query(`BEGIN; UPDATE items SET id = 1000 WHERE id = 11; UPDATE items SET id = 11 WHERE id = 12; COMMIT`);
    await source.client.query(`DELETE FROM items WHERE id IN (13, 14, 101)`);
    await source.client.query(`UPDATE lines SET line_no = line_no + 100 WHERE order_id = 1`);
    await source.client.query(`DELETE FROM lines WHERE order_id = 2`);
    await source.client.query(`TRUNCATE coded`);
    await source.client.query(`INSERT INTO coded VALUES ('c', 3), ('d', 4); UPDATE coded SET qty = 30, code = 'cc' WHERE code = 'c'; DELETE FROM coded WHERE code = 'd'`);
    await source.client.query(`BEGIN; INSERT INTO lines VALUES (99, 1, 'x'); UPDATE lines SET sku = 'y' WHERE order_id = 99; DELETE FROM lines WHERE order_id = 3 AND line_no = 1; COMMIT`);

    await waitForSameRows(source.client, destination.client, 'items', 'id');
    await waitForSameRows(source.client, destination.client, 'lines', 'order_id, line_no');
    await waitForSameRows(source.client, destination.client, 'coded', 'code');
    expect(await rowsAsText(destination.client, 'coded', 'code')).toEqual(['(cc,30)']);

    // the position is committed on the destination with the rows
    const position = await destination.client.query('SELECT commit_lsn::text, event_index FROM tributary.sink_positions WHERE job_id = $1', [id]);
    expect(position.rowCount).toBe(1);
    const job = await waitFor('a checkpoint', async () => ((await jobOf(tributary.url, id)).ackedLsn ? jobOf(tributary.url, id) : undefined));
    expect(job.destination.password).toBeUndefined();

    const released = await api(tributary.url, 'POST', `/jobs/${id}/release`);
    expect(released.status).toBe(200);
    // the destination keeps the data, but forgets the job
    expect((await destination.client.query('SELECT count(*)::int AS n FROM tributary.sink_positions WHERE job_id = $1', [id])).rows[0].n).toBe(0);
    expect((await destination.client.query('SELECT count(*)::int AS n FROM tributary.sink_tables WHERE job_id = $1', [id])).rows[0].n).toBe(0);
    expect((await rowsAsText(destination.client, 'coded', 'code'))).toEqual(['(cc,30)']);
    const everything = [
      JSON.stringify(job), JSON.stringify(precheck.body), created.text, released.text,
      (await api(tributary.url, 'GET', '/jobs')).text,
      readFileSync(join(tributary.dataDir, 'logs', `${id}.log`), 'utf8'),
      rawFileOutOfProcess(join(tributary.dataDir, 'tributary.db')),
      ...readdirSync(join(tributary.dataDir, 'secrets', 'values')).map((f) => readFileSync(join(tributary.dataDir, 'secrets', 'values', f), 'utf8')),
      tributary.logs.join('\n'),
    ].join('\n');
    expect(everything).not.toContain(secret);
    // released with the job: neither password is left in the secret store
    const secrets = createFileSecretStore(join(tributary.dataDir, 'secrets'));
    await expect(secrets.get(`local:${id}/destination-password`)).rejects.toThrow();
    await expect(secrets.get(`local:${id}/source-password`)).rejects.toThrow();
    await source.client.end();
    await destination.client.end();
  });
});
