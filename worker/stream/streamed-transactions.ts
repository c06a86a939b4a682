import type { BeginMessage, CommitMessage, PgoutputMessage, StreamAbortMessage, StreamCommitMessage, StreamStartMessage } from '../replication/decoder/messages.ts';
import { createReplayDecoder, type StreamedChange } from '../replication/decoder/stream-decode.ts';
import type { TransactionSpool } from './transaction-spool.ts';
import type { Logger } from '../../shared/logger.ts';
import type { Lsn } from '../../shared/lsn.ts';
import { formatLsn } from '../../shared/lsn.ts';
import { TributaryError } from '../../shared/errors/tributary-error.ts';

// Protocol v2+ streaming, in front of the change builder: the changes of
// in-progress transactions arrive in segments (Stream Start … Stream Stop),
// interleaved with each other and with ordinary transactions, and must not
// reach the sink before their Stream Commit. They wait in the spool; at Stream
// Commit the transaction is replayed as if it had never been streamed — Begin,
// its changes in order, Commit with the commit's end LSN — so everything after
// this point (change builder, snapshot windows, checkpoints) sees only whole
// committed transactions in commit order.

export type ReplayedMessage = { message: PgoutputMessage; lsn: Lsn; size: number };

export type StreamedTransactions = {
  start(m: StreamStartMessage): void;
  stop(): void;
  /** Keeps one change; returns a promise only when the spool must spill first. */
  change(m: StreamedChange, lsn: Lsn): Promise<void> | undefined;
  abort(m: StreamAbortMessage): Promise<void>;
  /** The committed transaction as ordinary messages, in chunks. */
  commit(m: StreamCommitMessage, lsn: Lsn): AsyncGenerator<ReplayedMessage[]>;
  /** Streamed transactions neither committed nor aborted yet. */
  readonly open: number;
  close(): Promise<void>;
};

/** `rawTuples`: replayed changes keep row values as bytes, as the live stream's decoder does (createPgoutputDecoder). */
export function createStreamedTransactions(spool: TransactionSpool, log?: Pick<Logger, 'info'>, opts: { rawTuples?: boolean } = {}): StreamedTransactions {
  const decode = createReplayDecoder(opts);
  let current: number | undefined;
  const open = new Set<number>();

  return {
    start(m) {
      if (current !== undefined) throw new TributaryError('DecodeFailed', `Stream Start for transaction ${m.xid} inside the stream of transaction ${current}`);
      current = m.xid;
      open.add(m.xid);
    },
    stop() {
      current = undefined;
    },
    change(m, lsn) {
      if (current === undefined) throw new TributaryError('DecodeFailed', `streamed change of transaction ${m.xid} at ${formatLsn(lsn)} outside Stream Start/Stop`);
      spool.append(current, m.xid, lsn, m.bytes);
      return spool.overBudget ? spool.spill() : undefined;
    },
    async abort(m) {
      const { spilledBytes } = spool.sizeOf(m.xid);
      const dropped = await spool.abort(m.xid, m.subXid);
      if (m.subXid === m.xid) open.delete(m.xid);
      log?.info(m.subXid === m.xid ? 'streamed transaction rolled back: its changes are dropped' : 'streamed subtransaction rolled back: its changes are dropped', {
        xid: m.xid, subXid: m.subXid, droppedBytes: dropped, spilledBytes, ...(m.abortLsn !== undefined ? { abortLsn: formatLsn(m.abortLsn) } : {}),
      });
    },
    async *commit(m, lsn) {
      open.delete(m.xid);
      const begin: BeginMessage = { tag: 'begin', finalLsn: m.commitLsn, commitTime: m.commitTime, commitTimeMs: m.commitTimeMs, xid: m.xid };
      yield [{ message: begin, lsn, size: 0 }];
      const { bytes, spilledBytes } = spool.sizeOf(m.xid);
      let changes = 0;
      for await (const entries of spool.replay(m.xid)) {
        changes += entries.length;
        yield entries.map((e) => ({ message: decode(e.bytes), lsn: e.lsn, size: e.bytes.length }));
      }
      log?.info('streamed transaction committed', { xid: m.xid, changes, bytes, spilledBytes, commitLsn: formatLsn(m.commitLsn) });
      const commit: CommitMessage = { tag: 'commit', flags: m.flags, commitLsn: m.commitLsn, endLsn: m.endLsn, commitTime: m.commitTime, commitTimeMs: m.commitTimeMs };
      yield [{ message: commit, lsn, size: 0 }];
    },
    get open() {
      return open.size;
    },
    close: () => spool.close(),
  };
}
