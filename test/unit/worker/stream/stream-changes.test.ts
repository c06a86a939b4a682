import { describe, expect, it } from 'vitest';
import { streamChanges } from '../../../../worker/stream/stream-changes.ts';
import { createChangeBuilder } from '../../../../worker/stream/change-builder.ts';
import { createCheckpointer } from '../../../../worker/checkpoint/checkpointer.ts';
import type { WalItem } from '../../../../worker/replication/wal-stream.ts';
import type { PgoutputMessage } from '../../../../worker/replication/decoder/messages.ts';
import type { ChangeEvent } from '../../../../worker/change-event.ts';
import type { Sink, WriteResult } from '../../../../worker/sinks/sink.ts';
import { waitFor } from '../../../support/wait-for.ts';
import { fakeWal as fakeWalOf } from '../../../support/fake-wal.ts';
import { createStreamThrottle } from '../../../../worker/stream/stream-throttle.ts';

type Item = WalItem<PgoutputMessage>;


/** A sink whose writes stay pending until the test settles them. */
function fakeSink(writesInFlight?: number) {
  const writes: Array<{ events: ChangeEvent[]; resolve(): void; reject(e: unknown): void }> = [];
  const sink: Sink = {
    writesInFlight,
    prepare: async () => undefined,
    write: (events) => new Promise<WriteResult>((resolve, reject) => void writes.push({ events, resolve: () => resolve({ bytes: events.length * 100 }), reject })),
    close: async () => undefined,
  };
  return { sink, writes };
}

const ALL = ['INSERT', 'UPDATE', 'DELETE'] as const;
const data = (walStart: bigint, message: PgoutputMessage): Item => ({ kind: 'data', walStart, message });
const keepalive = (walEnd: bigint, replyRequested = false): Item => ({ kind: 'keepalive', walEnd, replyRequested });
const RELATIONS: Item[] = [
  data(0x10n, { tag: 'relation', relationId: 1, namespace: 'public', name: 't', replicaIdentity: 'd', columns: [{ name: 'id', isKey: true, typeOid: 23, typeMod: -1 }] }),
  data(0x10n, { tag: 'relation', relationId: 2, namespace: 'public', name: 'other', replicaIdentity: 'd', columns: [{ name: 'id', isKey: true, typeOid: 23, typeMod: -1 }] }),
];
/** One transaction of inserts into `t` (relation 1) with ids `ids`, committing at `end` (its end LSN). */
const tx = (xid: number, end: bigint, ids: number[], relationId = 1): Item[] => [
  data(end - 0x100n, { tag: 'begin', xid, finalLsn: end - 8n, commitTime: 0n, commitTimeMs: 0 }),
  ...ids.map((id, i) => data(end - 0x80n + BigInt(i), { tag: 'insert', relationId, new: [String(id)] })),
  data(end - 8n, { tag: 'commit', flags: 0, commitLsn: end - 8n, endLsn: end, commitTime: 0n, commitTimeMs: 0 }),
];

function harness(opts: { abortFirst?: boolean; writesInFlight?: number; maxBatch?: number; maxBatchBytes?: number; rowsPerSecond?: number } = {}) {
  const w = fakeWalOf<PgoutputMessage>();
  const s = fakeSink(opts.writesInFlight);
  const saved: bigint[] = [];
  const checkpointer = createCheckpointer({ startLsn: 0x1n, save: async (lsn) => void saved.push(lsn), ack: w.wal.ack, onError: (e) => { throw e; }, intervalMs: 3_600_000 });
  const controller = new AbortController();
  if (opts.abortFirst) controller.abort();
  const builder = createChangeBuilder([{ schema: 'public', table: 't', operations: ALL, primaryKey: ['id'] }]);
  const run = streamChanges({ wal: w.wal, builder, sink: s.sink, checkpointer, signal: controller.signal, maxBatch: opts.maxBatch, maxBatchBytes: opts.maxBatchBytes, throttle: createStreamThrottle(opts.rowsPerSecond ? { rowsPerSecond: opts.rowsPerSecond } : undefined) });
  run.catch(() => undefined); // observed by the tests that expect a failure
  w.push(...RELATIONS);
  /** Flushes, then returns the acknowledged LSN: what the checkpointer had been told so far. */
  const checkpoint = async () => { await checkpointer.flush(); return checkpointer.ackedLsn; };
  const writeCount = (n: number) => waitFor(`${n} sink writes`, () => s.writes.length >= n, 2000, 1);
  return { ...w, ...s, saved, checkpointer, controller, run, checkpoint, writeCount };
}

