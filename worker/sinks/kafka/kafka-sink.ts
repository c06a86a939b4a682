import { CompressionTypes, Kafka, Partitioners, logLevel, type Admin, type Message, type PartitionMetadata, type Producer, type TopicMessages } from 'kafkajs';
import type { KafkaDestination } from '../../../shared/job/job-spec.ts';
import type { ChangeEvent } from '../../change-event.ts';
import type { Sink } from '../sink.ts';
import { classify } from '../../../shared/errors/classify.ts';
import { TributaryError } from '../../../shared/errors/tributary-error.ts';
import { renderKey, renderValue } from './debezium-envelope.ts';
import { topicFor } from './topic-rule.ts';

export type KafkaSinkOptions = {
  destination: KafkaDestination;
  database: string;
  jobName: string;
  clientId: string;
};

// A broker rejects a record batch over max.message.bytes (1 MB by default) and
// kafkajs puts a whole partition's share of one send into one batch, so sends
// are split well below that.
const MAX_SEND_BYTES = 768 * 1024;

export function createKafkaSink(opts: KafkaSinkOptions): Sink {
  const { destination } = opts;
  const compression = compressionFrom(destination.properties);
  const kafka = new Kafka({ clientId: opts.clientId, brokers: destination.brokers, logLevel: logLevel.NOTHING, connectionTimeout: 10_000 });
  // Idempotent with one request in flight: retries can neither duplicate nor reorder a partition.
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const hashPartitioner = Partitioners.DefaultPartitioner();
  const partitions = new Map<string, PartitionMetadata[]>(); // per topic, read once at prepare
  let admin: Admin | undefined;
  const meta = { jobName: opts.jobName, database: opts.database };

  const topics = new Map<string, string>(); // per table: the rule is applied once, not per event
  const topicOf = (e: { schema: string; table: string }) => {
    const id = `${e.schema}\u0000${e.table}`;
    let topic = topics.get(id);
    if (topic === undefined) topics.set(id, (topic = topicFor(destination.topicRule, { database: opts.database, schema: e.schema, table: e.table })));
    return topic;
  };

  const partitionOf = (event: ChangeEvent, topic: string, key: string | null): number => {
    if (destination.partitionPolicy === 'partition-0' || key === null) return 0; // no key: partition 0 keeps one order
    const hashed = destination.partitionPolicy === 'hash-db-table' ? `${opts.database}.${event.schema}.${event.table}` : key;
    // kafkajs's DefaultPartitioner is Java's murmur2, so keys land where a Java producer would put them
    return hashPartitioner({ topic, partitionMetadata: partitions.get(topic) ?? [], message: { key: hashed, value: null } });
  };

  const toMessages = (event: ChangeEvent, nowMs: number): { topic: string; messages: Message[] } => {
    const topic = topicOf(event);
    const key = renderKey(event);
    const partition = partitionOf(event, topic, key);
    const headers = { 'tributary.idempotency-key': `${event.commitLsn}:${event.index}` };
    const messages: Message[] = [{ key, value: renderValue(event, meta, nowMs), partition, headers }];
    // A tombstone lets log compaction drop the key (Debezium's tombstones.on.delete).
    if (event.op === 'd' && destination.tombstonesOnDelete && key !== null) messages.push({ key, value: null, partition, headers });
    return { topic, messages };
  };

  const send = async (topicMessages: TopicMessages[]) => {
    try {
      await producer.sendBatch({ topicMessages, acks: -1, compression });
    } catch (err) {
      throw classify(err, 'sink');
    }
  };

  return {
    async prepare(tables) {
      try {
        admin = kafka.admin();
        await admin.connect();
        await producer.connect();
        const topics = [...new Set(tables.map(topicOf))];
        await admin.createTopics({
          topics: topics.map((topic) => ({ topic, numPartitions: destination.newTopicPartitions })),
          waitForLeaders: true,
        });
        const { topics: described } = await admin.fetchTopicMetadata({ topics });
        for (const t of described) partitions.set(t.name, t.partitions);
      } catch (err) {
        throw classify(err, 'sink');
      }
    },

    async write(events) {
      const nowMs = Date.now();
      let batch = new Map<string, Message[]>();
      let bytes = 0;
      for (const event of events) {
        const { topic, messages } = toMessages(event, nowMs);
        let list = batch.get(topic);
        if (!list) batch.set(topic, (list = []));
        for (const m of messages) {
          list.push(m);
          bytes += (m.value?.length ?? 0) + (m.key?.length ?? 0) + 64;
        }
        if (bytes >= MAX_SEND_BYTES) {
          await send([...batch].map(([topic, messages]) => ({ topic, messages })));
          batch = new Map();
          bytes = 0;
        }
      }
      if (batch.size) await send([...batch].map(([topic, messages]) => ({ topic, messages })));
    },

    async close() {
      // A producer stuck retrying against a dead broker may not settle its disconnect; the process exits anyway.
      const settle = (p: Promise<unknown>) => Promise.race([p.catch(() => undefined), new Promise((r) => setTimeout(r, 5_000).unref())]);
      await settle(producer.disconnect());
      if (admin) await settle(admin.disconnect());
    },
  };
}

function compressionFrom(properties: Record<string, string>): CompressionTypes {
  for (const key of Object.keys(properties)) {
    if (key !== 'properties.compression.type') {
      throw new TributaryError('SinkRejected', `destination.properties: ${key} is not supported by this Kafka client yet; supported: properties.compression.type`);
    }
  }
  const type = properties['properties.compression.type'] ?? 'none';
  if (type === 'none') return CompressionTypes.None;
  if (type === 'gzip') return CompressionTypes.GZIP;
  throw new TributaryError('SinkRejected', `destination.properties: compression.type "${type}" is not supported yet; use "gzip" or "none"`);
}
