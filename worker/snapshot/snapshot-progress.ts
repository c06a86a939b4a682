import type { SnapshotProgress } from '../../shared/job/job-record.ts';
import type { Lsn } from '../../shared/lsn.ts';

// Per-chunk checkpoints of the snapshot. A chunk counts as done only when the
// position saved with the job (ackedLsn) has passed its high watermark's
// commit: then its rows are in the sink, and a restarted worker continues
// each segment after the last key of its last done chunk.

export type ChunkRef = { table: number; segment: number; lastKey?: string[]; last: boolean; rows: number };

export type ProgressTracker = {
  /** A chunk whose rows travel with its high watermark (committed later). */
  register(id: string, ref: ChunkRef): void;
  /** The high watermark's transaction ends at `lsn`. */
  committed(id: string, lsn: Lsn): void;
  /** A chunk that will not be delivered (read again). */
  forget(id: string): void;
  /** A segment has no rows left: done with its last pending chunk, or at the next save if none is pending. */
  exhausted(table: number, segment: number): void;
  /** Applies every chunk delivered at or before `savedLsn`; the result is what is saved with that position. */
  at(savedLsn: Lsn): SnapshotProgress;
  /** What `at(lsn)` will return, without applying anything: stored with a position before it is saved (exactly-once). */
  preview(lsn: Lsn): SnapshotProgress;
  /** Chunks read but not yet saved. */
  readonly unsaved: number;
  complete(): SnapshotProgress;
};

export function createProgressTracker(progress: SnapshotProgress, now: () => number = Date.now): ProgressTracker {
  const pending = new Map<string, ChunkRef & { lsn?: Lsn }>();
  const startedAt = now();
  const rowsAtStart = progress.rowsDone;

  const apply = (ref: ChunkRef, target: SnapshotProgress = progress) => {
    const table = target.tables[ref.table];
    const segment = table.segments[ref.segment];
    if (ref.lastKey) segment.after = ref.lastKey;
    if (ref.last) segment.done = true;
    table.rowsDone += ref.rows;
    if (ref.rows > 0) table.chunksDone++;
    table.done = table.segments.every((s) => s.done);
    target.rowsDone += ref.rows;
  };

  const rates = (progress: SnapshotProgress) => {
    const seconds = (now() - startedAt) / 1000;
    const rate = seconds > 0 ? (progress.rowsDone - rowsAtStart) / seconds : 0;
    progress.rowsPerSecond = Math.round(rate);
    const left = progress.tables.reduce((sum, t) => sum + (t.done ? 0 : Math.max(0, (t.estimatedRows ?? t.rowsDone) - t.rowsDone)), 0);
    if (rate > 0) progress.etaSeconds = Math.round(left / rate);
    else delete progress.etaSeconds;
  };

  return {
    register(id, ref) {
      pending.set(id, ref);
    },
    committed(id, lsn) {
      const p = pending.get(id);
      if (p) p.lsn = lsn;
    },
    forget(id) {
      pending.delete(id);
    },
    exhausted(table, segment) {
      // must: a segment is never saved as done before its last chunk is delivered
      for (const p of pending.values()) {
        if (p.table === table && p.segment === segment) {
          p.last = true;
          return;
        }
      }
      apply({ table, segment, last: true, rows: 0 });
    },
    at(savedLsn) {
      for (const [id, p] of pending) {
        if (p.lsn !== undefined && p.lsn <= savedLsn) {
          apply(p);
          pending.delete(id);
        }
      }
      rates(progress);
      return structuredClone(progress);
    },
    preview(lsn) {
      const copy = structuredClone(progress);
      for (const p of pending.values()) if (p.lsn !== undefined && p.lsn <= lsn) apply(p, copy);
      rates(copy);
      return copy;
    },
    get unsaved() {
      return pending.size;
    },
    complete() {
      rates(progress);
      progress.completedAt = new Date(now()).toISOString();
      delete progress.etaSeconds;
      return structuredClone(progress);
    },
  };
}
