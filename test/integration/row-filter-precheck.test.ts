import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { runPrechecks } from '../../shared/prechecks/run-prechecks.ts';
import { PRECHECKS } from '../../shared/prechecks/checks/index.ts';
import { MATRIX, freshDatabase, servicesFor } from '../support/e2e.ts';
import { jobRecord } from '../unit/shared/prechecks/job-fixture.ts';

// The row-filter precheck on real PostgreSQL: the source judges each filter by
// building the publication in a rolled-back transaction, and a filter that
// reads columns outside the replica identity is refused (it would make the
// application's UPDATE and DELETE fail once the publication exists).
describe.each(MATRIX)('row-filter precheck on PostgreSQL $pg', (combo) => {
  const { postgres } = servicesFor(combo);
  let db: { name: string; client: pg.Client };
  const sourceChecks = PRECHECKS.filter((c) => !c.id.startsWith('kafka-'));
  const check = async (tables: Array<{ table: string; rowFilter?: string }>) => {
    const job = jobRecord({
      id: 'jrowfilter01',
      source: { type: 'postgresql', host: '127.0.0.1', port: postgres.port, database: db.name, user: 'postgres', password: 'x', sslmode: 'disable' },
      objects: { tables },
    });
    const report = await runPrechecks(job, 'postgres', { checks: sourceChecks }); // the test servers' superuser password
    return report.results.find((r) => r.id === 'row-filter')!;
  };

  beforeAll(async () => {
    db = await freshDatabase(postgres.connectionString);
    await db.client.query(`CREATE TABLE orders (id int PRIMARY KEY, region text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
      CREATE TABLE events (id int PRIMARY KEY, kind text NOT NULL);`);
  });
  afterAll(() => db.client.end());

  it('accepts a filter on key columns and leaves no publication behind', async () => {
    expect(await check([{ table: 'orders', rowFilter: 'id > 10' }])).toMatchObject({ status: 'pass', detail: "1 row filter(s) accepted by the source; their columns are in each table's replica identity" });
    expect((await db.client.query("SELECT count(*)::int AS n FROM pg_publication")).rows[0].n).toBe(0);
  });

  it('reports what PostgreSQL refuses, per table: an unknown column, a mutable function', async () => {
    const result = await check([{ table: 'orders', rowFilter: 'nosuch = 1' }, { table: 'events', rowFilter: "id > 0 AND now() > '2020-01-01'" }]);
    expect(result.status).toBe('error');
    expect(result.detail).toContain('invalid filter on "public"."orders": column "nosuch" does not exist');
    expect(result.detail).toMatch(/invalid filter on "public"\."events": invalid publication WHERE expression.*mutable functions are not allowed/);
  });

  it('refuses a filter reading columns outside the replica identity, and passes once the fix is applied', async () => {
    const before = await check([{ table: 'orders', rowFilter: "region = 'eu' AND id > 0" }]);
    expect(before).toMatchObject({
      status: 'error',
      detail: 'the filter on "public"."orders" reads region, outside its replica identity: UPDATE and DELETE on the table would fail on the source',
      fix: 'ALTER TABLE "public"."orders" REPLICA IDENTITY FULL; -- or filter on key columns only',
    });
    // what the error protects against: PostgreSQL refuses the application's UPDATE under such a publication
    await db.client.query(`CREATE PUBLICATION demo FOR TABLE orders WHERE (region = 'eu')`);
    await db.client.query(`INSERT INTO orders VALUES (1, 'eu')`);
    await expect(db.client.query(`UPDATE orders SET region = 'us' WHERE id = 1`)).rejects.toThrow(/cannot update table "orders"/);
    await db.client.query('DROP PUBLICATION demo');
    await db.client.query(before.fix!.replace(/ --.*$/, ''));
    expect(await check([{ table: 'orders', rowFilter: "region = 'eu' AND id > 0" }])).toMatchObject({ status: 'pass' });
  });
});
