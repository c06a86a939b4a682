import type { KafkaDestination } from '../../../shared/job/job-spec.ts';
import type { Sink } from '../sink.ts';
import { recordRenderer } from './record-batch.ts';
import type { KafkaProducerSide } from './kafka-producer.ts';
import { threadedKafkaProducer } from './threaded-kafka-producer.ts';

export { kafkaClientBase } from './kafka-client-base.ts';

export type KafkaSinkOptions = {
  destination: KafkaDestination;
  database: string;
  jobName: string;
  clientId: string;
  /** Names the exactly-once transactional id and position topic. */
  jobId: string;
  /** The producer on its own thread (the worker's default); off, it shares the caller's. */
  producerThread?: boolean;
};

// The Kafka sink: change events are rendered (Debezium JSON, topic,
// partition) on the caller's thread and produced by the producing half
// (kafka-producer.ts), by default on a thread of its own. `write` resolves
// when the brokers acknowledged every record; exactly-once sinks make them
// visible with `commit`.
export function createKafkaSink(opts: KafkaSinkOptions): Sink {
  const records = recordRenderer(opts);
  const producerOptions = { destination: opts.destination, clientId: opts.clientId, jobId: opts.jobId };
  // In process, the Kafka client is loaded on first use: a threaded sink's main thread never loads it (~65 MB of RSS).
  let producer: KafkaProducerSide | undefined = opts.producerThread ? threadedKafkaProducer(producerOptions) : undefined;
  return {
    async prepare(tables) {
      producer ??= (await import('./kafka-producer.ts')).createKafkaProducer(producerOptions);
      records.usePartitions(await producer.prepare(records.topicsFor(tables)));
    },
    async write(events) {
      const batch = records.render(events, Date.now());
      await producer!.send(batch);
      return { bytes: batch.bytes };
    },
    ...(opts.destination.deliveryGuarantee === 'exactly-once' ? { commit: (position) => producer!.commit(position) } : {}),
    // The producer issues each write's records after the last one's (kafka-producer.ts): the next write renders while this one is produced.
    writesInFlight: 2,
    close: async () => producer?.close(),
  };
}
