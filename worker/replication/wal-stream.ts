import pg from 'pg';
import type { Lsn } from '../../shared/lsn.ts';
import { formatLsn } from '../../shared/lsn.ts';
import { pgoutputOptions, type PgoutputProtocol } from './pgoutput-protocol.ts';

// The WAL-source seam: a logical replication connection speaking the
// streaming-replication sub-protocol inside COPY BOTH. Each CopyData from the
// server is XLogData ('w') or a primary keepalive ('k'); we answer with
// standby status updates ('r') carrying the LSN that is safe to discard.

export type WalItem<M> =
  | { kind: 'data'; walStart: Lsn; message: M; /** Bytes of the pgoutput message. */ size?: number }
  | { kind: 'keepalive'; walEnd: Lsn; replyRequested: boolean };

export type WalStream<M> = AsyncIterable<WalItem<M>[]> & {
  /** Tells PostgreSQL that everything before `lsn` is durably delivered. Call only from the checkpointer. */
  ack(lsn: Lsn): void;
  /**
   * Ends the iteration (a stop) but keeps the connection, so the checkpointer
   * can still acknowledge what the sink delivers of what was already read.
   */
  stopReading(): void;
  /** Sends the last acknowledgement, ends the stream with the server and closes; safe to call twice. */
  close(): Promise<void>;
};

export type WalStreamOptions<M> = {
  config: pg.ClientConfig;
  slotName: string;
  publicationName: string;
  startLsn: Lsn;
  /** pgoutputProtocol(server version); protocol 1 without streaming when not given. */
  protocol?: PgoutputProtocol;
  /** Decodes one pgoutput message synchronously: the bytes are only valid during the call. */
  decode(bytes: Buffer): M;
  /** Pause the socket once this many items wait unread (backpressure to the server). */
  highWaterMark?: number;
  /** …or once the items waiting hold this many bytes of pgoutput messages: wide rows bound the read-ahead too. */
  highWaterBytes?: number;
  /** Send a status update at least this often, well under wal_sender_timeout (60 s by default). */
  statusIntervalMs?: number;
  /** How long close() waits for the server to end the stream before dropping the connection. */
  closeTimeoutMs?: number;
};

// PostgreSQL timestamps count microseconds from 2000-01-01.
const PG_EPOCH_MS = 946_684_800_000n;

