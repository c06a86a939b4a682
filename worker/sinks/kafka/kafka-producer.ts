import { Admin, type MessageToProduce } from '@platformatic/kafka';
import type { KafkaDestination } from '../../../shared/job/job-spec.ts';
import { classify, flatten } from '../../../shared/errors/classify.ts';
import { TributaryError } from '../../../shared/errors/tributary-error.ts';
import { FastProducer, OUT_OF_SEQUENCE } from './fast-producer.ts';
import { SendWindow } from './send-window.ts';
import { producerSettings } from './producer-settings.ts';
import { kafkaClientBase } from './kafka-client-base.ts';
import { BatchRecord, type RecordBatch } from './record-batch.ts';
import { DEFAULT_TRANSACTION_TIMEOUT_MS, FRESH_PRODUCER, encodePosition, POSITION_TOPIC_CONFIGS, positionTopicOf, transactionalIdOf, type KafkaPosition } from './kafka-position.ts';

export type KafkaProducerOptions = {
  destination: KafkaDestination;
  clientId: string;
  /** Names the exactly-once transactional id and position topic. */
  jobId: string;
};

/** The producing half of the Kafka sink: what runs on the producer thread. */
export interface KafkaProducerSide {
  /** Creates missing topics; answers each topic's partition count. */
  prepare(topics: string[]): Promise<Record<string, number>>;
  /**
   * Resolves once every record is acknowledged by the brokers (acks=all).
   * Writes may overlap: a later call's records are issued after this one's,
   * and `onIssued` says when all of this one's are (the next may go).
   */
  send(batch: RecordBatch, onIssued?: () => void): Promise<void>;
  commit(position: KafkaPosition): Promise<void>;
  close(): Promise<void>;
}

// A broker rejects a record batch over max.message.bytes (1 MB by default) and
// a partition's share of one send is one batch, so sends are split below that.
const MAX_SEND_BYTES = 768 * 1024;
// Sends in flight at once (send-window.ts), whichever writes they belong to: 3 × 768 KiB bounds the memory they hold.
const SEND_WINDOW = 3;

// Values are BatchRecords (record-batch.ts): the client passes them through unserialized to the Produce encoder.
type Message = MessageToProduce<Buffer, Buffer | BatchRecord, string, Buffer>;

// On @platformatic/kafka (4.4× kafkajs's throughput on the same records:
// bench/kafka-clients.ts), with the Produce request encoded by hand
// (fast-producer.ts). The producer is idempotent (acks=all), so its retries
// can neither duplicate nor reorder a partition; it retries without limit, and
// a long stall is reported by the stream loop rather than abandoned (see
// ARCHITECTURE.md §6).
//
// Exactly-once: the producer is transactional (id `tributary-<job>`, stable,
// so a newer worker fences this one). Sends go into an open Kafka
// transaction; `commit` adds the position record and commits, so a
// read_committed consumer sees the records exactly when the position moves
// past them. `close` aborts what was not committed.
export function createKafkaProducer(opts: KafkaProducerOptions): KafkaProducerSide {
  const { destination } = opts;
  const settings = producerSettings(destination.properties);
  const exactlyOnce = destination.deliveryGuarantee === 'exactly-once';
  const base = kafkaClientBase(opts);
  const positionTopic = positionTopicOf(opts.jobId);
  let producer: FastProducer<Buffer, Buffer | BatchRecord, string, Buffer> | undefined;
  let tx: Awaited<ReturnType<FastProducer<Buffer, Buffer | BatchRecord, string, Buffer>['beginTransaction']>> | undefined;
  let admin: Admin | undefined;
  let initialised = false; // the producer's first send initialises it (InitProducerId): nothing may run beside it
  const txPartitions = new Set<string>(); // exactly-once: partitions already added to the open Kafka transaction
  const window = new SendWindow(SEND_WINDOW);
  let issuing = Promise.resolve(); // the previous write's sends are all issued

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
    async prepare(wanted) {
      try {
        admin = new Admin(base);
        const existing = new Set(await admin.listTopics());
        const missing = wanted.filter((t) => !existing.has(t));
        if (missing.length) await admin.createTopics({ topics: missing, partitions: destination.newTopicPartitions, replicas: -1 });
        if (exactlyOnce && !existing.has(positionTopic)) {
          await admin.createTopics({ topics: [positionTopic], partitions: 1, replicas: -1, configs: POSITION_TOPIC_CONFIGS }).catch((err) => {
            if (!flatten(err).some((n) => n.apiId === 'TOPIC_ALREADY_EXISTS')) throw err; // a racing worker of the same job created it
          });
        }
        const metadata = await admin.metadata({ topics: wanted, forceUpdate: true });
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
        return Object.fromEntries(wanted.map((t) => [t, metadata.topics.get(t)?.partitionsCount ?? 1]));
      } catch (err) {
        throw classify(err, 'sink');
      }
    },

    async send(batch, onIssued) {
      // A write's sends are all issued before the next write's: its records stay ahead of them on every partition.
      const turn = issuing;
      let release!: () => void;
      issuing = new Promise<void>((r) => (release = r));
      const mine: Promise<void>[] = [];
      try {
        await turn;
        let messages: Message[] = [];
        let bytes = 0;
        for (let i = 0; i < batch.count; i++) {
          messages.push({ topic: batch.topics[batch.topic[i]], partition: batch.partition[i], value: new BatchRecord(batch, i) });
          bytes += Math.max(batch.spans[i * 6 + 1], 0) + Math.max(batch.spans[i * 6 + 3], 0) + 64;
          if (bytes >= MAX_SEND_BYTES) {
            const full = messages;
            mine.push((await window.add(() => send(full), mustRunAlone(full))).done);
            messages = [];
            bytes = 0;
          }
        }
        if (messages.length) mine.push((await window.add(() => send(messages), mustRunAlone(messages))).done);
      } finally {
        release();
        onIssued?.();
      }
      await Promise.all(mine);
      window.check();
    },

    async commit(position) {
      if (!exactlyOnce) throw new Error('commit() is for exactly-once sinks: an at-least-once producer has no transaction');
      try {
        await window.drain(); // the position never goes ahead of the records it covers
        tx ??= await producer!.beginTransaction();
        await tx.send({ messages: [{ topic: positionTopic, partition: 0, key: Buffer.from(opts.jobId), value: Buffer.from(encodePosition(position)) }] });
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

/** A batch refused because an earlier one failed (fast-producer.ts) is worth a restart from the checkpoint, not a retry in place. */
function sinkError(err: unknown) {
  if (flatten(err).some((n) => n.code === OUT_OF_SEQUENCE)) {
    return new TributaryError('SinkUnreachable', 'Kafka refused a batch out of sequence after an earlier batch failed; the stream resumes from its last checkpoint (nothing is skipped, order holds)', { cause: err });
  }
  return classify(err, 'sink');
}
