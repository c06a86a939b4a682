import type { ChangeEvent } from '../change-event.ts';
import type { Sink } from '../sinks/sink.ts';
import type { Checkpointer } from '../checkpoint/checkpointer.ts';
import type { WalStream } from '../replication/wal-stream.ts';
import type { ChangeBuilder } from './change-builder.ts';
import type { PgoutputMessage } from '../replication/decoder/messages.ts';
import type { WalMessage } from '../replication/decoder/stream-decode.ts';
import type { Lsn } from '../../shared/lsn.ts';
import { TributaryError } from '../../shared/errors/tributary-error.ts';
import type { TransactionSpool } from './transaction-spool.ts';
import { createStreamedTransactions, type StreamedTransactions } from './streamed-transactions.ts';
import type { StreamThrottle } from './stream-throttle.ts';
import type { Logger } from '../../shared/logger.ts';

// The incremental phase's loop. Reading WAL and writing to the sink overlap:
// while writes are in flight to the sink the next batch accumulates, and a
// full buffer pauses the replication socket (backpressure reaches PostgreSQL
// instead of our heap). A batch is cut at a source commit (or when the buffer
// is full), so writes carry whole transactions rather than one change each
// when the sink is slow. A sink may take two writes at once (Kafka, at-least-once):
// the next is rendered while it produces the last. Each write remembers the last
// commit it completes; writes complete in order, and only then is that LSN
// handed to the checkpointer.
// Streamed transactions (protocol v2+) wait in the spool until their Stream
// Commit and are then replayed here as whole transactions; a throttle is paid
// message by message, which pauses reading instead of buffering.
//
// Exactly-once (`commit` given): the sink writes into an open Kafka
// transaction, so "resolved" is not yet "delivered". Batches are cut at
// source-commit boundaries, and at most once per `commitIntervalMs`, when the
// written records end exactly at a commit, `commit(lsn)` makes them visible
// together with that position; only then is the LSN handed to the
// checkpointer. A source transaction larger than the buffer is written in
// pieces and committed with the batch that completes it.

export type StreamStats = { events: number; transactions: number; bytes: number };

export type StreamOptions = {
  wal: WalStream<WalMessage>;
  builder: ChangeBuilder;
  sink: Sink;
  checkpointer: Checkpointer;
  signal: AbortSignal;
  maxBatch?: number;
  /** The buffer is full at this many bytes of WAL too, whatever the count: wide rows must not outgrow a capped heap. */
  maxBatchBytes?: number;
  onProgress?(stats: StreamStats): void;
  /** A sink write pending this long counts as a stall (the client retries a broker outage forever). */
  stallMs?: number;
  /** Called about once a second while a write is stalled; returning an error ends the stream with it. */
  onSinkStall?(since: number): Error | undefined;
  onSinkRecovered?(): void;
  /** Exactly-once: commits everything written since the last call, with position `lsn`, atomically. */
  commit?(lsn: Lsn): Promise<void>;
  commitIntervalMs?: number;
  /**
   * Where streamed transactions wait for their commit; without it a Stream Start is an error (protocol 1 sends none).
   * Closed when the stream ends: what it holds is worthless after a restart, the server sends it again.
   */
  spool?: TransactionSpool;
  /** Replayed streamed transactions keep row values as bytes (the change builder renders them as JSON): as the WAL stream's decoder. */
  rawTuples?: boolean;
  /** throttle.incremental, when set. */
  throttle?: StreamThrottle;
  log?: Pick<Logger, 'info'>;
};

