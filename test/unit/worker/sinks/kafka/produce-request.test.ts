import { describe, expect, it } from 'vitest';
import { jsCRC32C, NumericMap, produceV11, Reader, readRecordsBatch } from '@platformatic/kafka';
import { encodeProduceRequest, type ProduceMessage } from '../../../../../worker/sinks/kafka/produce-request.ts';
import { BatchRecord, IDEMPOTENCY_HEADER, type RecordBatch } from '../../../../../worker/sinks/kafka/record-batch.ts';

const NOW = 1_795_416_057_777;

// Each message twice: as the sink hands it over (strings) and as the client's own encoder wants it (Buffers).
const messages = (): ProduceMessage[] => [
  { topic: 'shop.public.orders', partition: 2, key: '{"id":1}', value: '{"after":{"note":"é ✓ 𝄞"}}', headers: new Map([['tributary.idempotency-key', '0/16B3748:0']]) },
  { topic: 'shop.public.orders', partition: 0, key: '{"id":2}', value: 'x'.repeat(300), headers: new Map([['tributary.idempotency-key', '0/16B3748:1']]) },
  { topic: 'shop.public.orders', partition: 2, key: '{"id":1}', value: null, headers: new Map([['h', null]]) },
  { topic: 'shop.schema-changes', partition: 0, key: null, value: '{"ddl":"ALTER TABLE"}' },
  { topic: 'shop.public.orders', partition: 2, key: Buffer.from('{"id":3}'), value: Buffer.from('{}'), headers: new Map() },
];
const asBuffers = (m: ProduceMessage) => ({
  topic: m.topic, partition: m.partition, timestamp: BigInt(NOW),
  key: typeof m.key === 'string' ? Buffer.from(m.key) : (m.key ?? undefined),
  value: typeof m.value === 'string' ? Buffer.from(m.value) : (m.value ?? undefined),
  headers: new Map([...(m.headers ?? [])].map(([k, v]) => [Buffer.from(k), typeof v === 'string' ? Buffer.from(v) : v])),
});

describe('Produce request encoding', () => {
  for (const [name, options] of [
    ['idempotent', { producerId: 4711n, producerEpoch: 3, sequences: new NumericMap([['shop.public.orders:2', 42], ['shop.public.orders:0', 7]]) }],
    ['transactional', { producerId: 9n, producerEpoch: 1, sequences: new NumericMap([['shop.schema-changes:0', 5]]), transactionalId: 'tributary-job-1' }],
    ['plain', {}],
  ] as const) {
    it(`writes the same bytes as the client's own encoder (${name})`, () => {
      const ours = encodeProduceRequest(-1, 30_000, messages(), options, NOW);
      const theirs = produceV11.createRequest(-1, 30_000, messages().map(asBuffers) as never, options as never).buffer;
      expect(ours.equals(theirs)).toBe(true);
    });
  }

  it('writes a BatchRecord as the same bytes as its key, value and idempotency header handed over one by one', () => {
    const records: Array<[topic: string, partition: number, key: string | null, value: string | null, id: string]> = [
      ['shop.public.orders', 2, '{"id":1}', '{"after":{"note":"é ✓ 𝄞"}}', '0/16B3748:0'],
      ['shop.public.orders', 0, '{"id":2}', 'x'.repeat(300), '0/16B3748:1'],
      ['shop.public.orders', 2, '{"id":1}', null, '0/16B3748:1'], // a tombstone
      ['shop.public.items', 1, null, '{"after":{}}', '0/16B3748:2'], // no key
    ];
    const spans = new Int32Array(records.length * 6);
    const parts: Buffer[] = [Buffer.from('unrelated bytes first')];
    let at = parts[0].length;
    records.forEach(([, , ...texts], i) => texts.forEach((t, slot) => {
      spans[i * 6 + slot * 2] = t === null ? 0 : at;
      spans[i * 6 + slot * 2 + 1] = t === null ? -1 : Buffer.byteLength(t);
      if (t !== null) parts.push(Buffer.from(t));
      at += t === null ? 0 : Buffer.byteLength(t);
    }));
    const batch: RecordBatch = { count: records.length, topics: [], topic: new Uint16Array(), partition: new Int32Array(), spans, data: Buffer.concat(parts), bytes: 0 };
    const viaBatch: ProduceMessage[] = records.map(([topic, partition], i) => ({ topic, partition, value: new BatchRecord(batch, i) }));
    const oneByOne: ProduceMessage[] = records.map(([topic, partition, key, value, id]) => ({ topic, partition, key, value, headers: new Map([[IDEMPOTENCY_HEADER, id]]) }));
    const options = { producerId: 4711n, producerEpoch: 3, sequences: new NumericMap([['shop.public.orders:2', 42]]) };
    expect(encodeProduceRequest(-1, 30_000, viaBatch, options, NOW).equals(encodeProduceRequest(-1, 30_000, oneByOne, options, NOW))).toBe(true);
  });

  it('keeps order within a partition and reads back with a valid CRC', () => {
    const buf = encodeProduceRequest(-1, 1000, messages(), { producerId: 1n, producerEpoch: 0, sequences: new NumericMap() }, NOW);
    const r = Reader.from(buf);
    r.readNullableString(); // transactional id
    r.readInt16();
    r.readInt32();
    const topics = r.readArray((t) => {
      const topic = t.readString();
      const partitions = t.readArray((p) => {
        const partition = p.readInt32();
        const size = p.readUnsignedVarInt() - 1;
        const start = p.position;
        const batch = readRecordsBatch(p);
        expect(p.position - start).toBe(size);
        const raw = buf.subarray(start, start + size); // CRC-32C from attributes (byte 21) to the end, stored at byte 17
        expect(jsCRC32C(raw.subarray(21))).toBe(raw.readUInt32BE(17));
        return { partition, batch }; // readArray reads the tagged fields
      });
      return { topic, partitions };
    });
    const orders = topics.find((t) => t.topic === 'shop.public.orders')!;
    const p2 = orders.partitions.find((p) => p.partition === 2)!.batch;
    expect(p2.records.map((rec) => rec.key?.toString())).toEqual(['{"id":1}', '{"id":1}', '{"id":3}']);
    expect(p2.records.map((rec) => rec.offsetDelta)).toEqual([0, 1, 2]);
    expect(p2.records[0].value!.toString()).toBe('{"after":{"note":"é ✓ 𝄞"}}');
    expect(p2.records[1].value).toBeNull();
    expect(p2.lastOffsetDelta).toBe(2);
    expect(p2.firstTimestamp).toBe(BigInt(NOW));
  });

  it('fails loudly rather than send a request whose sizes disagree', () => {
    let reads = 0;
    const lying = { topic: 't', partition: 0, get value() { return ++reads === 1 ? 'short' : 'much longer'; } } as unknown as ProduceMessage;
    expect(() => encodeProduceRequest(-1, 1000, [lying], {}, NOW)).toThrow(/measured/);
  });
});
