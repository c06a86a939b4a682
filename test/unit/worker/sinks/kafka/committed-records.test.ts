import { describe, expect, it } from 'vitest';
import { committedRecords, type FetchedBatch } from '../../../../../worker/sinks/kafka/committed-records.ts';

const TX = 1 << 4;
const CONTROL = 1 << 5;
const data = (offset: bigint, producerId: bigint, value: string, transactional = true): FetchedBatch => ({
  firstOffset: offset, lastOffsetDelta: 0, attributes: transactional ? TX : 0, producerId, records: [{ offsetDelta: 0, key: null, value: Buffer.from(value) }],
});
const marker = (offset: bigint, producerId: bigint, type: 'abort' | 'commit'): FetchedBatch => {
  const key = Buffer.alloc(4);
  key.writeInt16BE(type === 'abort' ? 0 : 1, 2);
  return { firstOffset: offset, lastOffsetDelta: 0, attributes: TX | CONTROL, producerId, records: [{ offsetDelta: 0, key, value: Buffer.alloc(6) }] };
};
const values = (rs: ReturnType<typeof committedRecords>) => rs.map((r) => `${r.offset}:${r.value?.toString()}`);

describe('committedRecords (read_committed, as the Java consumer decides)', () => {
  it('hides every aborted transaction of one producer, not just the last (the client library keeps one range per producer)', () => {
    const batches = [
      data(0n, 7n, 'a1'), marker(1n, 7n, 'abort'),
      data(2n, 7n, 'b1'), marker(3n, 7n, 'commit'),
      data(4n, 7n, 'c1'), data(5n, 7n, 'c2'), marker(6n, 7n, 'abort'),
      data(7n, 7n, 'd1'), marker(8n, 7n, 'commit'),
    ];
    const aborted = [{ producerId: 7n, firstOffset: 0n }, { producerId: 7n, firstOffset: 4n }];
    expect(values(committedRecords(batches, aborted))).toEqual(['2:b1', '7:d1']);
  });

  it('keeps other producers and non-transactional batches, and handles a fetch starting inside an aborted transaction', () => {
    const batches = [data(10n, 7n, 'x'), data(11n, 9n, 'other'), data(12n, 0n, 'plain', false), marker(13n, 7n, 'abort'), data(14n, 7n, 'y'), marker(15n, 7n, 'commit')];
    expect(values(committedRecords(batches, [{ producerId: 7n, firstOffset: 3n }]))).toEqual(['11:other', '12:plain', '14:y']);
    expect(values(committedRecords(batches, null))).toEqual(['10:x', '11:other', '12:plain', '14:y']);
  });

  it('a transaction whose abort marker is beyond the fetched data stays hidden', () => {
    expect(values(committedRecords([data(20n, 7n, 'open')], [{ producerId: 7n, firstOffset: 20n }]))).toEqual([]);
  });
});
