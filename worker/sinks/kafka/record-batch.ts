import type { ChangeEvent } from '../../change-event.ts';
import type { KafkaDestination } from '../../../shared/job/job-spec.ts';
import { topicFor } from '../../../shared/kafka/topic-rule.ts';
import { JsonOut } from '../../json/json-out.ts';
import { perTable, renderKey, renderSchemaChange, valueRenderer, valueWriter } from './debezium-envelope.ts';
import { javaPartitionFor, javaPartitionForBytes } from './partition-for.ts';

// Change events rendered as Kafka records, column by column: every key, value
// and idempotency key as UTF-8 in one buffer, located by `spans`, so a batch
// crosses to the producer thread by transfer, not by copying thousands of
// strings (kafka-producer-thread.ts), and the producer copies bytes into the
// Produce request instead of encoding strings. Measured against string columns:
// bench/RESULTS.md.
export type RecordBatch = {
  count: number;
  /** Distinct topics; `topic[i]` indexes them. */
  topics: string[];
  topic: Uint16Array;
  partition: Int32Array;
  /** Six per record: key offset and length, value offset and length, id offset and length; a length of −1 is null (a tombstone's value). */
  spans: Int32Array;
  data: Buffer;
  /** Key and value bytes, for metering. */
  bytes: number;
};

/** The header that carries a record's idempotency key (commit LSN and index in the transaction). */
export const IDEMPOTENCY_HEADER = 'tributary.idempotency-key';

/**
 * One record of a batch, as the value of a message handed to the Kafka
 * client: the client passes values through unserialized, and the Produce
 * encoder (produce-request.ts) copies key, value and idempotency header
 * straight from the batch's bytes. One small object per record instead of
 * three Buffer views and a headers Map.
 */
export class BatchRecord {
  readonly batch: RecordBatch;
  readonly index: number;
  constructor(batch: RecordBatch, index: number) {
    this.batch = batch;
    this.index = index;
  }
}

/** The ArrayBuffers a batch owns, to transfer rather than copy. */
export const transferablesOf = (b: RecordBatch): ArrayBuffer[] => [b.data.buffer as ArrayBuffer, b.topic.buffer as ArrayBuffer, b.partition.buffer as ArrayBuffer, b.spans.buffer as ArrayBuffer];

/** Record `i`'s bytes at span slot `slot` (0 key, 2 value, 4 id); undefined for null. */
export function spanOf(b: RecordBatch, i: number, slot: 0 | 2 | 4): Buffer | undefined {
  const at = b.spans[i * 6 + slot];
  const length = b.spans[i * 6 + slot + 1];
  return length < 0 ? undefined : b.data.subarray(at, at + length);
}

/** A batch that crossed a thread: structured clone turns its Buffer into a plain Uint8Array (no `copy`, no `subarray` to a Buffer). */
export function asReceived(b: RecordBatch): RecordBatch {
  const data = b.data as Uint8Array;
  return Buffer.isBuffer(data) ? b : { ...b, data: Buffer.from(data.buffer, data.byteOffset, data.byteLength) };
}

export type RecordRendererOptions = { destination: KafkaDestination; database: string; jobName: string };

