import { beforeRow, keyText, type ChangeEvent } from '../change-event.ts';
import type { ChangeBuilder, BuildResult } from '../stream/change-builder.ts';
import type { Lsn } from '../../shared/lsn.ts';
import type { Chunk } from './chunk-reader.ts';

// The watermark algorithm (DBLog; Debezium's incremental snapshots), on the
// stream's side. For each chunk the reader commits a low watermark (L), reads
// the chunk in its own snapshot S, then commits a high watermark (H), both with
// pg_logical_emit_message, so they arrive in the stream in commit order:
//
//   … T1 … L … T2 … T3 … H … T4 …
//
// Every key that a transaction between L and H changed is dropped from the
// chunk: the stream already carries that key's newer state. The remaining
// rows are emitted as op "r" right at H, in the stream's own order, so a key's
// history stays in commit order and nothing is lost or left stale. A chunk is
// delivered when H's transaction is, and only then checkpointed.
//
// One PostgreSQL subtlety is checked rather than assumed: a transaction's
// commit record is written before it becomes visible, so a transaction that
// committed just before L (or is waiting for a synchronous standby) can still
// be invisible to S. Its changes precede L in the stream, yet the chunk
// misses them: such a chunk (an xid of S's in-progress list seen committing
// before L) is discarded and read again.

export type ChunkOutcome = { kind: 'emitted'; emitted: number; dropped: number } | { kind: 'retry'; reason: string } | { kind: 'closed' };

export type SnapshotWindows = {
  readonly prefix: string;
  /** Registers a chunk before its low watermark is emitted. */
  open(id: string, table: { schema: string; table: string; primaryKey: readonly string[] }): void;
  /** The chunk's rows, before its high watermark is emitted; resolves when the stream has reached that watermark. */
  supply(id: string, chunk: Chunk): Promise<ChunkOutcome>;
  /** Forgets a chunk whose high watermark will not be emitted. */
  cancel(id: string): void;
  /** The change builder with the watermark handling in front of it. */
  wrap(builder: ChangeBuilder): ChangeBuilder;
  /** Ends every wait (the stream stopped). */
  close(): void;
};

type Window = { dirty: Set<string>; truncated: boolean; lowOrdinal: number };
type PendingChunk = {
  id: string;
  tableId: string;
  primaryKey: readonly string[];
  window?: Window;
  chunk?: Chunk;
  resolve?: (o: ChunkOutcome) => void;
};

/** How many recent commits are remembered for the visibility check: far more than can commit between L and S. */
const RECENT_COMMITS = 100_000;

