import type { ChangeEvent } from '../../change-event.ts';
import type { KafkaDestination } from '../../../shared/job/job-spec.ts';
import { topicFor } from '../../../shared/kafka/topic-rule.ts';
import { renderKey, renderSchemaChange, valueRenderer } from './debezium-envelope.ts';
import { javaPartitionFor } from './partition-for.ts';

// Change events rendered as Kafka records, column by column: plain arrays of
// strings and one Int32Array, so a batch crosses to the producer thread by
// structured clone without per-record objects (kafka-producer-thread.ts).
export type RecordBatch = {
  topic: string[];
  partition: Int32Array;
  key: (string | null)[];
  /** null: a tombstone */
  value: (string | null)[];
  /** The idempotency-key header: commit LSN and index within the transaction. */
  id: string[];
  /** Key and value characters, for metering. */
  bytes: number;
};

export type RecordRendererOptions = { destination: KafkaDestination; database: string; jobName: string };

export function recordRenderer(opts: RecordRendererOptions) {
  const { destination, database } = opts;
  const meta = { jobName: opts.jobName, database };
  const renderValue = valueRenderer(meta);
  const topics = new Map<string, string>(); // per table: the rule is applied once, not per event
  let partitions = new Map<string, number>(); // per topic, from the brokers at prepare

  const topicOf = (e: { schema: string; table: string }) => {
    const id = `${e.schema}\u0000${e.table}`;
    let topic = topics.get(id);
    if (topic === undefined) topics.set(id, (topic = topicFor(destination.topicRule, { database, schema: e.schema, table: e.table })));
    return topic;
  };
  // One schema-change topic per database (SPEC.md §4), one partition in use: DDL keeps its commit order.
  const schemaTopic = `${topicFor('#{source_db_name}', { database, schema: '', table: '' })}.schema-changes`;
  const schemaKey = JSON.stringify({ databaseName: database });

  const partitionOf = (event: ChangeEvent, topic: string, key: string | null): number => {
    if (destination.partitionPolicy === 'partition-0' || key === null) return 0; // no key: partition 0 keeps one order
    const hashed = destination.partitionPolicy === 'hash-db-table' ? `${database}.${event.schema}.${event.table}` : key;
    return javaPartitionFor(hashed, partitions.get(topic) ?? 1);
  };

  return {
    schemaTopic,
    /** Every topic the job's tables and DDL go to. */
    topicsFor: (tables: { schema: string; table: string }[]) => [...new Set([...tables.map(topicOf), schemaTopic])],
    /** The brokers' partition counts, which hash-based policies divide by. */
    usePartitions(counts: Record<string, number>) {
      partitions = new Map(Object.entries(counts));
    },
    render(events: ChangeEvent[], nowMs: number): RecordBatch {
      // Up to two records per event (a delete and its tombstone).
      const batch: RecordBatch = { topic: [], partition: new Int32Array(events.length * 2), key: [], value: [], id: [], bytes: 0 };
      const push = (topic: string, partition: number, key: string | null, value: string | null, id: string) => {
        batch.partition[batch.topic.length] = partition;
        batch.topic.push(topic);
        batch.key.push(key);
        batch.value.push(value);
        batch.id.push(id);
      };
      for (const event of events) {
        const id = `${event.commitLsn}:${event.index}`;
        if (event.op === 'ddl') {
          const value = renderSchemaChange(event, meta, nowMs);
          push(schemaTopic, 0, schemaKey, value, id);
          batch.bytes += value.length;
          continue;
        }
        const topic = topicOf(event);
        const key = renderKey(event);
        const partition = partitionOf(event, topic, key);
        const value = renderValue(event, nowMs);
        push(topic, partition, key, value, id);
        batch.bytes += value.length + (key?.length ?? 0);
        // A tombstone lets log compaction drop the key (Debezium's tombstones.on.delete).
        if (event.op === 'd' && destination.tombstonesOnDelete && key !== null) push(topic, partition, key, null, id);
      }
      batch.partition = batch.partition.slice(0, batch.topic.length);
      return batch;
    },
  };
}
