import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { streamChanges } from '../../../../worker/stream/stream-changes.ts';
import { createChangeBuilder } from '../../../../worker/stream/change-builder.ts';
import { createCheckpointer } from '../../../../worker/checkpoint/checkpointer.ts';
import { createTransactionSpool } from '../../../../worker/stream/transaction-spool.ts';
import { createStreamDecoder, type WalMessage } from '../../../../worker/replication/decoder/stream-decode.ts';
import { createStreamThrottle } from '../../../../worker/stream/stream-throttle.ts';
import type { WalItem } from '../../../../worker/replication/wal-stream.ts';
import type { ChangeEvent } from '../../../../worker/change-event.ts';
import type { Sink } from '../../../../worker/sinks/sink.ts';
import { bytes, cell } from '../../../support/pgoutput-bytes.ts';
import { waitFor } from '../../../support/wait-for.ts';
import { fakeWal as fakeWalOf } from '../../../support/fake-wal.ts';

// The stream loop with protocol v2 streaming, fed real pgoutput bytes through
// the same decoder the WAL stream uses.

type Item = WalItem<WalMessage>;


const TS = 757_479_845_123_456n;
const relation = (xid?: number) => {
  const b = bytes().tag('R');
  if (xid !== undefined) b.i32(xid);
  return b.i32(1).cstr('public').cstr('t').tag('d').i16(1).u8(1).cstr('id').i32(23).i32(-1).build();
};
const insert = (id: number, xid?: number) => {
  const b = bytes().tag('I');
  if (xid !== undefined) b.i32(xid);
  return b.i32(1).tag('N').tuple([cell.text(String(id))]).build();
};

/** Encodes a script of pgoutput messages into WAL items, walStart = 0x100 + position. */
function script() {
  const decoder = createStreamDecoder();
  const items: Item[] = [];
  let at = 0x100n;
  const push = (buf: Buffer) => items.push({ kind: 'data', walStart: at++, message: decoder.decode(buf), size: buf.length });
  const s = {
    tx(xid: number, ids: number[], commitLsn: bigint) {
      push(bytes().tag('B').i64(commitLsn).i64(TS).i32(xid).build());
      push(relation());
      for (const id of ids) push(insert(id));
      push(bytes().tag('C').u8(0).i64(commitLsn).i64(commitLsn + 8n).i64(TS).build());
      return s;
    },
    /** One segment of streamed transaction `xid`; `changes` are [id, subXid?]. */
    segment(xid: number, first: boolean, changes: Array<number | [number, number]>) {
      push(bytes().tag('S').i32(xid).u8(first ? 1 : 0).build());
      if (first) push(relation(xid));
      for (const c of changes) push(Array.isArray(c) ? insert(c[0], c[1]) : insert(c, xid));
      push(bytes().tag('E').build());
      return s;
    },
    commit(xid: number, commitLsn: bigint) {
      push(bytes().tag('c').i32(xid).u8(0).i64(commitLsn).i64(commitLsn + 8n).i64(TS).build());
      return s;
    },
    abort(xid: number, subXid = xid) {
      push(bytes().tag('A').i32(xid).i32(subXid).build());
      return s;
    },
    keepalive(walEnd: bigint) {
      items.push({ kind: 'keepalive', walEnd, replyRequested: false });
      return s;
    },
    items,
  };
  return s;
}

async function harness(opts: { memoryBytes?: number; spool?: boolean; rowsPerSecond?: number; holdWrites?: boolean } = {}) {
  const w = fakeWalOf<WalMessage>();
  const writes: ChangeEvent[][] = [];
  const pending: Array<() => void> = [];
  const sink: Sink = {
    prepare: async () => undefined,
    write: async (events) => {
      if (opts.holdWrites) await new Promise<void>((r) => pending.push(r));
      writes.push(events);
      return { bytes: 0 };
    },
    close: async () => undefined,
  };
  const checkpointer = createCheckpointer({ startLsn: 0x1n, save: async () => undefined, ack: () => undefined, onError: (e) => { throw e; }, intervalMs: 3_600_000 });
  const controller = new AbortController();
  const dir = join(mkdtempSync(join(tmpdir(), 'stream-test-')), 'job');
  const spool = opts.spool === false ? undefined : await createTransactionSpool({ dir, memoryBytes: opts.memoryBytes ?? 1 << 20, pageBytes: 256 });
  const logs: Array<{ msg: string; fields: Record<string, unknown> }> = [];
  const builder = createChangeBuilder([{ schema: 'public', table: 't', operations: ['INSERT', 'UPDATE', 'DELETE'], primaryKey: ['id'] }]);
  const run = streamChanges({
    wal: w.wal, builder, sink, checkpointer, signal: controller.signal, spool, maxBatch: 7,
    log: { info: (msg: string, fields?: Record<string, unknown>) => void logs.push({ msg, fields: fields ?? {} }) },
    throttle: createStreamThrottle(opts.rowsPerSecond ? { rowsPerSecond: opts.rowsPerSecond } : undefined),
  });
  run.catch(() => undefined);
  const delivered = () => writes.flat().map((e) => (e.after as { id: number }).id);
  const settle = async () => {
    await waitFor('items read', w.drained, 5000, 1);
    await new Promise((r) => setTimeout(r, 20));
    await checkpointer.flush();
  };
  const stop = async () => { controller.abort(); return run; };
  const releaseWrites = () => { for (const r of pending.splice(0)) r(); };
  return { ...w, writes, checkpointer, delivered, settle, stop, run, dir, logs, controller, pending, releaseWrites };
}