export async function openWalStream<M>(opts: WalStreamOptions<M>): Promise<WalStream<M>> {
  // pgoutput formats values with the walsender session's settings: pin the
  // ones value-decoder.ts relies on, as PostgreSQL's own subscriber does.
  const options = '-c DateStyle=ISO -c IntervalStyle=postgres -c extra_float_digits=3 -c TimeZone=UTC -c lc_monetary=C';
  const client = new pg.Client({ ...opts.config, replication: 'database', options } as pg.ClientConfig);
  await client.connect();
  const connection = (client as unknown as { connection: PgConnection }).connection;
  const highWaterMark = opts.highWaterMark ?? 20_000;
  const highWaterBytes = opts.highWaterBytes ?? 8 * 1024 * 1024;
  let queuedBytes = 0;

  let queue: WalItem<M>[] = [];
  let failure: Error | undefined;
  let ended = false;
  let closed = false;
  let reading = true;
  let closing: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  let paused = false;
  let ackedLsn = opts.startLsn;

  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  const sendStatus = (replyRequested = false) => {
    if (ended) return;
    const buf = Buffer.alloc(34);
    buf.write('r', 0);
    buf.writeBigUInt64BE(ackedLsn, 1); // written
    buf.writeBigUInt64BE(ackedLsn, 9); // flushed: the slot's confirmed_flush_lsn follows this
    buf.writeBigUInt64BE(ackedLsn, 17); // applied
    buf.writeBigInt64BE((BigInt(Date.now()) - PG_EPOCH_MS) * 1000n, 25);
    buf.writeUInt8(replyRequested ? 1 : 0, 33);
    connection.sendCopyFromChunk(buf);
  };

  const onCopyData = (chunk: Buffer) => {
    if (!reading) return; // stopping: what arrives now is re-read by the next run
    try {
      const type = chunk[0];
      if (type === 0x77 /* 'w' */) {
        const walStart = chunk.readBigUInt64BE(1);
        const size = chunk.length - 25;
        queuedBytes += size;
        queue.push({ kind: 'data', walStart, message: opts.decode(chunk.subarray(25)), size });
      } else if (type === 0x6b /* 'k' */) {
        queue.push({ kind: 'keepalive', walEnd: chunk.readBigUInt64BE(1), replyRequested: chunk[17] === 1 });
      } else {
        throw new Error(`unexpected replication message type 0x${type.toString(16)}`);
      }
    } catch (err) {
      failure = err as Error;
    }
    if (!paused && (queue.length >= highWaterMark || queuedBytes >= highWaterBytes)) {
      paused = true;
      connection.stream.pause();
    }
    notify();
  };

  const query = {
    text: `START_REPLICATION SLOT "${opts.slotName.replaceAll('"', '""')}" LOGICAL ${formatLsn(opts.startLsn)} (${pgoutputOptions(opts.protocol ?? { version: 1 }, opts.publicationName)})`,
    submit(con: PgConnection) {
      con.query(this.text);
    },
    handleCopyData(msg: { chunk: Buffer }) {
      onCopyData(msg.chunk);
    },
    handleError(err: Error) {
      failure = err;
      notify();
    },
    handleReadyForQuery() {
      ended = true;
      notify();
    },
    handleCommandComplete() {},
    handleRowDescription() {},
    handleDataRow() {},
    handleEmptyQuery() {},
    handleCopyInResponse() {},
    handlePortalSuspended() {},
  };
  client.on('error', (err) => {
    failure ??= err;
    notify();
  });
  client.on('end', () => {
    if (closed) return;
    failure ??= Object.assign(new Error('replication connection closed by the server'), { code: 'ECONNRESET' });
    notify();
  });
  client.query(query as unknown as pg.QueryConfig);

  const timer = setInterval(() => sendStatus(), opts.statusIntervalMs ?? 10_000);
  timer.unref();

  // Ends the stream the way pg_recvlogical does: the last status update, then
  // CopyDone, reading (and dropping) what the server still sends until it
  // answers with its own CopyDone and ReadyForQuery. Only then has the
  // walsender read our last acknowledgement: a walsender busy sending when the
  // socket simply closed died on the broken pipe with that update unread, and
  // the next run replayed from an older confirmed_flush_lsn.
  /** Empties the read-ahead and resumes a paused socket; answers what it held. */
  const takeQueue = (): WalItem<M>[] => {
    const out = queue;
    queue = [];
    queuedBytes = 0;
    if (paused) {
      paused = false;
      connection.stream.resume();
    }
    return out;
  };

  const finishCopy = async () => {
    sendStatus();
    connection.endCopyFrom();
    takeQueue();
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => {
        const check = () => (ended || failure ? resolve() : (wake = check));
        check();
      }),
      new Promise<void>((resolve) => (timeout = setTimeout(resolve, opts.closeTimeoutMs ?? 5_000))),
    ]);
    clearTimeout(timeout);
  };

  async function* batches(): AsyncGenerator<WalItem<M>[]> {
    while (true) {
      if (queue.length > 0) {
        yield takeQueue();
        continue;
      }
      if (!reading) return;
      if (failure) throw failure;
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  }

  return {
    [Symbol.asyncIterator]: batches,
    ack(lsn) {
      if (lsn > ackedLsn) ackedLsn = lsn;
      sendStatus();
    },
    stopReading() {
      reading = false;
      takeQueue();
      notify();
    },
    close() {
      closing ??= (async () => {
        clearInterval(timer);
        reading = false;
        notify();
        if (!ended && !failure) await finishCopy();
        closed = true;
        await client.end().catch(() => undefined);
      })();
      return closing;
    },
  };
}

type PgConnection = {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  stream: { pause(): void; resume(): void };
};
