import type { Lsn } from '../shared/lsn.ts';

// A change event: one row change of one table, as the stream and the snapshot
// produce it and every sink consumes it. It carries no WAL framing and no
// Kafka framing, so decoder and sinks stay independent of each other.
export type Row = Record<string, unknown>;

export type ChangeEvent = {
  /** Debezium's row operations, plus 'ddl' for a captured schema change (sinks route it apart). */
  op: 'c' | 'u' | 'd' | 'r' | 't' | 'ddl';
  schema: string;
  table: string;
  /** Primary-key (or replica-identity) columns; null for a table without one. */
  key: Row | null;
  before: Row | null;
  after: Row | null;
  /** Commit time of the transaction, ms since the epoch. */
  commitTimeMs: number;
  txId: number | null;
  /** LSN of the change itself and of its transaction's commit. */
  lsn: Lsn;
  commitLsn: Lsn;
  /** Position within the transaction: commitLsn + index is unique per change (the idempotency key). */
  index: number;
  snapshot: boolean;
  /** Columns left out because PostgreSQL sent "unchanged TOAST" and the old value is unknown. */
  unchanged?: string[];
  /** For op 'ddl': the command as the event trigger saw it. */
  ddl?: SchemaChange;
};

export type SchemaChange = { commandTag: string; objectType: string; schema: string | null; identity: string; statement: string };
