import { Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { waitFor } from './wait-for.ts';

export type ReadMessage = { topic: string; partition: number; offset: string; key: string | null; value: string | null; headers: Record<string, string> };

// Reads a topic from the beginning with a fresh consumer group until `done`
// says the collected messages are enough, or the deadline passes.
export async function readTopic(brokers: string[], topic: string, done: (msgs: ReadMessage[]) => boolean, timeoutMs = 60_000): Promise<ReadMessage[]> {
  const kafka = new Kafka({ clientId: 'tributary-test-reader', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}`, readUncommitted: false });
  const messages: ReadMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        messages.push({ topic, partition, offset: message.offset, key: message.key?.toString() ?? null, value: message.value?.toString() ?? null, headers });
      },
    });
    await waitFor(`messages on ${topic} (have ${messages.length})`, () => done(messages), timeoutMs, 250);
    return messages;
  } finally {
    await consumer.disconnect();
  }
}

/** Per-partition order is what Kafka guarantees; this puts messages back in (partition, offset) order. */
export function byPartitionOffset(msgs: ReadMessage[]): ReadMessage[] {
  return [...msgs].sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}
