import { Kafka, Partitioners, logLevel, CompressionTypes } from 'kafkajs';
import { Producer, stringSerializers } from '@platformatic/kafka';
import { KAFKA_VERSIONS, startKafka } from '../scripts/services/kafka.ts';

// kafkajs vs @platformatic/kafka producing the same Debezium-sized records
// (idempotent, acks=all, keyed, explicit partitions, batches of 2,000) to one
// local broker. Decides which client sits behind the Kafka sink.
const N = Number(process.env.BENCH_MESSAGES ?? 300_000);
const BATCH = 2_000;
const kafka = await startKafka({ version: KAFKA_VERSIONS.current });
const value = (i: number) =>
  `{"before":null,"after":{"id":${i},"account":${i % 1000},"kind":"purchase","amount":"${(i % 10000) / 100}","created_at":"2026-11-23T06:40:57.777224Z","note":"${'x'.repeat(32)}"},"source":{"version":"tributary-0.1.0","connector":"postgresql","name":"bench","ts_ms":1795416057777,"snapshot":false,"db":"bench","sequence":null,"schema":"public","table":"events","txId":742,"lsn":26203064,"xmin":null},"op":"c","ts_ms":1795416057782,"transaction":null}`;
const messages = Array.from({ length: N }, (_, i) => ({ key: `{"id":${i}}`, value: value(i), partition: i % 3 }));
const admin = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).admin();
await admin.connect();
await admin.createTopics({ topics: ['kjs', 'plt'].map((topic) => ({ topic, numPartitions: 3 })), waitForLeaders: true });
await admin.disconnect();

const results: Record<string, number> = {};
{
  const producer = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const t = performance.now();
  for (let i = 0; i < N; i += BATCH) {
    await producer.sendBatch({ topicMessages: [{ topic: 'kjs', messages: messages.slice(i, i + BATCH) }], acks: -1, compression: CompressionTypes.None });
  }
  results.kafkajs = performance.now() - t;
  await producer.disconnect();
}
{
  const producer = new Producer({ clientId: 'bench', bootstrapBrokers: kafka.brokers, serializers: stringSerializers, idempotent: true, acks: -1 });
  const t = performance.now();
  for (let i = 0; i < N; i += BATCH) {
    await producer.send({ messages: messages.slice(i, i + BATCH).map((m) => ({ topic: 'plt', key: m.key, value: m.value, partition: m.partition })) });
  }
  results.platformatic = performance.now() - t;
  await producer.close();
}
await kafka.stop();
for (const [name, ms] of Object.entries(results)) console.log(`${name}: ${Math.round(N / (ms / 1000)).toLocaleString('en-US')} msgs/s (${(ms / 1000).toFixed(1)} s)`);
console.log(`ratio platformatic/kafkajs: ${(results.kafkajs / results.platformatic).toFixed(2)}`);
