import { describe, it, expect } from 'vitest';
import { MATRIX, servicesFor, freshDatabase, api, jobBody, startJob, useLocalTributary } from '../support/e2e.ts';
import { readTopic, byPartitionOffset } from '../support/kafka-reader.ts';
import { waitFor } from '../support/wait-for.ts';

// SPEC.md §4: DDL captured on the source is published as schema-change
// records on a per-database topic, in commit order with the data; release
// leaves no event trigger or function behind.
describe.each(MATRIX)('DDL capture on PostgreSQL $pg', (combo) => {
  const tributary = useLocalTributary();

  it('publishes each DDL command on <db>.schema-changes in commit order, and release removes the trigger', async () => {
    const { postgres, kafka } = servicesFor(combo);
    const db = await freshDatabase(postgres.connectionString);
    await db.client.query('CREATE TABLE accounts (id int PRIMARY KEY, name text)');
    const id = (await api(tributary.url, 'POST', '/jobs', jobBody({ port: postgres.port, database: db.name, brokers: kafka.brokers, tables: [{ table: 'accounts' }] }))).body.id;
    await startJob(tributary.url, id);
    await waitFor('streaming', async () => (await api(tributary.url, 'GET', `/jobs/${id}`)).body.status === 'streaming', 60_000);

    await db.client.query(`INSERT INTO accounts VALUES (1, 'a')`);
    await db.client.query('ALTER TABLE accounts ADD COLUMN email text');
    await db.client.query(`INSERT INTO accounts VALUES (2, 'b', 'b@x')`);
    await db.client.query('CREATE INDEX accounts_email ON accounts (email)');

    const changes = byPartitionOffset(await readTopic(kafka.brokers, `${db.name}.schema-changes`, (m) => m.length >= 2)).map((m) => JSON.parse(m.value!));
    expect(changes.map((c) => c.tributary.commandTag)).toEqual(['ALTER TABLE', 'CREATE INDEX']);
    expect(changes[0]).toMatchObject({ databaseName: db.name, schemaName: 'public', ddl: 'ALTER TABLE accounts ADD COLUMN email text', tributary: { objectType: 'table', objectIdentity: 'public.accounts' } });
    // commit order with the data: the ALTER's LSN lies between the two inserts'
    const rows = (await readTopic(kafka.brokers, `${db.name}.public.accounts`, (m) => m.length >= 2)).map((m) => JSON.parse(m.value!));
    const lsnOf = (n: number) => BigInt(rows.find((r) => r.after.id === n).source.lsn);
    expect(BigInt(changes[0].source.lsn) > lsnOf(1) && BigInt(changes[0].source.lsn) < lsnOf(2)).toBe(true);
    expect(rows.find((r) => r.after.id === 2).after).toEqual({ id: 2, name: 'b', email: 'b@x' });

    await api(tributary.url, 'POST', `/jobs/${id}/release`);
    const left = await db.client.query(`SELECT count(*)::int AS n FROM pg_event_trigger WHERE evtname LIKE '%' || $1`, [id]);
    const fns = await db.client.query(`SELECT count(*)::int AS n FROM pg_proc WHERE proname LIKE '%' || $1`, [id]);
    expect([left.rows[0].n, fns.rows[0].n]).toEqual([0, 0]);
    await db.client.end();
  });
});