describe('streamChanges', () => {
  it('tells the checkpointer a commit only after the sink resolved the write holding it', async () => {
    const h = harness();
    h.push(...tx(100, 0x1000n, [1, 2]));
    await h.writeCount(1);
    expect(h.writes[0].events.map((e) => e.after)).toEqual([{ id: 1 }, { id: 2 }]);
    h.push(...tx(101, 0x2000n, [3])); // accumulates while the first write is in flight
    await waitFor('batch read', h.drained, 2000, 1);
    expect(await h.checkpoint()).toBe(0x1n);
    expect(h.saved).toEqual([]);

    h.writes[0].resolve();
    await h.writeCount(2); // the second transaction goes out once the first is delivered
    expect(await h.checkpoint()).toBe(0x1000n);
    expect(h.acks).toEqual([0x1000n]);
    expect(h.writes[1].events.map((e) => e.after)).toEqual([{ id: 3 }]);

    h.writes[1].resolve();
    await waitFor('second delivered', async () => (await h.checkpoint()) === 0x2000n, 2000, 1);
    expect(h.saved).toEqual([0x1000n, 0x2000n]);
    h.controller.abort();
    await expect(h.run).resolves.toEqual({ events: 3, transactions: 2, bytes: 300 }); // bytes as the sink reported them
  });

  it('a keepalive while idle moves the checkpoint to walEnd and answers a reply request', async () => {
    const h = harness();
    h.push(keepalive(0x5000n, true));
    await waitFor('keepalive handled', () => h.acks.length === 1, 2000, 1);
    expect(h.acks).toEqual([0x1n]); // the reply carries what is acked, not what was just seen
    expect(await h.checkpoint()).toBe(0x5000n);
    h.controller.abort();
    await h.run;
  });

  it('a keepalive does not move the checkpoint while a write is in flight', async () => {
    const h = harness();
    h.push(...tx(100, 0x1000n, [1]));
    await h.writeCount(1);
    h.push(keepalive(0x5000n));
    await waitFor('keepalive read', h.drained, 2000, 1);
    expect(await h.checkpoint()).toBe(0x1n);
    h.writes[0].resolve();
    await waitFor('delivered', async () => (await h.checkpoint()) === 0x1000n, 2000, 1);
    h.controller.abort();
    await h.run;
  });

  it('a keepalive does not move the checkpoint while a transaction is open', async () => {
    const h = harness();
    const open = tx(100, 0x1000n, [1], 2); // changes of an unselected table: nothing to send
    h.push(...open.slice(0, -1), keepalive(0x900n));
    await waitFor('keepalive read', h.drained, 2000, 1);
    expect(await h.checkpoint()).toBe(0x1n);
    expect(h.writes).toEqual([]);
    h.push(open.at(-1)!); // the commit: an empty transaction still reaches the checkpoint through the sink
    await h.writeCount(1);
    expect(h.writes[0].events).toEqual([]);
    h.writes[0].resolve();
    await waitFor('delivered', async () => (await h.checkpoint()) === 0x1000n, 2000, 1);
    h.controller.abort();
    await h.run;
  });

  it('a sink failure ends the loop with that error and checkpoints nothing of it', async () => {
    const h = harness();
    h.push(...tx(100, 0x1000n, [1]));
    await h.writeCount(1);
    const boom = new Error('broker rejected the batch');
    h.writes[0].reject(boom);
    await expect(h.run).rejects.toBe(boom);
    expect(h.closes()).toBeGreaterThan(0);
    expect(await h.checkpoint()).toBe(0x1n);
  });

  it('abort stops the loop after delivering everything already read', async () => {
    const h = harness();
    h.push(...tx(100, 0x1000n, [1]));
    await h.writeCount(1);
    h.push(...tx(101, 0x2000n, [2, 3]));
    await waitFor('batch read', h.drained, 2000, 1);
    h.controller.abort();
    await waitFor('reading stopped', () => h.stops() > 0, 2000, 1);
    // the connection stays open: the checkpointer still has to acknowledge what gets delivered now
    expect(h.closes()).toBe(0);
    expect(h.writes).toHaveLength(1); // the buffered transaction waits for the write in flight
    h.writes[0].resolve();
    await h.writeCount(2);
    h.writes[1].resolve();
    await expect(h.run).resolves.toEqual({ events: 3, transactions: 2, bytes: 300 }); // bytes as the sink reported them
    expect(h.writes.flatMap((w) => w.events.map((e) => e.after))).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    expect(await h.checkpoint()).toBe(0x2000n);
  });

  it('a stop sends nothing of an open transaction: its changes are re-read after the restart, so sending them would duplicate them', async () => {
    const h = harness();
    h.push(...tx(100, 0x1000n, [1]));
    await h.writeCount(1);
    h.push(...tx(101, 0x2000n, [2]), ...tx(102, 0x3000n, [3, 4]).slice(0, 2)); // 102: begin and one insert, no commit
    await waitFor('batch read', h.drained, 2000, 1);
    h.controller.abort();
    h.writes[0].resolve();
    await h.writeCount(2);
    h.writes[1].resolve();
    await expect(h.run).resolves.toMatchObject({ events: 2, transactions: 2 });
    expect(h.writes.flatMap((w) => w.events.map((e) => e.after))).toEqual([{ id: 1 }, { id: 2 }]);
    expect(await h.checkpoint()).toBe(0x2000n);
  });

  // A stop requested during source setup (SIGTERM while "starting") must still stop the loop.
  it('a signal aborted before the loop starts stops it at once', async () => {
    const h = harness({ abortFirst: true });
    await waitFor('reading stopped', () => h.stops() > 0, 300, 5);
    await expect(h.run).resolves.toEqual({ events: 0, transactions: 0, bytes: 0 });
  });

  describe('with a sink that takes two writes at once', () => {
    it('starts the next write while one is in flight, and checkpoints in write order whichever resolves first', async () => {
      const h = harness({ writesInFlight: 2 });
      h.push(...tx(100, 0x1000n, [1]));
      await h.writeCount(1);
      h.push(...tx(101, 0x2000n, [2]));
      await h.writeCount(2); // not waiting for the first
      h.push(...tx(102, 0x3000n, [3]));
      await waitFor('batch read', h.drained, 2000, 1);
      expect(h.writes).toHaveLength(2); // two in flight at most

      h.writes[1].resolve(); // the later write lands first: its commit must wait for the earlier one's
      await new Promise((r) => setTimeout(r, 20));
      expect(await h.checkpoint()).toBe(0x1n);
      expect(h.writes).toHaveLength(2);

      h.writes[0].resolve();
      await waitFor('both delivered', async () => (await h.checkpoint()) === 0x2000n, 2000, 1);
      await h.writeCount(3);
      expect(h.writes[2].events.map((e) => e.after)).toEqual([{ id: 3 }]);
      h.writes[2].resolve();
      await waitFor('third delivered', async () => (await h.checkpoint()) === 0x3000n, 2000, 1);
      h.controller.abort();
      await expect(h.run).resolves.toMatchObject({ events: 3, transactions: 3 });
    });

    it('a failed write delivers nothing after it, even when the write behind it succeeded', async () => {
      const h = harness({ writesInFlight: 2 });
      h.push(...tx(100, 0x1000n, [1]));
      await h.writeCount(1);
      h.push(...tx(101, 0x2000n, [2]));
      await h.writeCount(2);
      h.writes[1].resolve();
      h.writes[0].reject(new Error('broker refused'));
      await expect(h.run).rejects.toThrow('broker refused');
      expect(await h.checkpoint()).toBe(0x1n);
      expect(h.saved).toEqual([]);
    });

    it('holds an open transaction until its commit instead of sending it change by change', async () => {
      const h = harness({ writesInFlight: 2 });
      const open = tx(100, 0x1000n, [1, 2, 3]);
      h.push(...open.slice(0, -1));
      await waitFor('changes read', h.drained, 2000, 1);
      expect(h.writes).toEqual([]);
      h.push(open.at(-1)!);
      await h.writeCount(1);
      expect(h.writes[0].events.map((e) => e.after)).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
      h.writes[0].resolve();
      await waitFor('delivered', async () => (await h.checkpoint()) === 0x1000n, 2000, 1);
      h.controller.abort();
      await h.run;
    });

    it('sends a transaction larger than the buffer in pieces, two in flight, and checkpoints it after the last', async () => {
      const h = harness({ writesInFlight: 2, maxBatch: 2 });
      for (const item of tx(100, 0x1000n, [1, 2, 3, 4, 5])) h.push(item); // a WAL batch per message
      await h.writeCount(2);
      await waitFor('all read', h.drained, 2000, 1);
      expect(h.writes).toHaveLength(2); // the commit's piece waits: two writes are out
      h.writes[0].resolve();
      h.writes[1].resolve();
      await h.writeCount(3);
      h.writes[2].resolve();
      await waitFor('delivered', async () => (await h.checkpoint()) === 0x1000n, 2000, 1);
      expect(h.writes.flatMap((w) => w.events.map((e) => e.after))).toEqual([1, 2, 3, 4, 5].map((id) => ({ id })));
      h.controller.abort();
      await h.run;
    });
  });

  it('a buffer full by bytes is sent before its transaction commits, whatever the count', async () => {
    const h = harness({ maxBatchBytes: 100 });
    const wide = tx(100, 0x1000n, [1, 2, 3]).map((item) => (item.kind === 'data' && item.message.tag === 'insert' ? { ...item, size: 60 } : item));
    for (const item of wide.slice(0, -1)) h.push(item);
    await h.writeCount(1); // two 60-byte changes passed the 100-byte bound
    expect(h.writes[0].events.map((e) => e.after)).toEqual([{ id: 1 }, { id: 2 }]);
    h.writes[0].resolve();
    h.push(wide.at(-1)!);
    await h.writeCount(2);
    h.writes[1].resolve();
    await waitFor('delivered', async () => (await h.checkpoint()) === 0x1000n, 2000, 1);
    h.controller.abort();
    await h.run;
  });

  it('under a throttle, sends an open transaction\'s admitted changes before its commit, so a capped stream arrives evenly', async () => {
    const h = harness({ rowsPerSecond: 100 });
    const ids = Array.from({ length: 60 }, (_, i) => i + 1);
    const open = tx(100, 0x1000n, ids);
    h.push(...open.slice(0, -1)); // no commit yet: without a throttle this would wait in the buffer
    await h.writeCount(1);
    expect(h.writes[0].events.length).toBeLessThan(ids.length);
    h.writes[0].resolve();
    h.push(open.at(-1)!);
    await waitFor('all written', async () => {
      for (const w of h.writes) w.resolve();
      return h.writes.flatMap((w) => w.events).length === ids.length;
    }, 5000, 5);
    await waitFor('delivered', async () => {
      for (const w of h.writes) w.resolve(); // the commit may follow the last change in a write of its own
      return (await h.checkpoint()) === 0x1000n;
    }, 5000, 1);
    h.controller.abort();
    await h.run;
  });
});
