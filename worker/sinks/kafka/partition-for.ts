import { murmur2 } from '@platformatic/kafka';

// Java's DefaultPartitioner: toPositive(murmur2(keyBytes)) % partitions, so a
// key lands where a Java producer (Debezium, Kafka Connect) would put it.
export function javaPartitionFor(key: string | Buffer, partitions: number): number {
  return (murmur2(typeof key === 'string' ? Buffer.from(key) : key, false) & 0x7fffffff) % partitions;
}
