import { describe, it, expect } from 'vitest';
import { MATRIX, servicesFor, freshDatabase, api, jobBody, startJob, useLocalTributary } from '../support/e2e.ts';
import { readTopic, byPartitionOffset } from '../support/kafka-reader.ts';
import { waitFor } from '../support/wait-for.ts';

describe.each(MATRIX)('stream PostgreSQL $pg → Kafka $kafka', (combo) => {
  const tributary = useLocalTributary();

  it('delivers insert, update and delete of a composite-key table in commit order, acks, and release removes slot and publication', async () => {
    const { postgres, kafka } = servicesFor(combo);
    const db = await freshDatabase(postgres.connectionString);
    await db.client.query(`CREATE TABLE order_lines (order_id int8, line_no int4, sku text, qty numeric(10,2), note text, PRIMARY KEY (order_id, line_no))`);

    const created = await api(tributary.url, 'POST', '/jobs', jobBody({ port: postgres.port, database: db.name, brokers: kafka.brokers, tables: [{ table: 'order_lines' }] }));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.body.source.password).toBeUndefined();
    expect(created.body.source.passwordRef).toBeUndefined();

    expect((await startJob(tributary.url, id)).status).toBe(202);
    await waitFor('job streaming', async () => (await api(tributary.url, 'GET', `/jobs/${id}`)).body.status === 'streaming');

    await db.client.query(`INSERT INTO order_lines VALUES (9007199254740993, 1, 'apple', 1.10, 'first'), (9007199254740993, 2, 'pear', 2.20, NULL)`);
    await db.client.query(`UPDATE order_lines SET qty = 3.30, note = 'changed' WHERE order_id = 9007199254740993 AND line_no = 1`);
    await db.client.query(`BEGIN; DELETE FROM order_lines WHERE line_no = 2; INSERT INTO order_lines VALUES (7, 1, 'plum', 0.01, 'x'); COMMIT`);

    const topic = `${db.name}.public.order_lines`;
    const all = await readTopic(kafka.brokers, topic, (m) => m.length >= 6);
    const msgs = byPartitionOffset(all);
    // per key, commit order; the key is the primary key as JSON (exact int8)
    const forKey = (k: string) => msgs.filter((m) => m.key === k);
    const line1 = forKey('{"order_id":9007199254740993,"line_no":1}');
    const line2 = forKey('{"order_id":9007199254740993,"line_no":2}');
    expect(line1.map((m) => JSON.parse(m.value!).op)).toEqual(['c', 'u']);
    expect(line2.map((m) => (m.value === null ? 'tombstone' : JSON.parse(m.value).op))).toEqual(['c', 'd', 'tombstone']);
    expect(forKey('{"order_id":7,"line_no":1}').map((m) => JSON.parse(m.value!).op)).toEqual(['c']);
    // all changes of one key share a partition
    expect(new Set(line2.map((m) => m.partition)).size).toBe(1);

    const update = JSON.parse(line1[1].value!);
    expect(update.after).toEqual({ order_id: 9007199254740993, line_no: 1, sku: 'apple', qty: '3.30', note: 'changed' });
    expect(line1[1].value).toContain('"order_id":9007199254740993,'); // not rounded to 9007199254740992
    expect(update.source).toMatchObject({ connector: 'postgresql', db: db.name, schema: 'public', table: 'order_lines', snapshot: false });
    expect(typeof update.source.txId).toBe('number');
    expect(typeof update.source.lsn).toBe('number');
    expect(typeof update.ts_ms).toBe('number');
    expect(line1[1].headers['tributary.idempotency-key']).toMatch(/^\d+:\d+$/);

    // the TOAST warning was acknowledged, so the worker applied REPLICA IDENTITY FULL (as DTS does): full before-images
    const identity = await db.client.query("SELECT relreplident FROM pg_class WHERE oid = 'order_lines'::regclass");
    expect(identity.rows[0].relreplident).toBe('f');
    expect(JSON.parse(line1[1].value!).before).toEqual({ order_id: 9007199254740993, line_no: 1, sku: 'apple', qty: '1.10', note: 'first' });
    const deleted = JSON.parse(line2[1].value!);
    expect(deleted.before).toEqual({ order_id: 9007199254740993, line_no: 2, sku: 'pear', qty: '2.20', note: null });
    expect(deleted.after).toBeNull();
    // the delete and the insert of one transaction carry one txId
    expect(deleted.source.txId).toBe(JSON.parse(forKey('{"order_id":7,"line_no":1}')[0].value!).source.txId);

    // the acknowledged LSN reaches the status API and PostgreSQL's slot
    const job = await waitFor('acked LSN', async () => {
      const j = (await api(tributary.url, 'GET', `/jobs/${id}`)).body;
      return j.ackedLsn ? j : undefined;
    });
    const slot = await db.client.query('SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1', [job.slotName]);
    expect(slot.rows[0].lsn).toBeDefined();
    const ahead = await db.client.query('SELECT $1::pg_lsn >= $2::pg_lsn AS ok', [job.ackedLsn, slot.rows[0].lsn]);
    expect(ahead.rows[0].ok).toBe(true); // PostgreSQL never confirms past what we saved

    const released = await api(tributary.url, 'POST', `/jobs/${id}/release`);
    expect(released.status).toBe(200);
    expect(released.body.status).toBe('released');
    const slots = await db.client.query('SELECT slot_name FROM pg_replication_slots WHERE slot_name = $1', [job.slotName]);
    const pubs = await db.client.query('SELECT pubname FROM pg_publication WHERE pubname = $1', [job.publicationName]);
    expect(slots.rowCount).toBe(0);
    expect(pubs.rowCount).toBe(0);
    await db.client.end();
  });
});
