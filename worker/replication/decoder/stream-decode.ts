// Decoding for protocol v2+ streaming. Between Stream Start and Stream Stop
// the server sends changes of a transaction that is still in progress
// (logical_decoding_work_mem was exceeded on the server); each starts with the
// tag and the (sub)transaction's xid. They are kept as raw bytes, not decoded
// objects, until the transaction's Stream Commit: bytes are the compact form to
// hold in memory or spill to disk (worker/stream/transaction-spool.ts), and a
// transaction that aborts is never decoded at all. Everything else — including
// Stream Start/Stop/Commit/Abort and an unknown tag, which is an error at once —
// goes through the ordinary decoder.
import { createPgoutputDecoder } from './pgoutput-decoder.ts';
import type { PgoutputMessage } from './messages.ts';

/** A change of an in-progress streamed transaction, undecoded. `xid` is the subtransaction's when it has one. */
export type StreamedChange = { tag: 'streamedChange'; xid: number; bytes: Buffer };

export type WalMessage = PgoutputMessage | StreamedChange;

// Relation, Type, Insert, Update, Delete, Truncate, Message: the messages
// pgoutput writes with the streamed xid after the tag.
const STREAMED_TAGS = new Set([0x52, 0x59, 0x49, 0x55, 0x44, 0x54, 0x4d]);

export type StreamDecoder = {
  /** For the WAL stream's socket callback: `buf` is only valid during the call, so a streamed change is copied. */
  decode(buf: Buffer): WalMessage;
};

/** `rawTuples`: see createPgoutputDecoder. */
export function createStreamDecoder(opts: { rawTuples?: boolean } = {}): StreamDecoder {
  const decoder = createPgoutputDecoder({ rawTuples: opts.rawTuples });
  return {
    decode(buf) {
      if (decoder.inStream && buf.length > 0 && STREAMED_TAGS.has(buf[0])) {
        if (buf.length < 5) throw new Error(`pgoutput: malformed streamed '${String.fromCharCode(buf[0])}' message (${buf.length} bytes): no xid`);
        return { tag: 'streamedChange', xid: buf.readUInt32BE(1), bytes: Buffer.from(buf) };
      }
      return decoder.decode(buf);
    },
  };
}

/** Decodes the kept bytes of streamed changes at replay: every one carries its xid. */
export function createReplayDecoder(opts: { rawTuples?: boolean } = {}): (bytes: Buffer) => PgoutputMessage {
  const decoder = createPgoutputDecoder({ inStream: true, rawTuples: opts.rawTuples });
  return (bytes) => decoder.decode(bytes);
}
