import { describe, it, expect } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { MATRIX, servicesFor } from '../support/e2e.ts';
import { readTopic } from '../support/kafka-reader.ts';
import { createKafkaSink, kafkaClientBase } from '../../worker/sinks/kafka/kafka-sink.ts';
import { encodePosition, fenceAndReadPosition, positionTopicOf, transactionalIdOf } from '../../worker/sinks/kafka/kafka-position.ts';
import { KafkaDestination } from '../../shared/job/job-spec.ts';
import { classify } from '../../shared/errors/classify.ts';
import type { ChangeEvent } from '../../worker/change-event.ts';

// The exactly-once position against real brokers: records and position are
// committed together, an aborted transaction (several of them, from the same
// transactional id) never counts, and a new reader fences the old producer.
const event = (id: number, commitLsn: bigint): ChangeEvent => ({
  op: 'c', schema: 'public', table: 'items', key: { id }, before: null, after: { id }, commitTimeMs: 0, txId: 1, lsn: commitLsn, commitLsn, index: 0, snapshot: false,
});

describe.each(MATRIX)('Kafka position (Kafka $kafka)', (combo) => {
  it('reads the last committed position, never an aborted one, and fences the writer', { timeout: 90_000 }, async () => {
    const { kafka } = servicesFor(combo);
    const jobId = `j${randomBytes(8).toString('hex')}`;
    const database = `db_${randomBytes(4).toString('hex')}`;
    const destination = KafkaDestination.parse({ type: 'kafka', brokers: kafka.brokers, deliveryGuarantee: 'exactly-once', newTopicPartitions: 2 });
    const base = kafkaClientBase({ destination, clientId: `tributary-${jobId}` });
    const read = () => fenceAndReadPosition({ base, jobId, transactionTimeoutMs: 30_000 });

    expect(await read()).toBeUndefined(); // no position topic yet

    const sink = createKafkaSink({ destination, database, jobName: 'test', clientId: `tributary-${jobId}`, jobId });
    await sink.prepare([{ schema: 'public', table: 'items' }]);
    await sink.write([event(1, 0x100n), event(2, 0x100n)]);
    await sink.commit!({ lsn: 0x110n });
    await sink.write([event(3, 0x200n)]);
    await sink.commit!({ lsn: 0x210n, snapshot: { startedAt: 'x', rowsDone: 7, rowsPerSecond: 0, resumes: 0, tables: [] } });
    await sink.write([event(4, 0x300n)]); // left open: the worker "dies" here

    // A new worker: fencing aborts the open transaction, then the committed position is read.
    expect(await read()).toEqual({ lsn: 0x210n, snapshot: { startedAt: 'x', rowsDone: 7, rowsPerSecond: 0, resumes: 0, tables: [] } });
    // The fenced worker can neither write nor commit any more.
    const fenced = await sink.commit!({ lsn: 0x310n }).then(() => undefined, (err) => err);
    expect(classify(fenced).code).toBe('ProducerFenced');
    await sink.close();

    // Two aborted transactions of the same transactional id, the later one with a lower LSN: neither may count.
    const k = new Kafka({ clientId: 'test', brokers: kafka.brokers, logLevel: logLevel.NOTHING });
    for (const lsn of [0x500n, 0x400n]) {
      const producer = k.producer({ transactionalId: transactionalIdOf(jobId), idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      const tx = await producer.transaction();
      await tx.send({ topic: positionTopicOf(jobId), acks: -1, messages: [{ key: jobId, value: encodePosition({ lsn }), partition: 0 }] });
      await tx.abort();
      await producer.disconnect();
    }
    expect((await read())?.lsn).toBe(0x210n);

    // A later committed position after the aborted ones wins.
    const next = createKafkaSink({ destination, database, jobName: 'test', clientId: `tributary-${jobId}`, jobId });
    await next.prepare([{ schema: 'public', table: 'items' }]);
    await next.write([event(5, 0x600n)]);
    await next.commit!({ lsn: 0x610n });
    await next.write([event(6, 0x700n)]);
    await next.close(); // aborts the open transaction
    expect((await read())?.lsn).toBe(0x610n);

    // A read_committed consumer sees exactly the committed records.
    const topic = `${database}.public.items`;
    const msgs = await readTopic(kafka.brokers, topic, (m) => m.length >= 4, 30_000);
    expect(msgs.map((m) => JSON.parse(m.value!).after.id).sort()).toEqual([1, 2, 3, 5]);
  });
});
