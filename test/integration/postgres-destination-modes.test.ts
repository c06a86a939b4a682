import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { api, startJob, useLocalTributary } from '../support/e2e.ts';
import { waitFor } from '../support/wait-for.ts';
import { PG_PAIRS, freshPair, jobOf, pgJobBody, rowsAsText, waitForSameRows } from '../support/pg-destination.ts';

// conflictMode both ways (seed 004), DDL applied where safe, unchanged TOAST
// values, and name mapping — one PostgreSQL 16 → 17 pair.
describe('PostgreSQL destination modes', () => {
  const pair = PG_PAIRS[1];
  const tributary = useLocalTributary();
  const resultsOf = (report: { results: Array<{ id: string; status: string; detail: string; fix?: string }> }) => new Map(report.results.map((r) => [r.id, r]));

  it('precheck-and-report refuses an existing target table; ignore-and-proceed keeps its rows in the full phase and overwrites them with changes', { timeout: 180_000 }, async () => {
    const { source, destination } = await freshPair(pair);
    await source.client.query(`CREATE TABLE accounts (id int PRIMARY KEY, name text, balance numeric(12,2)); INSERT INTO accounts VALUES (1, 'src-1', 10), (2, 'src-2', 20), (3, 'src-3', 30)`);
    await destination.client.query(`CREATE TABLE accounts (id int PRIMARY KEY, name text, balance numeric(12,2)); INSERT INTO accounts VALUES (1, 'dst-1', 11), (99, 'dst-only', 0)`);
    const base = { sourcePort: source.port, sourceDb: source.name, destinationPort: destination.port, destinationDb: destination.name, tables: [{ table: 'accounts' }] };

    const strict = (await api(tributary.url, 'POST', '/jobs', pgJobBody(base))).body.id;
    const refused = (await api(tributary.url, 'POST', `/jobs/${strict}/precheck`)).body;
    expect(refused.verdict).toBe('failed');
    expect(refused.blocking).toEqual(['destination-conflicting-tables']);
    const conflict = resultsOf(refused).get('destination-conflicting-tables')!;
    expect(conflict.detail).toBe('1 target table(s) already exist on the destination: "public"."accounts" (conflictMode "precheck-and-report")');
    expect(conflict.fix).toContain('ALTER TABLE "public"."accounts" RENAME TO "accounts_old";');
    expect((await api(tributary.url, 'POST', `/jobs/${strict}/start`)).status).toBe(409);

    // switching the mode (PATCH) makes the same destination acceptable
    const patched = await api(tributary.url, 'PATCH', `/jobs/${strict}`, { destination: { conflictMode: 'ignore-and-proceed' } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.destination).toMatchObject({ conflictMode: 'ignore-and-proceed' });
    expect(patched.body.destination.passwordRef).toBeUndefined();
    const id = strict;
    const accepted = resultsOf((await api(tributary.url, 'POST', `/jobs/${id}/precheck`)).body).get('destination-conflicting-tables')!;
    expect(accepted.status).toBe('pass');
    expect(accepted.detail).toContain('1 existing target table(s) will be written into');
    await startJob(tributary.url, id);
    await waitFor('streaming', async () => (await jobOf(tributary.url, id)).status === 'streaming', 90_000);
    // full phase: the existing row 1 is kept, the missing ones are copied, the destination's own row stays
    await waitFor('rows 2 and 3 copied', async () => (await rowsAsText(destination.client, 'accounts', 'id')).length === 4);
    expect(await rowsAsText(destination.client, 'accounts', 'id')).toEqual(['(1,dst-1,11.00)', '(2,src-2,20.00)', '(3,src-3,30.00)', '(99,dst-only,0.00)']);
    // incremental: changes overwrite
    await source.client.query(`UPDATE accounts SET balance = 12.5 WHERE id = 1; INSERT INTO accounts VALUES (99, 'src-99', 9)`);
    await waitFor('changes applied', async () => JSON.stringify(await rowsAsText(destination.client, 'accounts', 'id')) === JSON.stringify(['(1,src-1,12.50)', '(2,src-2,20.00)', '(3,src-3,30.00)', '(99,src-99,9.00)']));
    await api(tributary.url, 'POST', `/jobs/${id}/release`);
    await source.client.end();
    await destination.client.end();
  });

  it('maps names, applies ADD COLUMN, skips other DDL with a log line, and leaves unchanged TOAST values untouched', { timeout: 180_000 }, async () => {
    const { source, destination } = await freshPair(pair);
    await source.client.query(`CREATE TABLE "Docs" (id int PRIMARY KEY, "Title" text, body text, n int)`);
    await source.client.query(`INSERT INTO "Docs" VALUES (1, 'one', (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 300) g), 0)`);
    const body = pgJobBody({
      sourcePort: source.port, sourceDb: source.name, destinationPort: destination.port, destinationDb: destination.name, nameCase: 'lower',
      tables: [{ table: 'Docs', target: { schema: 'archive', columns: { body: 'content' } } }],
    });
    const created = await api(tributary.url, 'POST', '/jobs', body);
    expect(created.status, created.text).toBe(201);
    const id = created.body.id;
    await startJob(tributary.url, id);
    await waitFor('streaming', async () => (await jobOf(tributary.url, id)).status === 'streaming', 90_000);
    const target = 'archive.docs';
    await waitFor('the snapshot row', async () => (await rowsAsText(destination.client, target, 'id')).length === 1);
    const cols = await destination.client.query(`SELECT attname FROM pg_attribute WHERE attrelid = 'archive.docs'::regclass AND attnum > 0 ORDER BY attnum`);
    expect(cols.rows.map((r) => r.attname)).toEqual(['id', 'title', 'content', 'n']);

    await source.client.query(`ALTER TABLE "Docs" ADD COLUMN "Tag" varchar(8)`);
    await source.client.query(`INSERT INTO "Docs" VALUES (2, 'two', 'short', 2, 'new')`);
    await source.client.query(`CREATE INDEX docs_n ON "Docs" (n)`);
    // back to the default identity: an UPDATE now sends the untouched TOASTed body as "unchanged"
    await source.client.query(`ALTER TABLE "Docs" REPLICA IDENTITY DEFAULT`);
    await source.client.query(`UPDATE "Docs" SET n = n + 1, "Title" = 'one!' WHERE id = 1`);
    const sourceRows = `SELECT id, "Title", body, n, "Tag" FROM "Docs"`;
    await waitForSameRows(source.client, destination.client, `(${sourceRows})`, 'id', 60_000, `(SELECT id, title, content, n, tag FROM archive.docs)`);
    const log = readFileSync(join(tributary.dataDir, 'logs', `${id}.log`), 'utf8');
    expect(log).toMatch(/schema change applied on the destination.*"column":"tag"/);
    expect(log).toMatch(/schema change not applied on the destination.*REPLICA IDENTITY DEFAULT/);
    await api(tributary.url, 'POST', `/jobs/${id}/release`);
    await source.client.end();
    await destination.client.end();
  });

  it('a domain over a built-in type becomes its base type; a composite type the destination lacks fails clearly until it is created there', { timeout: 180_000 }, async () => {
    const { source, destination } = await freshPair(pair);
    await source.client.query(`CREATE DOMAIN posint AS int CHECK (VALUE > 0); CREATE TYPE pair AS (a int, b text);
      CREATE TABLE shapes (id int PRIMARY KEY, n posint, ns posint[], p pair); INSERT INTO shapes VALUES (1, 5, '{1,2}', '(1,"x y")')`);
    const body = pgJobBody({ sourcePort: source.port, sourceDb: source.name, destinationPort: destination.port, destinationDb: destination.name, tables: [{ table: 'shapes' }] });
    const id = (await api(tributary.url, 'POST', '/jobs', body)).body.id;
    await startJob(tributary.url, id);
    const stuck = await waitFor('the missing type to be reported', async () => {
      const j = await jobOf(tributary.url, id);
      return j.error ? j : undefined;
    }, 60_000);
    expect(stuck.error).toMatchObject({ code: 'DestinationSchemaMismatch', class: 'other' });
    expect(stuck.error.message).toContain('type "public.pair" does not exist');
    expect(stuck.error.message).toContain('Create that type there first');
    await destination.client.query('CREATE TYPE pair AS (a int, b text)');
    await waitForSameRows(source.client, destination.client, 'shapes', 'id', 120_000);
    const types = await destination.client.query(`SELECT attname, format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = 'shapes'::regclass AND attnum > 0 ORDER BY attnum`);
    expect(types.rows.map((r) => `${r.attname} ${r.type}`)).toEqual(['id integer', 'n integer', 'ns integer[]', 'p pair']);
    await api(tributary.url, 'POST', `/jobs/${id}/release`);
    await source.client.end();
    await destination.client.end();
  });
});
