import { describe, expect, it } from 'vitest';
import { streamChanges } from '../../../../worker/stream/stream-changes.ts';
import { createChangeBuilder } from '../../../../worker/stream/change-builder.ts';
import { createCheckpointer } from '../../../../worker/checkpoint/checkpointer.ts';
import type { WalMessage } from '../../../../worker/replication/decoder/stream-decode.ts';
import type { WalItem } from '../../../../worker/replication/wal-stream.ts';
import type { PgoutputMessage } from '../../../../worker/replication/decoder/messages.ts';
import type { ChangeEvent } from '../../../../worker/change-event.ts';
import type { Sink, WriteResult } from '../../../../worker/sinks/sink.ts';
import { waitFor } from '../../../support/wait-for.ts';
import { fakeWal as fakeWalOf } from '../../../support/fake-wal.ts';

// The stream loop with a transactional sink: a write resolving is not yet
// delivery; only a Kafka commit at a source-commit boundary is, and only then
// may the checkpointer save and acknowledge.

type Item = WalItem<WalMessage>;


/** Writes and commits resolve when the test says so; `log` shows their order. */
function fakeTransactionalSink() {
  const writes: Array<{ events: ChangeEvent[]; resolve(): void }> = [];
  const commits: Array<{ lsn: bigint; resolve(): void; reject(e: unknown): void }> = [];
  const log: string[] = [];
  const sink: Sink = {
    prepare: async () => undefined,
    write: (events) => new Promise<WriteResult>((resolve) => {
      log.push(`write ${events.map((e) => (e.after as { id: number }).id).join(',')}`);
      writes.push({ events, resolve: () => resolve({ bytes: 0 }) });
    }),
    commit: (position) => new Promise<void>((resolve, reject) => {
      log.push(`commit ${position.lsn.toString(16)}`);
      commits.push({ lsn: position.lsn, resolve, reject });
    }),
    close: async () => undefined,
  };
  return { sink, writes, commits, log };
}

const data = (walStart: bigint, message: PgoutputMessage): Item => ({ kind: 'data', walStart, message });
const keepalive = (walEnd: bigint): Item => ({ kind: 'keepalive', walEnd, replyRequested: false });
const RELATION = data(0x10n, { tag: 'relation', relationId: 1, namespace: 'public', name: 't', replicaIdentity: 'd', columns: [{ name: 'id', isKey: true, typeOid: 23, typeMod: -1 }] });
const OTHER = data(0x10n, { tag: 'relation', relationId: 2, namespace: 'public', name: 'other', replicaIdentity: 'd', columns: [{ name: 'id', isKey: true, typeOid: 23, typeMod: -1 }] });
const begin = (xid: number, end: bigint) => data(end - 0x100n, { tag: 'begin', xid, finalLsn: end - 8n, commitTime: 0n, commitTimeMs: 0 });
const insert = (id: number, at: bigint, relationId = 1) => data(at, { tag: 'insert', relationId, new: [String(id)] });
const commitOf = (end: bigint) => data(end - 8n, { tag: 'commit', flags: 0, commitLsn: end - 8n, endLsn: end, commitTime: 0n, commitTimeMs: 0 });
const tx = (xid: number, end: bigint, ids: number[], relationId = 1): Item[] => [begin(xid, end), ...ids.map((id, i) => insert(id, end - 0x80n + BigInt(i), relationId)), commitOf(end)];

function harness(opts: { maxBatch?: number; commitIntervalMs?: number } = {}) {
  const w = fakeWalOf<WalMessage>();
  const s = fakeTransactionalSink();
  const saved: bigint[] = [];
  const checkpointer = createCheckpointer({ startLsn: 0x1n, save: async (lsn) => void saved.push(lsn), ack: w.wal.ack, onError: (e) => { throw e; }, intervalMs: 3_600_000 });
  const controller = new AbortController();
  const builder = createChangeBuilder([{ schema: 'public', table: 't', operations: ['INSERT', 'UPDATE', 'DELETE'], primaryKey: ['id'] }]);
  const run = streamChanges({
    wal: w.wal, builder, sink: s.sink, checkpointer, signal: controller.signal, maxBatch: opts.maxBatch,
    commit: (lsn) => s.sink.commit!({ lsn }), commitIntervalMs: opts.commitIntervalMs ?? 0,
  });
  run.catch(() => undefined);
  w.push(RELATION, OTHER);
  const checkpoint = async () => { await checkpointer.flush(); return checkpointer.ackedLsn; };
  const settle = async (what: 'write' | 'commit', n: number) => {
    const list = what === 'write' ? s.writes : s.commits;
    await waitFor(`${what} ${n + 1}`, () => list.length > n, 2000, 1);
    list[n].resolve();
  };
  return { ...w, ...s, saved, controller, run, checkpoint, settle };
}

