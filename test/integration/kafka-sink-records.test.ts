import { describe, it, expect } from 'vitest';
import { randomBytes } from 'node:crypto';
import { MATRIX, servicesFor } from '../support/e2e.ts';
import { byPartitionOffset, readTopic } from '../support/kafka-reader.ts';
import { createKafkaSink } from '../../worker/sinks/kafka/kafka-sink.ts';
import { KafkaDestination } from '../../shared/job/job-spec.ts';
import type { ChangeEvent } from '../../worker/change-event.ts';

// The sink writes its own Produce requests (produce-request.ts); a compressed
// batch goes through the client's encoder instead. Both must reach a real
// broker intact: keys, values, headers, tombstones, non-ASCII text, order,
// with the producer on its own thread (the worker's default) or in process.
const event = (id: number, op: 'c' | 'd', i: number): ChangeEvent => ({
  op, schema: 'public', table: 'items', key: { id }, before: op === 'd' ? { id } : null, after: op === 'd' ? null : { id, note: `naïve ✓ 𝄞 ${'x'.repeat(id % 7 === 0 ? 5_000 : 10)}` },
  commitTimeMs: 1_795_000_000_000, txId: 9, lsn: 0x1000n + BigInt(i), commitLsn: 0x9000n, index: i, snapshot: false,
});

describe.each(MATRIX)('Kafka sink records (Kafka $kafka)', (combo) => {
  for (const [guarantee, compression, thread] of [['at-least-once', 'none', true], ['at-least-once', 'gzip', false], ['exactly-once', 'none', true]] as const) {
    it(`delivers every record intact and in order, ${guarantee}, compression ${compression}, producer ${thread ? 'on its own thread' : 'in process'}`, { timeout: 90_000 }, async () => {
      const { kafka } = servicesFor(combo);
      const database = `db_${randomBytes(4).toString('hex')}`;
      const destination = KafkaDestination.parse({ type: 'kafka', brokers: kafka.brokers, newTopicPartitions: 3, deliveryGuarantee: guarantee, properties: { 'properties.compression.type': compression } });
      const sink = createKafkaSink({ destination, database, jobName: 'test', clientId: 'test', jobId: `j${randomBytes(6).toString('hex')}`, producerThread: thread });
      await sink.prepare([{ schema: 'public', table: 'items' }]);
      const events = Array.from({ length: 3_000 }, (_, i) => event(i % 500, i >= 2_500 ? 'd' : 'c', i));
      try {
        for (let i = 0; i < events.length; i += 1_500) await sink.write(events.slice(i, i + 1_500)); // ~1.3 MB each: sends of 768 KiB, two in flight
        if (guarantee === 'exactly-once') await sink.commit!({ lsn: 0x9000n }); // read_committed below sees nothing before this
      } finally {
        await sink.close();
      }
      const expected = events.length + 500; // each delete is followed by its tombstone
      const got = byPartitionOffset(await readTopic(kafka.brokers, `${database}.public.items`, (m) => m.length >= expected));
      expect(got).toHaveLength(expected);
      // Per key, the records arrive exactly as written: create values in order, then the delete, then its tombstone.
      const perKey = new Map<string, string[]>();
      for (const m of got) perKey.set(m.key!, [...(perKey.get(m.key!) ?? []), `${m.headers['tributary.idempotency-key']}|${m.value === null ? 'tombstone' : JSON.parse(m.value).op}`]);
      for (let id = 0; id < 500; id++) {
        const mine = events.filter((e) => e.key!.id === id);
        const want = mine.flatMap((e) => [`${e.commitLsn}:${e.index}|${e.op}`, ...(e.op === 'd' ? [`${e.commitLsn}:${e.index}|tombstone`] : [])]);
        expect(perKey.get(JSON.stringify({ id }))).toEqual(want);
      }
      const sample = got.find((m) => m.key === '{"id":7}' && m.value !== null)!;
      expect(JSON.parse(sample.value!).after.note).toBe(`naïve ✓ 𝄞 ${'x'.repeat(5_000)}`);
    });
  }
});

describe('Kafka producer thread', () => {
  it('a producer thread reports the brokers\' failure with its code, and closes', { timeout: 90_000 }, async () => {
    const destination = KafkaDestination.parse({ type: 'kafka', brokers: ['127.0.0.1:1'], properties: { 'properties.retry.backoff.ms': '50' } });
    const sink = createKafkaSink({ destination, database: 'db', jobName: 'test', clientId: 'test', jobId: 'jdead', producerThread: true });
    await expect(sink.prepare([{ schema: 'public', table: 'items' }])).rejects.toMatchObject({ name: 'TributaryError', code: 'SinkUnreachable' });
    await sink.close();
    await expect(sink.write([event(1, 'c', 0)])).rejects.toMatchObject({ name: 'TributaryError' }); // closed: fails, never hangs
  });
});