export async function streamChanges(opts: StreamOptions): Promise<StreamStats> {
  const { wal, builder, sink, checkpointer } = opts;
  const maxBatch = opts.maxBatch ?? 5000;
  const maxBatchBytes = opts.maxBatchBytes ?? 16 * 2 ** 20;
  const stats: StreamStats = { events: 0, transactions: 0, bytes: 0 };
  let buffer: ChangeEvent[] = [];
  let bufferBytes = 0; // WAL bytes the buffered events came from
  let bufferCommit: Lsn | undefined; // last commit whose every event is in `buffer` or already sent
  let boundary = 0; // buffer index just past that commit's events
  // Writes in flight: their bookkeeping runs in write order, each after the one before.
  // Exactly-once writes one at a time: a commit covers exactly what was written before it.
  const depth = opts.commit ? 1 : Math.max(1, sink.writesInFlight ?? 1);
  const startedAt: number[] = []; // when each write in flight began, oldest first
  let lastDone: Promise<void> = Promise.resolve();
  let wake: () => void = () => {};
  let settled = new Promise<void>((r) => (wake = r)); // resolves at the next write's end
  let stalled = false;
  let sinkError: unknown;
  // Exactly-once only: what the open Kafka transaction holds.
  const commit = opts.commit;
  const commitIntervalMs = opts.commitIntervalMs ?? 1_000;
  let txEvents = 0; // events written since the last Kafka commit
  let txUpTo: Lsn | undefined; // last source commit whose events are all written
  let txTail = false; // written events go past txUpTo (a source transaction is still open)
  let lastCommitAt = 0;

  // A write goes out at a commit or with a full buffer: one sent per change as they trickle in, writes
  // fill the sink's pipeline with tiny requests under load (p99 latency rose 2–5×: bench/RESULTS.md).
  const full = () => buffer.length >= maxBatch || bufferBytes >= maxBatchBytes;
  const sendable = () => bufferCommit !== undefined || full();
  const commitDue = (stopping: boolean) => txUpTo !== undefined && !txTail && (stopping || Date.now() - lastCommitAt >= commitIntervalMs);

  const runCommit = async () => {
    const lsn = txUpTo!;
    await commit!(lsn); // must: visible in Kafka (with the position) before the checkpointer may save and ack it
    lastCommitAt = Date.now();
    txEvents = 0;
    txUpTo = undefined;
    checkpointer.delivered(lsn);
  };

  const flying = () => startedAt.length;
  const ended = () => {
    startedAt.shift();
    const w = wake;
    settled = new Promise<void>((r) => (wake = r));
    w();
  };
  /** Waits for the next write to end (every write, with `all`). */
  const writesEnd = async (all = false) => {
    while (flying() > 0) {
      await settled;
      if (!all) return;
    }
  };

  const track = (task: () => Promise<void>) => {
    startedAt.push(Date.now());
    // must: after a failed write, a later one that succeeded delivers nothing (the checkpoint would pass the lost records)
    lastDone = lastDone.then(() => (sinkError ? Promise.reject(sinkError) : task())).then(
      () => {
        if (stalled) {
          stalled = false;
          opts.onSinkRecovered?.();
        }
        ended();
        opts.onProgress?.(stats);
        if (sinkError) return;
        if (flying() < depth && sendable()) startSend();
        else if (commit && flying() === 0 && commitDue(false)) track(runCommit);
      },
      (err) => {
        sinkError ??= err;
        ended();
        void wal.close(); // wakes the read loop so the error surfaces now
      },
    );
  };

  const startSend = () => {
    if (opts.signal.aborted) {
      // Stopping: an open transaction's tail is re-read after the restart; sent now, it would arrive twice.
      if (bufferCommit === undefined) {
        buffer = [];
        bufferBytes = 0;
        return;
      }
      if (boundary < buffer.length) buffer = buffer.slice(0, boundary);
    }
    let events = buffer;
    let upTo = bufferCommit;
    if (commit && upTo !== undefined && boundary < buffer.length) {
      events = buffer.slice(0, boundary); // the open transaction's head waits for its commit
      buffer = buffer.slice(boundary);
    } else {
      buffer = [];
    }
    bufferBytes = buffer.length ? Math.round((bufferBytes * buffer.length) / (buffer.length + events.length)) : 0; // the kept part's share
    const tail = commit !== undefined && upTo === undefined && events.length > 0;
    bufferCommit = undefined;
    boundary = 0;
    // Rendered and issued now, beside the writes before it; its bookkeeping waits for theirs.
    const writing = sink.write(events);
    writing.catch(() => {}); // observed by the task below, in turn
    track(async () => {
      const written = await writing;
      stats.bytes += written?.bytes ?? 0;
      stats.events += events.length;
      if (!commit) {
        if (upTo !== undefined) checkpointer.delivered(upTo);
        return;
      }
      txEvents += events.length;
      if (upTo !== undefined) txUpTo = upTo;
      txTail = tail;
      if (txEvents === 0 && txUpTo !== undefined) {
        // Nothing waits in a Kafka transaction: the position moves without one (an idle job writes no transaction per heartbeat).
        checkpointer.delivered(txUpTo);
        txUpTo = undefined;
      } else if (commitDue(false)) {
        await runCommit();
      }
    });
  };

  // Exactly-once: a transaction whose interval ran out while no data arrived is committed now.
  const committer = commit
    ? setInterval(() => {
        if (flying() === 0 && !sinkError && commitDue(false)) track(runCommit);
      }, Math.max(20, Math.min(200, commitIntervalMs / 2)))
    : undefined;
  committer?.unref();

  const streamed: StreamedTransactions | undefined = opts.spool ? createStreamedTransactions(opts.spool, opts.log, { rawTuples: opts.rawTuples }) : undefined;
  const streams = (tag: string): StreamedTransactions => {
    if (!streamed) throw new TributaryError('DecodeFailed', `pgoutput "${tag}" arrived, but streaming was not negotiated`);
    return streamed;
  };
  const throttle = opts.throttle;

  /** One ordinary message through the builder; with a throttle, resolves when the caps allow the next. */
  const handle = (message: PgoutputMessage, lsn: Lsn, size: number): Promise<void> | undefined => {
    const { events, commitEndLsn } = builder.handle(message, lsn);
    for (const e of events) buffer.push(e);
    if (events.length) bufferBytes += size;
    if (commitEndLsn !== undefined) {
      bufferCommit = commitEndLsn;
      boundary = buffer.length;
      stats.transactions++;
    }
    if (!throttle) return undefined;
    let rows = 0;
    for (const e of events) if (!e.snapshot) rows++;
    const waitMs = throttle.charge(rows, size);
    if (waitMs === 0) return undefined;
    // What was admitted goes to the sink before the wait, not after the whole read-ahead was paid for:
    // at-least-once sends even an open transaction's admitted head, so a capped stream arrives evenly.
    if (flying() < depth && (commit ? sendable() : buffer.length > 0 || bufferCommit !== undefined)) startSend();
    return throttle.sleep(waitMs, opts.signal);
  };

  const sendOrWait = async () => {
    if (flying() < depth && sendable()) startSend();
    // bound memory: a full buffer waits for the sink
    while (full() && !sinkError) {
      if (flying() < depth) startSend();
      else await writesEnd();
    }
  };

  // Ordering forbids giving up on a pending write and re-sending through a new
  // producer (the old request could still land after the new ones), so a
  // stall is only watched: reported, and ended by the caller past its window.
  const stallMs = opts.stallMs ?? 5_000;
  const watchdog = setInterval(() => {
    const since = startedAt[0];
    if (since === undefined || sinkError || Date.now() - since < stallMs) return;
    stalled = true;
    const err = opts.onSinkStall?.(since);
    if (err) {
      sinkError = err;
      void wal.close();
    }
  }, 1_000);
  watchdog.unref();

  // a stop ends the reading only: the connection stays for the acknowledgements of what was read
  const onAbort = () => wal.stopReading();
  if (opts.signal.aborted) onAbort(); // a stop that arrived during setup
  opts.signal.addEventListener('abort', onAbort, { once: true });
  try {
    read: for await (const items of wal) {
      if (sinkError) throw sinkError;
      for (const item of items) {
        if (item.kind === 'keepalive') {
          // Nothing buffered, nothing in flight, no open transaction: every
          // change before walEnd is delivered, so the slot may move past it
          // (otherwise WAL of unrelated tables pins disk on the source).
          // An open streamed transaction counts as open too: its commit lies beyond walEnd.
          // Exactly-once also needs the Kafka transaction empty: the slot must not pass records not yet committed.
          if (flying() === 0 && buffer.length === 0 && bufferCommit === undefined && !builder.inTransaction && !streamed?.open && txEvents === 0) checkpointer.delivered(item.walEnd);
          if (item.replyRequested) wal.ack(checkpointer.ackedLsn);
          continue;
        }
        const m = item.message;
        switch (m.tag) {
          case 'streamStart':
            streams(m.tag).start(m);
            break;
          case 'streamStop':
            streams(m.tag).stop();
            break;
          case 'streamedChange': {
            const spilling = streams(m.tag).change(m, item.walStart);
            if (spilling) await spilling;
            break;
          }
          case 'streamAbort':
            await streams(m.tag).abort(m);
            break;
          case 'streamCommit':
            // The whole transaction now, in order; other WAL waits (the socket pauses) meanwhile.
            // A stop abandons the replay: its commit is not checkpointed, so the server sends it again.
            if (opts.signal.aborted) break read;
            for await (const chunk of streams(m.tag).commit(m, item.walStart)) {
              if (opts.signal.aborted) break read;
              for (const r of chunk) {
                const paying = handle(r.message, r.lsn, r.size);
                if (paying) await paying;
                if (full()) await sendOrWait(); // a chunk read from disk holds thousands of changes
              }
              await sendOrWait();
              if (sinkError) throw sinkError;
            }
            break;
          default: {
            const paying = handle(m, item.walStart, item.size ?? 0);
            if (paying) await paying; // without a throttle, no await per message on the hot path
          }
        }
      }
      await sendOrWait();
    }
    if (sinkError) throw sinkError;
    // Stopping: deliver what was read up to its last commit. An open
    // transaction's tail is re-read on restart, so it is not sent now: sent,
    // it would reach Kafka twice after every clean stop.
    await writesEnd(true);
    if (bufferCommit !== undefined && !sinkError) {
      startSend();
      await writesEnd(true);
    }
    // Exactly-once: what ends at a commit is committed now; a written piece of an open transaction is aborted with the producer.
    if (commit && !sinkError && commitDue(true)) {
      track(runCommit);
      await writesEnd(true);
    }
    if (sinkError) throw sinkError;
    return stats;
  } finally {
    await streamed?.close(); // an open streamed transaction is re-sent by the server after a restart
    clearInterval(watchdog);
    if (committer) clearInterval(committer);
    opts.signal.removeEventListener('abort', onAbort);
  }
}
