import { Admin, type MessageToProduce } from '@platformatic/kafka';
import { FastProducer, OUT_OF_SEQUENCE } from './fast-producer.ts';
import { SendWindow } from './send-window.ts';
import type { KafkaDestination } from '../../../shared/job/job-spec.ts';
import type { ChangeEvent } from '../../change-event.ts';
import type { Sink } from '../sink.ts';
import { classify } from '../../../shared/errors/classify.ts';
import { TributaryError } from '../../../shared/errors/tributary-error.ts';
import { renderKey, renderSchemaChange, valueRenderer } from './debezium-envelope.ts';
import { topicFor } from '../../../shared/kafka/topic-rule.ts';
import { producerSettings } from './producer-settings.ts';
import { javaPartitionFor } from './partition-for.ts';
import { DEFAULT_TRANSACTION_TIMEOUT_MS, FRESH_PRODUCER, encodePosition, POSITION_TOPIC_CONFIGS, positionTopicOf, transactionalIdOf, type KafkaPosition } from './kafka-position.ts';

export type KafkaSinkOptions = {
  destination: KafkaDestination;
  database: string;
  jobName: string;
  clientId: string;
  /** Names the exactly-once transactional id and position topic. */
  jobId: string;
};

// A broker rejects a record batch over max.message.bytes (1 MB by default) and
// a partition's share of one send is one batch, so sends are split below that.
const MAX_SEND_BYTES = 768 * 1024;
// Sends of one write in flight at once (send-window.ts): 3 × 768 KiB bounds the memory they hold.
const SEND_WINDOW = 3;

type Message = MessageToProduce<string, string, string, string>;

// The Kafka sink on @platformatic/kafka (4.4× kafkajs's throughput on the same
// records: bench/kafka-clients.ts). The producer is idempotent (acks=all, one
// request in flight per connection), so its retries can neither duplicate nor
// reorder a partition; it retries without limit, and a long stall is reported
// by the stream loop rather than abandoned (see ARCHITECTURE.md §6).
//
// Exactly-once: the producer is transactional (id `tributary-<job>`, stable,
// so a newer worker fences this one). Writes go into an open Kafka
// transaction; `commit` adds the position record and commits, so a
// read_committed consumer sees the records exactly when the position moves
// past them. `close` aborts what was not committed.
export function createKafkaSink(opts: KafkaSinkOptions): Sink {
  const { destination } = opts;
  const settings = producerSettings(destination.properties);
  const exactlyOnce = destination.deliveryGuarantee === 'exactly-once';
  const base = kafkaClientBase(opts);
  const positionTopic = positionTopicOf(opts.jobId);
  let producer: FastProducer<string, string, string, string> | undefined;
  let tx: Awaited<ReturnType<FastProducer<string, string, string, string>['beginTransaction']>> | undefined;
  let admin: Admin | undefined;
  const partitions = new Map<string, number>(); // per topic, read once at prepare
  const topics = new Map<string, string>(); // per table: the rule is applied once, not per event
  const meta = { jobName: opts.jobName, database: opts.database };
  const renderValue = valueRenderer(meta);

  const topicOf = (e: { schema: string; table: string }) => {
    const id = `${e.schema}\u0000${e.table}`;
    let topic = topics.get(id);
    if (topic === undefined) topics.set(id, (topic = topicFor(destination.topicRule, { database: opts.database, schema: e.schema, table: e.table })));
    return topic;
  };

  // One schema-change topic per database (SPEC.md §4), one partition in use: DDL keeps its commit order.
  const schemaTopic = `${topicFor('#{source_db_name}', { database: opts.database, schema: '', table: '' })}.schema-changes`;

  const partitionOf = (event: ChangeEvent, topic: string, key: string | null): number => {
    if (destination.partitionPolicy === 'partition-0' || key === null) return 0; // no key: partition 0 keeps one order
    const hashed = destination.partitionPolicy === 'hash-db-table' ? `${opts.database}.${event.schema}.${event.table}` : key;
    return javaPartitionFor(hashed, partitions.get(topic) ?? 1);
  };

  let initialised = false; // the producer's first send initialises it (InitProducerId): nothing may run beside it
  const txPartitions = new Set<string>(); // exactly-once: partitions already added to the open Kafka transaction

  const send = async (messages: Message[]) => {
    try {
      if (!exactlyOnce) await producer!.send({ messages });
      else {
        tx ??= await producer!.beginTransaction(); // the first one runs InitProducerId: fences any older worker
        await tx.send({ messages });
        for (const m of messages) txPartitions.add(`${m.topic}:${m.partition}`);
      }
      initialised = true;
    } catch (err) {
      throw sinkError(err);
    }
  };
  // A send that adds partitions to the transaction waits for AddPartitionsToTxn before it takes its sequence numbers; one issued beside it would overtake it.
  const mustRunAlone = (messages: Message[]) => !initialised || (exactlyOnce && (!tx || messages.some((m) => !txPartitions.has(`${m.topic}:${m.partition}`))));

  return {
    async prepare(tables) {
      try {
        admin = new Admin(base);
        const wanted = [...new Set([...tables.map(topicOf), schemaTopic])];
        const existing = new Set(await admin.listTopics());
        const missing = wanted.filter((t) => !existing.has(t));
        if (missing.length) await admin.createTopics({ topics: missing, partitions: destination.newTopicPartitions, replicas: -1 });
        if (exactlyOnce && !existing.has(positionTopic)) {
          await admin.createTopics({ topics: [positionTopic], partitions: 1, replicas: -1, configs: POSITION_TOPIC_CONFIGS }).catch((err) => {
            if (!/TOPIC_ALREADY_EXISTS/.test(JSON.stringify(flattenIds(err)))) throw err; // a racing worker of the same job created it
          });
        }
        const metadata = await admin.metadata({ topics: wanted, forceUpdate: true });
        for (const t of wanted) partitions.set(t, metadata.topics.get(t)?.partitionsCount ?? 1);
        producer = new FastProducer({
          ...base,
          idempotent: true,
          acks: -1,
          retries: Number.MAX_SAFE_INTEGER,
          retryDelay: settings.retryDelayMs ?? 500,
          autocreateTopics: false,
          ...(settings.compression ? { compression: settings.compression } : {}),
          // The client sends its `timeout` as InitProducerId's transaction timeout.
          ...(exactlyOnce ? { transactionalId: transactionalIdOf(opts.jobId), timeout: settings.transactionTimeoutMs ?? DEFAULT_TRANSACTION_TIMEOUT_MS, ...FRESH_PRODUCER } : {}),
        });
      } catch (err) {
        throw classify(err, 'sink');
      }
    },

    async write(events) {
      const nowMs = Date.now();
      const window = new SendWindow(SEND_WINDOW);
      const flush = (messages: Message[]) => window.add(() => send(messages), mustRunAlone(messages));
      let batch: Message[] = [];
      let bytes = 0;
      let total = 0;
      for (const event of events) {
        if (event.op === 'ddl') {
          const value = renderSchemaChange(event, meta, nowMs);
          batch.push({ topic: schemaTopic, partition: 0, key: JSON.stringify({ databaseName: opts.database }), value, headers: { 'tributary.idempotency-key': `${event.commitLsn}:${event.index}` } });
          bytes += value.length + 64;
          total += value.length;
          continue;
        }
        const topic = topicOf(event);
        const key = renderKey(event);
        const partition = partitionOf(event, topic, key);
        const headers = new Map([['tributary.idempotency-key', `${event.commitLsn}:${event.index}`]]);
        const value = renderValue(event, nowMs);
        batch.push({ topic, partition, key: key ?? undefined, value, headers });
        const size = value.length + (key?.length ?? 0);
        bytes += size + 64;
        total += size;
        // A tombstone lets log compaction drop the key (Debezium's tombstones.on.delete).
        if (event.op === 'd' && destination.tombstonesOnDelete && key !== null) batch.push({ topic, partition, key, value: undefined, headers });
        if (bytes >= MAX_SEND_BYTES) {
          await flush(batch);
          batch = [];
          bytes = 0;
        }
      }
      if (batch.length) await flush(batch);
      await window.drain();
      return { bytes: total };
    },

    async commit(position: KafkaPosition) {
      if (!exactlyOnce) throw new Error('commit() is for exactly-once sinks: an at-least-once producer has no transaction');
      try {
        tx ??= await producer!.beginTransaction();
        await tx.send({ messages: [{ topic: positionTopic, partition: 0, key: opts.jobId, value: encodePosition(position) }] });
        await tx.commit();
        tx = undefined;
        txPartitions.clear();
      } catch (err) {
        throw classify(err, 'sink');
      }
    },

    async close() {
      // A producer stuck retrying against a dead broker may not settle its close; the process exits anyway.
      const settle = (p: Promise<unknown> | undefined) => Promise.race([(p ?? Promise.resolve()).catch(() => undefined), new Promise((r) => setTimeout(r, 5_000).unref())]);
      // An open transaction would hold read_committed consumers at its first offset until it times out.
      if (tx && !tx.completed) await settle(tx.abort());
      tx = undefined;
      txPartitions.clear();
      await settle(producer?.close(true));
      await settle(admin?.close());
    },
  };
}

