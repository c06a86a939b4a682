import type { ChangeEvent } from '../change-event.ts';
import type { TableName } from '../../shared/source/replication-objects.ts';
import type { Lsn } from '../../shared/lsn.ts';
import type { SnapshotProgress } from '../../shared/job/job-record.ts';

// The sink seam. A sink knows nothing of WAL: it receives change events in
// commit order and resolves `write` only when every event is durable on the
// destination. The checkpointer relies on exactly that promise.
export interface Sink {
  /** Prepares destinations (topics, tables) for the job's tables. */
  prepare(tables: TableName[]): Promise<void>;
  /** Resolves once every event is durably accepted, in order per key; reports the bytes written (for metering). */
  write(events: ChangeEvent[]): Promise<WriteResult>;
  /**
   * Exactly-once sinks only: makes everything written since the last commit
   * visible together with `position`, atomically. Until then writes are not
   * delivered, whatever `write` resolved.
   */
  commit?(position: SinkPosition): Promise<void>;
  /**
   * How many writes may be in flight at once (1 when absent): a later write's
   * events must still land after an earlier one's, whichever resolves first.
   */
  readonly writesInFlight?: number;
  close(): Promise<void>;
}

export type WriteResult = { bytes: number };

/** A position the sink stores with its records (exactly-once): the last source commit's end LSN, and the snapshot progress at it. */
export type SinkPosition = { lsn: Lsn; snapshot?: SnapshotProgress };
