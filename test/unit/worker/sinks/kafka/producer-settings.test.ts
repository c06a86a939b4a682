import { describe, it, expect } from 'vitest';
import { Partitioners } from 'kafkajs';
import { producerSettings } from '../../../../../worker/sinks/kafka/producer-settings.ts';
import { javaPartitionFor } from '../../../../../worker/sinks/kafka/partition-for.ts';

describe('producer settings from properties.*', () => {
  it('maps compression, timeouts and client id', () => {
    expect(producerSettings({ 'properties.compression.type': 'lz4', 'properties.request.timeout.ms': '5000', 'properties.retry.backoff.ms': '200', 'properties.client.id': 'cdc' }))
      .toEqual({ compression: 'lz4', timeoutMs: 5000, retryDelayMs: 200, clientId: 'cdc' });
    expect(producerSettings({ 'properties.compression.type': 'none' })).toEqual({});
    expect(producerSettings({ 'properties.transaction.timeout.ms': '300000' })).toEqual({ transactionTimeoutMs: 300_000 });
  });

  it('refuses what would weaken delivery or is unknown, naming the field and what is supported', () => {
    expect(() => producerSettings({ 'properties.acks': '1' })).toThrow(/destination\.properties\["properties\.acks"\] is not supported; supported: .*compression\.type.*acks, idempotence and in-flight limits are fixed/);
    expect(() => producerSettings({ 'properties.compression.type': 'brotli' })).toThrow(/"brotli" is not one of none, gzip, snappy, lz4, zstd/);
    expect(() => producerSettings({ 'properties.request.timeout.ms': 'soon' })).toThrow(/whole number of milliseconds/);
  });
});

describe('partition for a key', () => {
  it("matches Java's DefaultPartitioner (as kafkajs implements it) for many keys and partition counts", () => {
    const java = Partitioners.DefaultPartitioner();
    for (const partitions of [1, 3, 7, 12]) {
      const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
      for (let i = 0; i < 500; i++) {
        const key = JSON.stringify({ id: i * 7919, tenant: `t${i % 13}` });
        expect(javaPartitionFor(key, partitions)).toBe(java({ topic: 't', partitionMetadata, message: { key, value: null } }));
        // every length mod 4, non-ASCII text (hashed as UTF-8 bytes), and Buffers
        for (const other of [key.slice(0, i % 9), `{"name":"${'é✓𝄞'.slice(0, 1 + (i % 4))}${i}"}`]) {
          const expected = java({ topic: 't', partitionMetadata, message: { key: other, value: null } });
          expect(javaPartitionFor(other, partitions)).toBe(expected);
          expect(javaPartitionFor(Buffer.from(other), partitions)).toBe(expected);
        }
      }
    }
  });
});
