import type { ChangeEvent } from '../change-event.ts';
import type { Sink } from '../sinks/sink.ts';
import type { Checkpointer } from '../checkpoint/checkpointer.ts';
import type { WalStream } from '../replication/wal-stream.ts';
import type { ChangeBuilder } from './change-builder.ts';
import type { PgoutputMessage } from '../replication/decoder/messages.ts';
import type { Lsn } from '../../shared/lsn.ts';

// The incremental phase's loop. Reading WAL and writing to the sink overlap:
// while one batch is in flight to the sink the next one accumulates, and a
// full buffer pauses the replication socket (backpressure reaches PostgreSQL
// instead of our heap). Each sent batch remembers the last commit it
// completes; only when the sink resolves is that LSN handed to the checkpointer.

export type StreamStats = { events: number; transactions: number; bytes: number };

export type StreamOptions = {
  wal: WalStream<PgoutputMessage>;
  builder: ChangeBuilder;
  sink: Sink;
  checkpointer: Checkpointer;
  signal: AbortSignal;
  maxBatch?: number;
  onProgress?(stats: StreamStats): void;
  /** A sink write pending this long counts as a stall (the client retries a broker outage forever). */
  stallMs?: number;
  /** Called about once a second while a write is stalled; returning an error ends the stream with it. */
  onSinkStall?(since: number): Error | undefined;
  onSinkRecovered?(): void;
};

export async function streamChanges(opts: StreamOptions): Promise<StreamStats> {
  const { wal, builder, sink, checkpointer } = opts;
  const maxBatch = opts.maxBatch ?? 5000;
  const stats: StreamStats = { events: 0, transactions: 0, bytes: 0 };
  let buffer: ChangeEvent[] = [];
  let bufferCommit: Lsn | undefined; // last commit whose every event is in `buffer` or already sent
  let inFlight: Promise<void> | undefined;
  let inFlightSince = 0;
  let stalled = false;
  let sinkError: unknown;

  const startSend = () => {
    const events = buffer;
    const upTo = bufferCommit;
    buffer = [];
    bufferCommit = undefined;
    inFlightSince = Date.now();
    inFlight = sink.write(events).then(
      (written) => {
        stats.bytes += written?.bytes ?? 0;
        if (stalled) {
          stalled = false;
          opts.onSinkRecovered?.();
        }
        stats.events += events.length;
        if (upTo !== undefined) checkpointer.delivered(upTo);
        inFlight = undefined;
        opts.onProgress?.(stats);
        if (buffer.length > 0 || bufferCommit !== undefined) startSend();
      },
      (err) => {
        sinkError = err;
        inFlight = undefined;
        void wal.close(); // wakes the read loop so the error surfaces now
      },
    );
  };

  // Ordering forbids giving up on a pending write and re-sending through a new
  // producer (the old request could still land after the new ones), so a
  // stall is only watched: reported, and ended by the caller past its window.
  const stallMs = opts.stallMs ?? 5_000;
  const watchdog = setInterval(() => {
    if (!inFlight || sinkError || Date.now() - inFlightSince < stallMs) return;
    stalled = true;
    const err = opts.onSinkStall?.(inFlightSince);
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
    for await (const items of wal) {
      if (sinkError) throw sinkError;
      for (const item of items) {
        if (item.kind === 'keepalive') {
          // Nothing buffered, nothing in flight, no open transaction: every
          // change before walEnd is delivered, so the slot may move past it
          // (otherwise WAL of unrelated tables pins disk on the source).
          if (!inFlight && buffer.length === 0 && bufferCommit === undefined && !builder.inTransaction) checkpointer.delivered(item.walEnd);
          if (item.replyRequested) wal.ack(checkpointer.ackedLsn);
          continue;
        }
        const { events, commitEndLsn } = builder.handle(item.message, item.walStart);
        for (const e of events) buffer.push(e);
        if (commitEndLsn !== undefined) {
          bufferCommit = commitEndLsn;
          stats.transactions++;
        }
      }
      if (!inFlight && (buffer.length > 0 || bufferCommit !== undefined)) startSend();
      while (inFlight && buffer.length >= maxBatch) await inFlight; // bound memory: wait for the sink
    }
    if (sinkError) throw sinkError;
    // Stopping: deliver what was read; an open transaction's tail is re-read on restart.
    while (inFlight) await inFlight;
    if (buffer.length > 0 || bufferCommit !== undefined) {
      startSend();
      while (inFlight) await inFlight;
    }
    if (sinkError) throw sinkError;
    return stats;
  } finally {
    clearInterval(watchdog);
    opts.signal.removeEventListener('abort', onAbort);
  }
}
