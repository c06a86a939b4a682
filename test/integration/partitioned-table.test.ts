import { describe, it, expect } from 'vitest';
import { MATRIX, servicesFor, freshDatabase, api, jobBody, startJob, useLocalTributary } from '../support/e2e.ts';
import { readTopic } from '../support/kafka-reader.ts';
import { waitFor } from '../support/wait-for.ts';

// A partitioned table selected as a whole is published through its root
// (publish_via_partition_root): rows in any partition, existing or attached
// later, arrive on the root table's topic under the root's name.
describe.each(MATRIX)('a partitioned table on PostgreSQL $pg', (combo) => {
  const tributary = useLocalTributary();

  it('snapshots and streams every partition under the root table', async () => {
    const { postgres, kafka } = servicesFor(combo);
    const db = await freshDatabase(postgres.connectionString);
    await db.client.query(`CREATE TABLE measurements (id int, at date NOT NULL, v numeric, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
      CREATE TABLE measurements_2025 PARTITION OF measurements FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
      CREATE TABLE measurements_2026 PARTITION OF measurements FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
      INSERT INTO measurements VALUES (1, '2025-06-01', 1.5), (2, '2026-06-01', 2.5);`);
    const id = (await api(tributary.url, 'POST', '/jobs', jobBody({ port: postgres.port, database: db.name, brokers: kafka.brokers, tables: [{ table: 'measurements' }] }))).body.id;
    expect((await startJob(tributary.url, id)).status).toBe(202);
    await waitFor('streaming', async () => (await api(tributary.url, 'GET', `/jobs/${id}`)).body.status === 'streaming', 60_000);

    await db.client.query(`INSERT INTO measurements VALUES (3, '2025-07-01', 3.5), (4, '2026-07-01', 4.5)`);
    await db.client.query(`UPDATE measurements SET v = 9 WHERE id = 2`);
    await db.client.query(`CREATE TABLE measurements_2027 PARTITION OF measurements FOR VALUES FROM ('2027-01-01') TO ('2028-01-01')`);
    await db.client.query(`INSERT INTO measurements VALUES (5, '2027-01-02', 5.5)`);

    const messages = await readTopic(kafka.brokers, `${db.name}.public.measurements`, (m) => m.length >= 6);
    const values = messages.map((m) => JSON.parse(m.value!));
    expect(values.every((v) => v.source.table === 'measurements')).toBe(true);
    expect(values.filter((v) => v.op === 'r').map((v) => v.after.id).sort()).toEqual([1, 2]);
    expect(values.filter((v) => v.op === 'c').map((v) => v.after.id).sort()).toEqual([3, 4, 5]);
    expect(values.find((v) => v.op === 'u').after).toMatchObject({ id: 2, at: '2026-06-01', v: '9' });
    await api(tributary.url, 'POST', `/jobs/${id}/release`);
    await db.client.end();
  });
});
