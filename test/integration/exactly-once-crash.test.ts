import { describe, it, expect } from 'vitest';
import { MATRIX, servicesFor, freshDatabase, api, jobBody, startJob, useLocalTributary } from '../support/e2e.ts';
import { readTopic } from '../support/kafka-reader.ts';
import { waitFor } from '../support/wait-for.ts';
import { readFileSync } from 'node:fs';
import { Consumer } from '@platformatic/kafka';
import { join } from 'node:path';
import { parseLsn } from '../../shared/lsn.ts';
import { positionTopicOf } from '../../worker/sinks/kafka/kafka-position.ts';
import { createEventsTable, currentWalLsn, identityOf, killAt, orderAndStateProblems, parseRecords, randomPositions, runWorkload, waitForPosition } from '../support/crash-workload.ts';

const INITIAL_ROWS = 20_000; // snapshot chunks are 10,000 rows: kills land in the snapshot too
const CHANGES = 200_000;

// The exactly-once promise: kill -9 the worker at 10 random points while it
// works through a mixed workload (2 in start-up, 8 at random positions spread
// over the whole workload, snapshot included), start it again each time, and a
// read_committed consumer still sees every change exactly once, in commit
// order per key, ending at the source's state.
describe.each(MATRIX)('exactly-once under 10 kill -9 (PG $pg, Kafka $kafka)', (combo) => {
  const tributary = useLocalTributary();

  it('a read_committed consumer sees each change exactly once', { timeout: 240_000 }, async () => {
    const t0 = Date.now();
    const { postgres, kafka } = servicesFor(combo);
    const db = await freshDatabase(postgres.connectionString);
    await createEventsTable(db.client, INITIAL_ROWS);
    const body = jobBody({ port: postgres.port, database: db.name, brokers: kafka.brokers, tables: [{ table: 'events' }] });
    const start = await currentWalLsn(db.client);
    const created = await api(tributary.url, 'POST', '/jobs', { ...body, destination: { ...body.destination, deliveryGuarantee: 'exactly-once' } });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await startJob(tributary.url, id)).status).toBe(202);
    await waitFor('snapshotting', async () => ['snapshotting', 'streaming'].includes((await api(tributary.url, 'GET', `/jobs/${id}`)).body.status), 60_000, 50);

    // The writer runs while the snapshot does; the worker lags behind it, so the kills below still find work.
    const workload = runWorkload(db.client, { initialRows: INITIAL_ROWS, changes: CHANGES, perTx: 500 });
    await workload.done;
    const { expected } = workload;
    const end = await currentWalLsn(db.client);
    const points: Array<bigint | 'start-up'> = randomPositions(start, end, 8);
    points.splice(3, 0, 'start-up');
    points.splice(7, 0, 'start-up');
    const killedAt = await killAt(tributary, id, points, { afterCommit: { brokers: kafka.brokers, topic: positionTopicOf(id) } });
    // How often the slot (and the job store) lagged Kafka at a restart: the case the skip by Kafka's position is for.
    const resumes = readFileSync(join(tributary.dataDir, 'logs', `${id}.log`), 'utf8').split('\n').filter((l) => l.includes('resuming from the committed position')).map((l) => JSON.parse(l));
    const kafkaAhead = resumes.filter((r) => r.kafka && (!r.stored || parseLsn(r.kafka) > parseLsn(r.stored))).length;

    // Everything the source committed is committed in Kafka once the job's saved position passes the WAL end.
    const job = await waitForPosition(tributary, id, end);

    const changes = expected.inserts + expected.updates + expected.deletes;
    const minimum = changes + expected.deletes; // plus a tombstone per delete, plus the snapshot's reads
    let stableSince = 0;
    let lastCount = -1;
    const messages = await readTopic(kafka.brokers, `${db.name}.public.events`, (m) => {
      if (m.length !== lastCount) [lastCount, stableSince] = [m.length, Date.now()];
      return m.length >= minimum && Date.now() - stableSince > 2_000;
    }, 120_000);
    const records = parseRecords(messages);
    console.log(`exactly-once crash test (PG ${combo.pg}, Kafka ${combo.kafka}): killed at [${killedAt.join(', ')}] (status@ackedLsn); ${kafkaAhead} of ${resumes.length} restarts found Kafka ahead of the job store`);

    expect(kafkaAhead).toBeGreaterThan(0); // the test must exercise the window it is about

    const seen = new Map<string, number>();
    for (const r of records) seen.set(identityOf(r), (seen.get(identityOf(r)) ?? 0) + 1);
    const duplicated = [...seen].filter(([, n]) => n > 1).map(([k, n]) => `${k} ×${n}`);
    expect(duplicated.slice(0, 20)).toEqual([]);
    const count = (op: string) => records.filter((r) => r.op === op).length;
    expect({ c: count('c'), u: count('u'), d: count('d'), tombstones: count('tombstone') }).toEqual({ c: expected.inserts, u: expected.updates, d: expected.deletes, tombstones: expected.deletes });
    expect(count('r')).toBeLessThanOrEqual(INITIAL_ROWS + expected.inserts); // the snapshot reads rows inserted while it runs too
    expect(orderAndStateProblems(records, expected, INITIAL_ROWS)).toEqual([]);
    console.log(
      `exactly-once crash test (PG ${combo.pg}, Kafka ${combo.kafka}): ${records.length} records = ${changes} changes + ${expected.deletes} tombstones + ${count('r')} snapshot reads, ` +
        `no duplicates after ${points.length} kill -9; acked ${job.ackedLsn}; ${Math.round((Date.now() - t0) / 1000)} s`,
    );

    // A stop commits what it delivered and aborts the rest: no transaction is left open to hold read_committed consumers.
    expect((await api(tributary.url, 'POST', `/jobs/${id}/stop`)).status).toBe(200);
    const consumer = new Consumer({ clientId: 'crash-test', bootstrapBrokers: kafka.brokers, groupId: `crash-test-${id}` });
    try {
      for (const topic of [`${db.name}.public.events`, positionTopicOf(id)]) {
        // isolation level 0 answers the high watermark, 1 the last stable offset
        const [highWatermark, lastStable] = await Promise.all([0, 1].map(async (isolationLevel) => (await consumer.listOffsets({ topics: [topic], isolationLevel })).get(topic)));
        expect({ topic, lastStable }).toEqual({ topic, lastStable: highWatermark });
      }
    } finally {
      await consumer.close();
    }

    await api(tributary.url, 'POST', `/jobs/${id}/release`);
    await db.client.end();
  });
});