export function recordRenderer(opts: RecordRendererOptions) {
  const { destination, database } = opts;
  const meta = { jobName: opts.jobName, database };
  const renderValue = valueRenderer(meta);
  const writeValue = valueWriter(meta);
  let partitions = new Map<string, number>(); // per topic, from the brokers at prepare
  let bytesPerEvent = 512; // the last batch's, to size the next one's buffer

  // per table: the rule is applied once, not per event
  const topicOf = perTable((schema, table) => topicFor(destination.topicRule, { database, schema, table }));
  // One schema-change topic per database (SPEC.md §4), one partition in use: DDL keeps its commit order.
  const schemaTopic = `${topicFor('#{source_db_name}', { database, schema: '', table: '' })}.schema-changes`;
  const schemaKey = JSON.stringify({ databaseName: database });

  /** The record's partition; `key` is the rendered key text of an object event (a rendered event's key is in `event.json`). */
  const partitionOf = (event: ChangeEvent, topic: string, key: string | null): number => {
    const j = event.json;
    if (destination.partitionPolicy === 'partition-0' || (j ? j.keyLength < 0 : key === null)) return 0; // no key: partition 0 keeps one order
    const n = partitions.get(topic) ?? 1;
    if (destination.partitionPolicy === 'hash-db-table') return javaPartitionFor(`${database}.${event.schema}.${event.table}`, n);
    return j ? javaPartitionForBytes(j.data, j.keyAt, j.keyAt + j.keyLength, n) : javaPartitionFor(key!, n);
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
      const max = events.length * 2;
      const topic = new Uint16Array(max);
      const partition = new Int32Array(max);
      const spans = new Int32Array(max * 6);
      const topicList: string[] = [];
      const topicIndex = new Map<string, number>();
      // Unpooled (JsonOut's buffers are), so it can be transferred; sized from the last batch, grown by doubling.
      const out = new JsonOut(Math.max(4096, Math.ceil(bytesPerEvent * events.length * 1.25)));
      let count = 0;
      let bytes = 0;
      const span = (slot: number, at: number, length: number) => {
        spans[slot] = at;
        spans[slot + 1] = length;
      };
      const put = (s: string | null, slot: number) => {
        if (s === null) return span(slot, 0, -1);
        const at = out.pos;
        out.text(s);
        span(slot, at, out.pos - at);
      };
      const next = (t: string, p: number) => {
        let ti = topicIndex.get(t);
        if (ti === undefined) topicIndex.set(t, (ti = topicList.push(t) - 1));
        topic[count] = ti;
        partition[count] = p;
        return count++ * 6;
      };
      const push = (t: string, p: number, key: string | null, value: string | null, id: string) => {
        const at = next(t, p);
        const before = out.pos;
        put(key, at);
        put(value, at + 2);
        bytes += out.pos - before;
        put(id, at + 4);
      };
      let commit: bigint | undefined;
      let idPrefix = '';
      for (const event of events) {
        if (event.commitLsn !== commit) idPrefix = `${(commit = event.commitLsn)}:`; // one BigInt to text per transaction, not per change
        const id = idPrefix + event.index;
        if (event.op === 'ddl') {
          push(schemaTopic, 0, schemaKey, renderSchemaChange(event, meta, nowMs), id);
          continue;
        }
        const t = topicOf(event);
        const j = event.json;
        if (j) {
          // rows rendered by the reader: key and rows are copied, not rendered again
          const p = partitionOf(event, t, null);
          const at = next(t, p);
          const keyAt = out.pos;
          if (j.keyLength < 0) span(at, 0, -1);
          else {
            out.bytes(j.data, j.keyAt, j.keyAt + j.keyLength);
            span(at, keyAt, j.keyLength);
          }
          const valueAt = out.pos;
          writeValue(event, nowMs, out);
          span(at + 2, valueAt, out.pos - valueAt);
          bytes += out.pos - keyAt;
          put(id, at + 4);
          if (event.op === 'd' && destination.tombstonesOnDelete && j.keyLength >= 0) {
            const tomb = next(t, p); // the same key bytes again
            span(tomb, keyAt, j.keyLength);
            span(tomb + 2, 0, -1);
            bytes += j.keyLength;
            put(id, tomb + 4);
          }
          continue;
        }
        const key = renderKey(event);
        const p = partitionOf(event, t, key);
        push(t, p, key, renderValue(event, nowMs), id);
        // A tombstone lets log compaction drop the key (Debezium's tombstones.on.delete).
        if (event.op === 'd' && destination.tombstonesOnDelete && key !== null) push(t, p, key, null, id);
      }
      const pos = out.pos;
      const data = out.buf;
      if (events.length) bytesPerEvent = pos / events.length;
      return { count, topics: topicList, topic: topic.subarray(0, count), partition: partition.subarray(0, count), spans: spans.subarray(0, count * 6), data: data.subarray(0, pos), bytes };
    },
  };
}