describe('streamChanges with streamed transactions (protocol v2+)', () => {
  it('holds streamed changes until Stream Commit and delivers transactions in commit order, interleaved or not', async () => {
    const h = await harness();
    const s = script()
      .segment(500, true, [1, 2])
      .tx(100, [10], 0x1000n) // commits while 500 is in progress: goes first
      .segment(501, true, [20])
      .segment(500, false, [3])
      .keepalive(0x9000n);
    h.push(...s.items);
    await h.settle();
    expect(h.delivered()).toEqual([10]);
    expect(h.checkpointer.ackedLsn).toBe(0x1008n); // the keepalive did not move past the open streamed transactions

    const c = script().commit(501, 0x2000n).commit(500, 0x3000n);
    h.push(...c.items);
    await h.settle();
    expect(h.delivered()).toEqual([10, 20, 1, 2, 3]);
    const events = h.writes.flat();
    const e500 = events.filter((e) => e.txId === 500);
    expect(e500.map((e) => e.index)).toEqual([0, 1, 2]);
    expect(e500.every((e) => e.commitLsn === 0x3000n && e.commitTimeMs === Date.UTC(2024, 0, 2, 3, 4, 5, 123))).toBe(true);
    expect(e500[0].lsn).toBeLessThan(e500[2].lsn); // each change keeps its own WAL position
    expect(h.checkpointer.ackedLsn).toBe(0x3008n); // the commit's end LSN
    await expect(h.stop()).resolves.toMatchObject({ events: 5, transactions: 3 });
    expect(existsSync(h.dir)).toBe(false);
  });

  it('an aborted streamed transaction leaves nothing, and a later keepalive may move the checkpoint again', async () => {
    const h = await harness();
    h.push(...script().segment(600, true, [1, 2]).segment(600, false, [3]).abort(600).keepalive(0x5000n).items);
    await h.settle();
    expect(h.writes.flat()).toEqual([]);
    expect(h.checkpointer.ackedLsn).toBe(0x5000n);
    expect(h.logs.find((l) => l.msg.startsWith('streamed transaction rolled back'))?.fields).toMatchObject({ xid: 600, subXid: 600 });
    await h.stop();
  });

  it('a subtransaction abort (ROLLBACK TO SAVEPOINT) drops only that subtransaction and what it contained', async () => {
    const h = await harness();
    h.push(...script()
      .segment(700, true, [1, [2, 701], [3, 702]])
      .abort(700, 702)
      .segment(700, false, [4, [5, 703]])
      .abort(700, 799) // a subtransaction that sent nothing
      .commit(700, 0x4000n).items);
    await h.settle();
    expect(h.delivered()).toEqual([1, 2, 4, 5]);
    await h.stop();
  });

  it('spills past the memory budget and replays from disk in order; the files are gone after the commit', async () => {
    const h = await harness({ memoryBytes: 1024 });
    const ids = Array.from({ length: 300 }, (_, i) => i + 1);
    h.push(...script().segment(800, true, ids.slice(0, 150)).segment(800, false, ids.slice(150)).items);
    await h.settle();
    expect(readdirSync(h.dir)).toEqual(['800.spill']);
    h.push(...script().commit(800, 0x6000n).items);
    await h.settle();
    expect(h.delivered()).toEqual(ids);
    expect(h.writes.length).toBeGreaterThan(10); // batches went out during the replay, not after it
    expect(readdirSync(h.dir)).toEqual([]);
    const committed = h.logs.find((l) => l.msg === 'streamed transaction committed');
    expect(committed?.fields).toMatchObject({ xid: 800, changes: 301 });
    expect(committed?.fields.spilledBytes).toBeGreaterThan(0);
    await h.stop();
  });

  it('a stop during the replay of a large transaction abandons it: not checkpointed, its files deleted', async () => {
    const h = await harness({ memoryBytes: 1024, holdWrites: true });
    const ids = Array.from({ length: 300 }, (_, i) => i + 1);
    h.push(...script().segment(850, true, ids).commit(850, 0x7000n).items);
    await waitFor('replay under way', () => h.pending.length === 1, 5000, 1);
    h.controller.abort();
    h.releaseWrites();
    const release = setInterval(h.releaseWrites, 1);
    await h.run;
    clearInterval(release);
    expect(h.delivered().length).toBeLessThan(300);
    await h.checkpointer.flush();
    expect(h.checkpointer.ackedLsn).toBe(0x1n);
    expect(existsSync(h.dir)).toBe(false);
  });

  it('a Stream Start without a spool (streaming not negotiated) fails the stream clearly', async () => {
    const h = await harness({ spool: false });
    h.push(...script().segment(900, true, [1]).items);
    await expect(h.run).rejects.toThrow(/pgoutput "streamStart" arrived, but streaming was not negotiated/);
  });

  it('throttle.incremental rows/s: the loop pays per event and sends as it admits', async () => {
    const h = await harness({ rowsPerSecond: 1000 });
    const started = performance.now();
    h.push(...script().tx(1, Array.from({ length: 200 }, (_, i) => i), 0x1000n).segment(2, true, Array.from({ length: 200 }, (_, i) => 1000 + i)).commit(2, 0x2000n).items);
    await waitFor('all delivered', () => h.delivered().length === 400, 5000, 1);
    const elapsed = performance.now() - started;
    // 400 rows at 1,000/s with a 0.1 s burst: at least 0.3 s.
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(h.writes.length).toBeGreaterThan(3);
    await h.stop();
  });
});