export function createSnapshotWindows(opts: {
  prefix: string;
  /** H's transaction committed at `commitEndLsn`: the chunk is delivered once the checkpointer has it. */
  onChunkCommitted(id: string, commitEndLsn: Lsn): void;
}): SnapshotWindows {
  const chunks = new Map<string, PendingChunk>();
  const openByTable = new Map<string, Set<PendingChunk>>();
  const recent = new Map<number, number>(); // xid → commit ordinal
  const recentOrder: number[] = [];
  let ordinal = 0;
  let tx: { xid: number; commitLsn: Lsn; commitTimeMs: number } | undefined;
  let committedInTx: string[] = [];
  let closed = false;

  const tableKey = (schema: string, table: string) => `${schema}\u0000${table}`;

  const finish = (c: PendingChunk, outcome: ChunkOutcome) => {
    chunks.delete(c.id);
    openByTable.get(c.tableId)?.delete(c);
    c.resolve?.(outcome);
  };

  const keyTextOf = (pk: readonly string[], row: Record<string, unknown> | null): string | undefined => {
    if (!row || pk.some((k) => !(k in row))) return undefined;
    const key: Record<string, unknown> = {};
    for (const k of pk) key[k] = row[k];
    return JSON.stringify(key);
  };

  const markDirty = (events: ChangeEvent[]) => {
    for (const e of events) {
      const open = openByTable.get(tableKey(e.schema, e.table));
      if (!open?.size) continue;
      for (const c of open) {
        const w = c.window!;
        if (e.op === 't') w.truncated = true;
        const key = keyText(e);
        if (key !== undefined) w.dirty.add(key);
        const old = e.op === 'u' ? keyTextOf(c.primaryKey, beforeRow(e)) : undefined; // a primary-key update leaves the old key too
        if (old) w.dirty.add(old);
      }
    }
  };

  const highWatermark = (c: PendingChunk, lsn: Lsn): ChangeEvent[] => {
    const w = c.window;
    const chunk = c.chunk;
    if (!w || !chunk || !tx) {
      finish(c, { kind: 'retry', reason: 'high watermark without its low watermark or rows' });
      return [];
    }
    for (const xid of chunk.snapshot.xip) {
      const committedAt = recent.get(xid);
      if (committedAt !== undefined && committedAt < w.lowOrdinal) {
        finish(c, { kind: 'retry', reason: `transaction ${xid} committed before the low watermark but was not yet visible to the chunk's snapshot` });
        return [];
      }
    }
    const [schema, table] = c.tableId.split('\u0000');
    const events: ChangeEvent[] = [];
    if (!w.truncated) {
      // the stream's key JSON (change-builder.ts) has the same columns in the same order: same text, same key
      const checkDirty = w.dirty.size > 0;
      const json = chunk.json;
      if (json) {
        const { data, spans } = json;
        for (let r = 0; r < json.count; r++) {
          const s = r * 4;
          if (checkDirty && spans[s + 1] >= 0 && w.dirty.has(data.toString('utf8', spans[s], spans[s] + spans[s + 1]))) continue;
          events.push({
            op: 'r', schema, table, key: null, before: null, after: null,
            commitTimeMs: tx.commitTimeMs, txId: tx.xid, lsn, commitLsn: tx.commitLsn, index: events.length, snapshot: true,
            json: { data, keyAt: spans[s], keyLength: spans[s + 1], beforeAt: 0, beforeLength: -1, afterAt: spans[s + 2], afterLength: spans[s + 3] },
          });
        }
      }
      for (const row of chunk.rows) {
        if (checkDirty && w.dirty.has(JSON.stringify(row.key))) continue;
        events.push({
          op: 'r', schema, table, key: row.key, before: null, after: row.after,
          commitTimeMs: tx.commitTimeMs, txId: tx.xid, lsn, commitLsn: tx.commitLsn, index: events.length, snapshot: true,
        });
      }
    }
    committedInTx.push(c.id);
    finish(c, { kind: 'emitted', emitted: events.length, dropped: chunk.count - events.length });
    return events;
  };

  const onMessage = (content: Buffer, lsn: Lsn): ChangeEvent[] => {
    let parsed: { id?: unknown; w?: unknown };
    try {
      parsed = JSON.parse(content.toString('utf8'));
    } catch {
      return [];
    }
    const c = typeof parsed.id === 'string' ? chunks.get(parsed.id) : undefined;
    if (!c) return []; // a watermark of an earlier run, re-read from the slot: its chunk is read again
    if (parsed.w === 'low') {
      c.window = { dirty: new Set(), truncated: false, lowOrdinal: ordinal };
      let set = openByTable.get(c.tableId);
      if (!set) openByTable.set(c.tableId, (set = new Set()));
      set.add(c);
      return [];
    }
    if (parsed.w === 'high') return highWatermark(c, lsn);
    return [];
  };

  const noteCommit = () => {
    if (tx) {
      recent.set(tx.xid, ordinal);
      recentOrder.push(tx.xid);
      if (recentOrder.length > RECENT_COMMITS) recent.delete(recentOrder.shift()!);
    }
    ordinal++;
  };

  return {
    prefix: opts.prefix,
    open(id, t) {
      chunks.set(id, { id, tableId: tableKey(t.schema, t.table), primaryKey: t.primaryKey });
    },
    supply(id, chunk) {
      const c = chunks.get(id);
      if (!c || closed) return Promise.resolve({ kind: 'closed' });
      c.chunk = chunk;
      return new Promise((resolve) => (c.resolve = resolve));
    },
    cancel(id) {
      const c = chunks.get(id);
      if (c) finish(c, { kind: 'closed' });
    },
    close() {
      closed = true;
      for (const c of [...chunks.values()]) finish(c, { kind: 'closed' });
    },
    wrap(builder) {
      return {
        get inTransaction() {
          return builder.inTransaction;
        },
        handle(m, lsn): BuildResult {
          if (m.tag === 'message' && m.prefix === opts.prefix) {
            const events = onMessage(m.content, lsn);
            const inner = builder.handle(m, lsn);
            return events.length ? { ...inner, events: [...inner.events, ...events] } : inner;
          }
          if (m.tag === 'begin') {
            tx = { xid: m.xid, commitLsn: m.finalLsn, commitTimeMs: m.commitTimeMs };
            committedInTx = [];
          }
          const result = builder.handle(m, lsn);
          if (result.events.length && openByTable.size) markDirty(result.events);
          if (m.tag === 'commit') {
            noteCommit();
            if (result.commitEndLsn !== undefined) for (const id of committedInTx) opts.onChunkCommitted(id, result.commitEndLsn);
            committedInTx = [];
            tx = undefined;
          }
          return result;
        },
      };
    },
  };
}
