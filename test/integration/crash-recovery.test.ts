import { describe, it, expect } from 'vitest';
import { MATRIX, servicesFor, freshDatabase, api, jobBody, startJob, useLocalTributary } from '../support/e2e.ts';
import { readTopic } from '../support/kafka-reader.ts';
import { waitFor } from '../support/wait-for.ts';
import { createEventsTable, currentWalLsn, identityOf, killAt, orderAndStateProblems, parseRecords, randomPositions, runWorkload, waitForPosition } from '../support/crash-workload.ts';

const INITIAL_ROWS = 20_000;
const CHANGES = 200_000;

// The product's promise (at-least-once, the default): kill -9 the worker at
// 10 random points (2 in start-up, 8 spread over a mixed 200k-change workload
// with a snapshot), start it again each time, and every committed change is in
// Kafka, per key in commit order, ending at the source's state. Re-sent
// changes are allowed; the test counts and reports them.
describe.each(MATRIX)('at-least-once under 10 kill -9 (PG $pg, Kafka $kafka)', (combo) => {
  const tributary = useLocalTributary();

  it('loses nothing and keeps per-key order', { timeout: 240_000 }, async () => {
    const t0 = Date.now();
    const { postgres, kafka } = servicesFor(combo);
    const db = await freshDatabase(postgres.connectionString);
    await createEventsTable(db.client, INITIAL_ROWS);
    const start = await currentWalLsn(db.client);
    const created = await api(tributary.url, 'POST', '/jobs', jobBody({ port: postgres.port, database: db.name, brokers: kafka.brokers, tables: [{ table: 'events' }] }));
    const id = created.body.id as string;
    expect((await startJob(tributary.url, id)).status).toBe(202);
    await waitFor('snapshotting', async () => ['snapshotting', 'streaming'].includes((await api(tributary.url, 'GET', `/jobs/${id}`)).body.status), 60_000, 50);

    const workload = runWorkload(db.client, { initialRows: INITIAL_ROWS, changes: CHANGES, perTx: 500 });
    await workload.done;
    const { expected } = workload;
    const end = await currentWalLsn(db.client);
    const points: Array<bigint | 'start-up'> = randomPositions(start, end, 8);
    points.splice(3, 0, 'start-up');
    points.splice(7, 0, 'start-up');
    const killedAt = await killAt(tributary, id, points);
    const job = await waitForPosition(tributary, id, end);

    const changes = expected.inserts + expected.updates + expected.deletes;
    const wanted = new Set<string>();
    let stableSince = 0;
    let lastCount = -1;
    const messages = await readTopic(kafka.brokers, `${db.name}.public.events`, (m) => {
      if (m.length !== lastCount) [lastCount, stableSince] = [m.length, Date.now()];
      return m.length >= changes + expected.deletes && Date.now() - stableSince > 2_000;
    }, 120_000);
    const records = parseRecords(messages);
    for (const r of records) if (r.op !== 'r') wanted.add(identityOf(r));
    const distinct = (op: string) => [...wanted].filter((k) => k.startsWith(`${op}:`)).length;
    // nothing missing: every insert, update (id, v), delete and tombstone is there at least once
    expect({ c: distinct('c'), u: distinct('u'), d: distinct('d'), tombstones: distinct('tombstone') }).toEqual({ c: expected.inserts, u: expected.updates, d: expected.deletes, tombstones: expected.deletes });
    expect(orderAndStateProblems(records, expected, INITIAL_ROWS, { replays: true })).toEqual([]);
    const resent = records.filter((r) => r.op !== 'r').length - (changes + expected.deletes);
    console.log(
      `at-least-once crash test (PG ${combo.pg}, Kafka ${combo.kafka}): ${records.length} records for ${changes} changes + ${expected.deletes} tombstones, ` +
        `${resent} re-sent and ${records.filter((r) => r.op === 'r').length} snapshot reads after ${points.length} kill -9 at [${killedAt.join(', ')}]; acked ${job.ackedLsn}; ${Math.round((Date.now() - t0) / 1000)} s`,
    );
    expect(resent).toBeGreaterThanOrEqual(0);

    await api(tributary.url, 'POST', `/jobs/${id}/release`);
    await db.client.end();
  });
});
