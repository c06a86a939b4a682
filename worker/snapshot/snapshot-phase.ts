import type pg from 'pg';
import type { JobRecord } from '../../shared/job/job-record.ts';
import { updateJob, type JobStore } from '../../shared/storage/job-store.ts';
import type { Logger } from '../../shared/logger.ts';
import type { Checkpointer } from '../checkpoint/checkpointer.ts';
import type { TypeCatalog } from '../replication/type-catalog.ts';
import type { PreparedSnapshot } from './prepare-snapshot.ts';
import { runSnapshotReaders } from './run-snapshot.ts';
import type { SnapshotWindows } from './snapshot-windows.ts';
import type { ProgressTracker } from './snapshot-progress.ts';
import { createThrottle } from './token-bucket.ts';

// The full phase while the stream runs: readers hand chunks to the stream,
// then the phase waits until the last chunk's position is saved, records
// completion and moves the job to `streaming`.

export const DEFAULT_CHUNK_ROWS = 10_000;

export function snapshotPrefix(jobId: string): string {
  return `tributary.snapshot.${jobId}`;
}

/** Rows per chunk: smaller under a rows/s cap, so one chunk is about a tenth of a second's worth. */
export function chunkRowsFor(job: Pick<JobRecord, 'throttle'>): number {
  const cap = job.throttle?.full?.rowsPerSecond;
  return cap ? Math.max(100, Math.min(DEFAULT_CHUNK_ROWS, Math.floor(cap / 10))) : DEFAULT_CHUNK_ROWS;
}

export function concurrencyOf(job: Pick<JobRecord, 'resources'>): number {
  return Math.max(1, job.resources.cpuCores - 1); // SPEC.md §2: concurrency = cores − 1
}

export async function runSnapshotPhase(opts: {
  job: JobRecord;
  config: pg.ClientConfig;
  prepared: PreparedSnapshot;
  typeCatalog: TypeCatalog;
  windows: SnapshotWindows;
  tracker: ProgressTracker;
  checkpointer: Pick<Checkpointer, 'flush'>;
  store: JobStore;
  /** True when the incremental phase follows. */
  streamAfter: boolean;
  signal: AbortSignal;
  log: Logger;
}): Promise<boolean> {
  const { job, prepared, tracker, log, signal } = opts;
  const started = Date.now();
  const finished = await runSnapshotReaders({
    config: opts.config,
    progress: prepared.progress,
    shapes: prepared.shapes,
    typeCatalog: opts.typeCatalog,
    windows: opts.windows,
    tracker,
    throttle: createThrottle(job.throttle?.full),
    concurrency: concurrencyOf(job),
    chunkRows: chunkRowsFor(job),
    rawValues: job.destination.type === 'postgresql',
    signal,
    log,
  });
  if (!finished) return false;
  // must: completion is recorded only once the last chunk's position is saved (its rows are in the sink)
  while (tracker.unsaved > 0) {
    if (signal.aborted) return false;
    await opts.checkpointer.flush();
    if (tracker.unsaved > 0) await new Promise((r) => setTimeout(r, 100));
  }
  const progress = tracker.complete();
  await updateJob(opts.store, job.id, (j) => ({ snapshot: progress, ...(j.status === 'snapshotting' && opts.streamAfter ? { status: 'streaming' as const } : {}) }));
  log.info('snapshot complete', {
    rows: progress.rowsDone,
    seconds: Math.round((Date.now() - started) / 100) / 10,
    tables: progress.tables.map((t) => ({ table: `${t.schema}.${t.table}`, rows: t.rowsDone, chunks: t.chunksDone })),
  });
  return true;
}
