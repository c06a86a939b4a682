import { describe, expect, it } from 'vitest';
import { recordRenderer, spanOf, type RecordBatch } from '../../../../../worker/sinks/kafka/record-batch.ts';
import { renderKey, valueRenderer } from '../../../../../worker/sinks/kafka/debezium-envelope.ts';
import { KafkaDestination } from '../../../../../shared/job/job-spec.ts';
import type { ChangeEvent } from '../../../../../worker/change-event.ts';

const NOW = 1_700_000_123_456;
const meta = { jobName: 'orders-cdc', database: 'shop' };
const destination = KafkaDestination.parse({ type: 'kafka', brokers: ['127.0.0.1:9092'], partitionPolicy: 'hash-primary-key' });

const event = (over: Partial<ChangeEvent> = {}): ChangeEvent => ({
  op: 'c', schema: 'public', table: 'orders',
  key: { id: 7 }, before: null, after: { id: 7, note: 'paid' },
  commitTimeMs: 1_700_000_000_000, txId: 4242, lsn: 0x1000n, commitLsn: 0x2000n, index: 0, snapshot: false,
  ...over,
});

const text = (b: RecordBatch, i: number, slot: 0 | 2 | 4) => spanOf(b, i, slot)?.toString('utf8');

describe('recordRenderer', () => {
  const renderer = recordRenderer({ destination, ...meta });
  renderer.usePartitions({ 'shop.public.orders': 3, 'shop.public.items': 3 });

  it('lays out keys, values and idempotency keys as UTF-8 in one buffer, byte for byte the rendered JSON', () => {
    const events = [
      event(),
      event({ op: 'u', table: 'items', key: { id: 8 }, before: { id: 8, note: 'a' }, after: { id: 8, note: 'zürich ✓ 𝄞' }, index: 1 }),
      event({ op: 'd', key: { id: 7 }, before: { id: 7, note: 'paid' }, after: null, index: 2 }),
    ];
    const batch = renderer.render(events, NOW);
    expect(batch.count).toBe(4); // the delete's tombstone follows it
    const render = valueRenderer(meta);
    for (const [i, e] of [events[0], events[1], events[2]].entries()) {
      expect(text(batch, i, 0)).toBe(renderKey(e));
      expect(text(batch, i, 2)).toBe(render(e, NOW));
      expect(text(batch, i, 4)).toBe(`${e.commitLsn}:${e.index}`);
    }
    expect(text(batch, 3, 0)).toBe(renderKey(events[2]));
    expect(spanOf(batch, 3, 2)).toBeUndefined(); // a tombstone's value is null, not empty
    expect([...batch.topic].map((t) => batch.topics[t])).toEqual(['shop.public.orders', 'shop.public.items', 'shop.public.orders', 'shop.public.orders']);
    expect(batch.partition[3]).toBe(batch.partition[2]);
    const keysAndValues = [0, 1, 2, 3].reduce((n, i) => n + (spanOf(batch, i, 0)?.length ?? 0) + (spanOf(batch, i, 2)?.length ?? 0), 0);
    expect(batch.bytes).toBe(keysAndValues); // metering counts bytes, not characters
  });

  it('renders an event whose rows arrive as JSON bytes exactly as the same event with row objects: key, value, partition, tombstone', () => {
    const asJson = (e: ChangeEvent): ChangeEvent => {
      const parts = [e.key, e.before, e.after].map((r) => (r === null ? null : JSON.stringify(r)));
      const data = Buffer.from(`junk${parts.map((p) => p ?? '').join('')}`); // spans start past other bytes, as in a shared buffer
      let at = 4;
      const span = (p: string | null) => {
        if (p === null) return [0, -1];
        const start = at;
        at += Buffer.byteLength(p);
        return [start, at - start];
      };
      const [k, b, a] = parts.map(span);
      return { ...e, key: null, before: null, after: null, json: { data, keyAt: k[0], keyLength: k[1], beforeAt: b[0], beforeLength: b[1], afterAt: a[0], afterLength: a[1] } };
    };
    const events = [
      event(),
      event({ op: 'r', snapshot: true, key: { id: 9 }, after: { id: 9, note: 'zürich ✓ 𝄞' }, index: 1 }),
      event({ op: 'u', table: 'items', key: { id: 8 }, before: { id: 8, note: 'a' }, after: { id: 8, note: 'b' }, index: 2, lsn: 0x1100n }),
      event({ op: 'd', key: { id: 7 }, before: { id: 7, note: 'paid' }, after: null, index: 3, txId: 4243, commitTimeMs: 1_700_000_000_001 }),
      event({ key: null, after: { n: 1 }, index: 4 }),
    ];
    for (const policy of ['hash-primary-key', 'hash-db-table', 'partition-0'] as const) {
      const r = recordRenderer({ destination: { ...destination, partitionPolicy: policy }, ...meta });
      r.usePartitions({ 'shop.public.orders': 7, 'shop.public.items': 7 });
      const objects = r.render(events, NOW);
      const json = r.render(events.map(asJson), NOW);
      expect(json.count).toBe(objects.count);
      for (let i = 0; i < objects.count; i++) {
        for (const slot of [0, 2, 4] as const) expect(text(json, i, slot), `${policy} record ${i} slot ${slot}`).toBe(text(objects, i, slot));
      }
      expect([...json.partition]).toEqual([...objects.partition]);
      expect(json.bytes).toBe(objects.bytes);
    }
  });

  it('grows its buffer for values far larger than the last batch\'s, without truncating one', () => {
    renderer.render([event()], NOW); // a small batch sizes the next buffer small
    const big = 'é'.repeat(300_000); // 600,000 bytes in UTF-8
    const batch = renderer.render([event({ after: { id: 7, note: big } }), event({ index: 1 })], NOW);
    expect(JSON.parse(text(batch, 0, 2)!).after.note).toBe(big);
    expect(JSON.parse(text(batch, 1, 2)!).after).toEqual({ id: 7, note: 'paid' });
    expect(batch.data.buffer.byteLength).toBeGreaterThanOrEqual(batch.data.length);
  });

  it('owns its buffers, so they can be transferred to the producer thread', () => {
    const batch = renderer.render([event(), event({ index: 1 })], NOW);
    const { port1, port2 } = new MessageChannel();
    const buffers = [batch.data.buffer as ArrayBuffer, batch.spans.buffer as ArrayBuffer];
    port1.postMessage(batch, buffers);
    expect(batch.data.buffer.byteLength).toBe(0); // detached: moved, not copied
    port1.close();
    port2.close();
  });
});