/** Connection options shared by the sink's clients and the position reader. */
export function kafkaClientBase(opts: Pick<KafkaSinkOptions, 'destination' | 'clientId'>) {
  const settings = producerSettings(opts.destination.properties);
  return {
    clientId: settings.clientId ?? opts.clientId,
    bootstrapBrokers: opts.destination.brokers,
    connectTimeout: 10_000,
    ...(settings.timeoutMs ? { timeout: settings.timeoutMs } : {}),
  };
}

/** A batch refused because an earlier one failed (fast-producer.ts) is worth a restart from the checkpoint, not a retry in place. */
function sinkError(err: unknown) {
  if (hasCode(err, OUT_OF_SEQUENCE)) {
    return new TributaryError('SinkUnreachable', 'Kafka refused a batch out of sequence after an earlier batch failed; the stream resumes from its last checkpoint (nothing is skipped, order holds)', { cause: err });
  }
  return classify(err, 'sink');
}

function hasCode(err: unknown, code: string, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 5) return false;
  const e = err as { code?: unknown; errors?: unknown[]; cause?: unknown };
  return e.code === code || (e.errors ?? []).some((x) => hasCode(x, code, depth + 1)) || hasCode(e.cause, code, depth + 1);
}

function flattenIds(err: unknown, depth = 0): string[] {
  if (!err || typeof err !== 'object' || depth > 5) return [];
  const e = err as { apiId?: string; errors?: unknown[]; cause?: unknown };
  return [...(e.apiId ? [e.apiId] : []), ...(e.errors ?? []).flatMap((x) => flattenIds(x, depth + 1)), ...flattenIds(e.cause, depth + 1)];
}