describe('streamChanges, exactly-once', () => {
  it('hands a commit to the checkpointer only after the Kafka commit holding it', async () => {
    const h = harness();
    h.push(...tx(100, 0x1000n, [1, 2]));
    await h.settle('write', 0);
    await waitFor('commit asked', () => h.commits.length === 1, 2000, 1);
    expect(await h.checkpoint()).toBe(0x1n); // written, not committed: not delivered
    expect(h.saved).toEqual([]);
    h.commits[0].resolve();
    await waitFor('delivered', async () => (await h.checkpoint()) === 0x1000n, 2000, 1);
    expect(h.acks).toEqual([0x1000n]);
    expect(h.log).toEqual(['write 1,2', 'commit 1000']);
    h.controller.abort();
    await h.run;
  });

  it('cuts batches at source commits: an open transaction waits, unless it alone fills a batch', async () => {
    const h = harness({ maxBatch: 3 });
    h.push(...tx(100, 0x1000n, [1]), begin(101, 0x2000n), insert(2, 0x1f00n)); // tx 101 still open
    await h.settle('write', 0);
    expect(h.writes[0].events.map((e) => e.after)).toEqual([{ id: 1 }]);
    await h.settle('commit', 0);
    await waitFor('delivered', async () => (await h.checkpoint()) === 0x1000n, 2000, 1);
    // tx 101 grows past maxBatch: written in pieces, not committed while open
    h.push(insert(3, 0x1f01n), insert(4, 0x1f02n));
    await h.settle('write', 1);
    expect(h.writes[1].events.map((e) => e.after)).toEqual([{ id: 2 }, { id: 3 }, { id: 4 }]);
    h.push(keepalive(0x1f80n));
    await waitFor('keepalive read', h.drained, 2000, 1);
    expect(h.commits).toHaveLength(1);
    expect(await h.checkpoint()).toBe(0x1000n); // the open Kafka transaction pins the position, keepalives included
    h.push(insert(5, 0x1f03n), commitOf(0x2000n));
    await h.settle('write', 2);
    await h.settle('commit', 1);
    await waitFor('delivered', async () => (await h.checkpoint()) === 0x2000n, 2000, 1);
    expect(h.log).toEqual(['write 1', 'commit 1000', 'write 2,3,4', 'write 5', 'commit 2000']);
    h.controller.abort();
    await h.run;
  });

  it('commits at most once per interval, then for what waited, without new data', async () => {
    const h = harness({ commitIntervalMs: 300 });
    h.push(...tx(100, 0x1000n, [1]));
    await h.settle('write', 0);
    await h.settle('commit', 0);
    h.push(...tx(101, 0x2000n, [2]));
    await h.settle('write', 1);
    await waitFor('write 2 settled', () => h.log.length === 3, 2000, 1);
    expect(h.commits).toHaveLength(1); // inside the interval: stays open
    expect(await h.checkpoint()).toBe(0x1000n);
    await h.settle('commit', 1); // the interval passes with no new data: committed anyway
    await waitFor('delivered', async () => (await h.checkpoint()) === 0x2000n, 2000, 1);
    h.controller.abort();
    await h.run;
  });

  it('moves the position without a Kafka transaction when nothing was written since the last commit', async () => {
    const h = harness();
    h.push(...tx(100, 0x1000n, [7], 2)); // only an unselected table: no records
    await h.settle('write', 0);
    await waitFor('delivered', async () => (await h.checkpoint()) === 0x1000n, 2000, 1);
    h.push(keepalive(0x5000n));
    await waitFor('idle keepalive', async () => (await h.checkpoint()) === 0x5000n, 2000, 1);
    expect(h.commits).toEqual([]);
    h.controller.abort();
    await h.run;
  });

  it('on stop commits what ends at a commit and leaves an open transaction to be aborted', async () => {
    const h = harness({ commitIntervalMs: 3_600_000 });
    h.push(...tx(100, 0x1000n, [1]));
    await h.settle('write', 0);
    await h.settle('commit', 0); // the first commit is due at once
    h.push(...tx(101, 0x2000n, [2]), begin(102, 0x3000n), insert(3, 0x2f00n));
    await h.settle('write', 1);
    await waitFor('read', h.drained, 2000, 1);
    h.controller.abort();
    await h.settle('commit', 1);
    await h.run;
    expect(h.log).toEqual(['write 1', 'commit 1000', 'write 2', 'commit 2000']); // tx 102's head never written
    expect(await h.checkpoint()).toBe(0x2000n);
  });

  it('a failed commit (fenced) ends the stream with its error and delivers nothing of it', async () => {
    const h = harness();
    h.push(...tx(100, 0x1000n, [1]));
    await h.settle('write', 0);
    await waitFor('commit asked', () => h.commits.length === 1, 2000, 1);
    const fenced = new Error('PRODUCER_FENCED');
    h.commits[0].reject(fenced);
    await expect(h.run).rejects.toBe(fenced);
    expect(await h.checkpoint()).toBe(0x1n);
    expect(h.saved).toEqual([]);
  });
});
