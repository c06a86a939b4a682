// The messages of PostgreSQL's logical replication protocol ("pgoutput"), as
// decoded by pgoutput-decoder.ts. Field meanings follow the PostgreSQL docs,
// "Logical Replication Message Formats" (protocol versions 1-4).
//
// Conventions:
// - LSNs are bigint (shared/lsn.ts). Timestamps are kept exact as bigint
//   microseconds since the PostgreSQL epoch (2000-01-01 00:00:00 UTC), and
//   also given as `...Ms`: unix epoch milliseconds, ready for Debezium's
//   `source.ts_ms`.
// - `xid` on relation/type/insert/update/delete/truncate/message is the
//   streamed transaction's xid: protocol v2 puts it after the tag only between
//   Stream Start and Stream Stop. Outside a stream the key is present with the
//   value undefined (one object shape per tag keeps the hot path monomorphic).
import type { Lsn } from '../../../shared/lsn.ts';
import type { UNCHANGED_TOAST } from './pgoutput-decoder.ts';
import type { RawTuple } from './raw-tuple.ts';

/**
 * One column value of a TupleData:
 * - string: the value in text format (pgoutput's default), decoded as UTF-8;
 * - null: SQL NULL ('n');
 * - UNCHANGED_TOAST: the column is a TOASTed value the update did not change,
 *   so the server did not send it ('u'); the consumer must not treat it as NULL;
 * - Buffer: the value in binary format ('b', only with the `binary` option);
 *   a copy, safe to keep.
 */
export type TupleValue = string | null | Buffer | typeof UNCHANGED_TOAST;

/** The values of one row, in the column order of the relation's Relation message: decoded, or (a decoder made with rawTuples) as their bytes. */
export type TupleData = TupleValue[] | RawTuple;

export type ReplicaIdentity = 'd' | 'n' | 'f' | 'i'; // default, nothing, full, index

export interface RelationColumn {
  name: string;
  /** Column is part of the replica identity key (flag bit 1). */
  isKey: boolean;
  typeOid: number;
  typeMod: number;
}

export interface BeginMessage {
  tag: 'begin';
  finalLsn: Lsn;
  commitTime: bigint;
  commitTimeMs: number;
  xid: number;
}

export interface CommitMessage {
  tag: 'commit';
  flags: number;
  commitLsn: Lsn;
  endLsn: Lsn;
  commitTime: bigint;
  commitTimeMs: number;
}

export interface OriginMessage {
  tag: 'origin';
  originLsn: Lsn;
  name: string;
}

export interface RelationMessage {
  tag: 'relation';
  xid?: number;
  relationId: number;
  /** Schema name; the protocol sends '' for pg_catalog. */
  namespace: string;
  name: string;
  replicaIdentity: ReplicaIdentity;
  columns: RelationColumn[];
}

export interface TypeMessage {
  tag: 'type';
  xid?: number;
  typeOid: number;
  /** Schema name; the protocol sends '' for pg_catalog. */
  namespace: string;
  name: string;
}

export interface InsertMessage {
  tag: 'insert';
  xid?: number;
  relationId: number;
  new: TupleData;
}

/**
 * `key` ('K'): only the replica identity columns of the old row, sent when a key
 * column changed (other positions are null). `old` ('O'): the whole old row,
 * with REPLICA IDENTITY FULL. Neither: the key did not change.
 */
export interface UpdateMessage {
  tag: 'update';
  xid?: number;
  relationId: number;
  old?: TupleData;
  key?: TupleData;
  new: TupleData;
}

/** Exactly one of `key` ('K', identity columns only) or `old` ('O', FULL). */
export interface DeleteMessage {
  tag: 'delete';
  xid?: number;
  relationId: number;
  old?: TupleData;
  key?: TupleData;
}

export interface TruncateMessage {
  tag: 'truncate';
  xid?: number;
  relationIds: number[];
  cascade: boolean;
  restartIdentity: boolean;
}

/** A logical decoding message, from pg_logical_emit_message(). */
export interface LogicalMessage {
  tag: 'message';
  xid?: number;
  transactional: boolean;
  lsn: Lsn;
  prefix: string;
  /** A copy, safe to keep. */
  content: Buffer;
}

export interface StreamStartMessage {
  tag: 'streamStart';
  xid: number;
  firstSegment: boolean;
}

export interface StreamStopMessage {
  tag: 'streamStop';
}

export interface StreamCommitMessage {
  tag: 'streamCommit';
  xid: number;
  flags: number;
  commitLsn: Lsn;
  endLsn: Lsn;
  commitTime: bigint;
  commitTimeMs: number;
}

/** abortLsn/abortTime are sent only with streaming = parallel (protocol v4). */
export interface StreamAbortMessage {
  tag: 'streamAbort';
  xid: number;
  subXid: number;
  abortLsn?: Lsn;
  abortTime?: bigint;
}

// Two-phase commit (protocol v3, `two_phase` option).

export interface BeginPrepareMessage {
  tag: 'beginPrepare';
  prepareLsn: Lsn;
  endLsn: Lsn;
  prepareTime: bigint;
  prepareTimeMs: number;
  xid: number;
  gid: string;
}

/** Prepare ('P') and Stream Prepare ('p') share one layout. */
export interface PrepareMessage {
  tag: 'prepare' | 'streamPrepare';
  flags: number;
  prepareLsn: Lsn;
  endLsn: Lsn;
  prepareTime: bigint;
  prepareTimeMs: number;
  xid: number;
  gid: string;
}

export interface CommitPreparedMessage {
  tag: 'commitPrepared';
  flags: number;
  commitLsn: Lsn;
  endLsn: Lsn;
  commitTime: bigint;
  commitTimeMs: number;
  xid: number;
  gid: string;
}

export interface RollbackPreparedMessage {
  tag: 'rollbackPrepared';
  flags: number;
  prepareEndLsn: Lsn;
  rollbackEndLsn: Lsn;
  prepareTime: bigint;
  rollbackTime: bigint;
  rollbackTimeMs: number;
  xid: number;
  gid: string;
}

export type PgoutputMessage =
  | BeginMessage
  | CommitMessage
  | OriginMessage
  | RelationMessage
  | TypeMessage
  | InsertMessage
  | UpdateMessage
  | DeleteMessage
  | TruncateMessage
  | LogicalMessage
  | StreamStartMessage
  | StreamStopMessage
  | StreamCommitMessage
  | StreamAbortMessage
  | BeginPrepareMessage
  | PrepareMessage
  | CommitPreparedMessage
  | RollbackPreparedMessage;

export type PgoutputTag = PgoutputMessage['tag'];
