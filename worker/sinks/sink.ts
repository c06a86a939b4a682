import type { ChangeEvent } from '../change-event.ts';
import type { TableName } from '../../shared/source/replication-objects.ts';

// The sink seam. A sink knows nothing of WAL: it receives change events in
// commit order and resolves `write` only when every event is durable on the
// destination. The checkpointer relies on exactly that promise.
export interface Sink {
  /** Prepares destinations (topics, tables) for the job's tables. */
  prepare(tables: TableName[]): Promise<void>;
  /** Resolves once every event is durably accepted, in order per key; reports the bytes written (for metering). */
  write(events: ChangeEvent[]): Promise<WriteResult>;
  close(): Promise<void>;
}

export type WriteResult = { bytes: number };
