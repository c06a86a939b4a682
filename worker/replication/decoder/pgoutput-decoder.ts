// Decoder for PostgreSQL's built-in logical decoding output plugin, pgoutput.
// Input: the body of one XLogData payload (or one row of
// pg_logical_slot_get_binary_changes), starting at the message tag byte.
// Layouts: PostgreSQL docs, "Logical Replication Message Formats".
//
// The decoder is pure apart from one bit of protocol state: in protocol v2+,
// messages between Stream Start and Stream Stop carry the streamed
// transaction's xid right after the tag. It keeps no relation cache: Relation
// messages are returned and the consumer caches them.
import { ByteReader, UNCHANGED_TOAST, hex2 } from './byte-reader.ts';
import { TupleSlab } from './raw-tuple.ts';
import { BEGIN_PREPARE, COMMIT_PREPARED, PREPARE, ROLLBACK_PREPARED, STREAM_PREPARE, decodeTwoPhase } from './two-phase.ts';
import { pgMicrosToUnixMs } from './timestamps.ts';
import type { PgoutputMessage, ReplicaIdentity, RelationColumn, TupleData, UpdateMessage } from './messages.ts';

export { UNCHANGED_TOAST };
export type * from './messages.ts';

export interface PgoutputDecoder {
  /** Decodes one message. Throws on an unknown tag, a malformed or truncated message, or trailing bytes. */
  decode(buf: Buffer): PgoutputMessage;
  /** True between Stream Start and Stream Stop. */
  readonly inStream: boolean;
}

export { pgMicrosToUnixMs };

// Tag bytes.
const BEGIN = 0x42; // 'B'
const MESSAGE = 0x4d; // 'M'
const COMMIT = 0x43; // 'C'
const ORIGIN = 0x4f; // 'O'
const RELATION = 0x52; // 'R'
const TYPE = 0x59; // 'Y'
const INSERT = 0x49; // 'I'
const UPDATE = 0x55; // 'U'
const DELETE = 0x44; // 'D'
const TRUNCATE = 0x54; // 'T'
const STREAM_START = 0x53; // 'S'
const STREAM_STOP = 0x45; // 'E'
const STREAM_COMMIT = 0x63; // 'c'
const STREAM_ABORT = 0x41; // 'A'

// Sub-message markers inside Insert/Update/Delete.
const NEW_TUPLE = 0x4e; // 'N'
const KEY_TUPLE = 0x4b; // 'K'
const OLD_TUPLE = 0x4f; // 'O'

// Truncate option bits.
const TRUNCATE_CASCADE = 1;
const TRUNCATE_RESTART_IDENTITY = 2;

const REPLICA_IDENTITIES = new Set<string>(['d', 'n', 'f', 'i']);

/**
 * `inStream`: start as if after a Stream Start, to decode a streamed transaction's changes kept for replay (stream-decode.ts).
 * `rawTuples`: row values stay bytes (RawTuple), for a change builder that renders them as JSON itself.
 */
export function createPgoutputDecoder(opts: { inStream?: boolean; rawTuples?: boolean } = {}): PgoutputDecoder {
  const r = new ByteReader();
  const slab = opts.rawTuples ? new TupleSlab() : undefined;
  const tuple = (): TupleData => (slab ? r.rawTuple(slab) : r.tuple());
  let inStream = opts.inStream ?? false;

  /** The xid that protocol v2 puts after the tag, only inside a stream. */
  function streamXid(): number | undefined {
    return inStream ? r.u32() : undefined;
  }

  function tupleAfter(marker: number, what: string): TupleData {
    const got = r.u8();
    if (got !== marker) {
      throw new RangeError(`expected '${String.fromCharCode(marker)}' before ${what}, got 0x${hex2(got)}`);
    }
    return tuple();
  }

  function relation(): PgoutputMessage {
    const xid = streamXid();
    const relationId = r.u32();
    const namespace = r.cstring();
    const name = r.cstring();
    const identity = String.fromCharCode(r.u8());
    if (!REPLICA_IDENTITIES.has(identity)) throw new RangeError(`unknown replica identity ${JSON.stringify(identity)}`);
    const n = r.i16();
    const columns: RelationColumn[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const flags = r.u8(); // bit 1: column is part of the key
      columns[i] = { name: r.cstring(), isKey: (flags & 1) !== 0, typeOid: r.u32(), typeMod: r.i32() };
    }
    return { tag: 'relation', xid, relationId, namespace, name, replicaIdentity: identity as ReplicaIdentity, columns };
  }

  function update(): PgoutputMessage {
    const xid = streamXid();
    const relationId = r.u32();
    // Optional 'K' (identity columns of the old row) or 'O' (whole old row), then 'N'.
    let kind = r.u8();
    let old: TupleData | undefined;
    let key: TupleData | undefined;
    if (kind === KEY_TUPLE || kind === OLD_TUPLE) {
      if (kind === KEY_TUPLE) key = tuple();
      else old = tuple();
      kind = r.u8();
    }
    if (kind !== NEW_TUPLE) throw new RangeError(`expected 'N' in update, got 0x${hex2(kind)}`);
    const msg: UpdateMessage = { tag: 'update', xid, relationId, new: tuple() };
    if (old) msg.old = old;
    if (key) msg.key = key;
    return msg;
  }

  function del(): PgoutputMessage {
    const xid = streamXid();
    const relationId = r.u32();
    const kind = r.u8();
    if (kind === KEY_TUPLE) return { tag: 'delete', xid, relationId, key: tuple() };
    if (kind === OLD_TUPLE) return { tag: 'delete', xid, relationId, old: tuple() };
    throw new RangeError(`expected 'K' or 'O' in delete, got 0x${hex2(kind)}`);
  }

  function truncate(): PgoutputMessage {
    const xid = streamXid();
    const n = r.i32();
    const options = r.u8();
    const relationIds: number[] = new Array(n);
    for (let i = 0; i < n; i++) relationIds[i] = r.u32();
    return {
      tag: 'truncate', xid, relationIds,
      cascade: (options & TRUNCATE_CASCADE) !== 0,
      restartIdentity: (options & TRUNCATE_RESTART_IDENTITY) !== 0,
    };
  }

  function body(tag: number): PgoutputMessage {
    switch (tag) {
      case BEGIN: {
        const finalLsn = r.lsn();
        const commitTime = r.timestamp();
        return { tag: 'begin', finalLsn, commitTime, commitTimeMs: pgMicrosToUnixMs(commitTime), xid: r.u32() };
      }
      case COMMIT: {
        const flags = r.u8();
        const commitLsn = r.lsn();
        const endLsn = r.lsn();
        const commitTime = r.timestamp();
        return { tag: 'commit', flags, commitLsn, endLsn, commitTime, commitTimeMs: pgMicrosToUnixMs(commitTime) };
      }
      case ORIGIN: {
        const originLsn = r.lsn();
        return { tag: 'origin', originLsn, name: r.cstring() };
      }
      case RELATION:
        return relation();
      case TYPE: {
        const xid = streamXid();
        const typeOid = r.u32();
        const namespace = r.cstring();
        return { tag: 'type', xid, typeOid, namespace, name: r.cstring() };
      }
      case INSERT: {
        const xid = streamXid();
        const relationId = r.u32();
        return { tag: 'insert', xid, relationId, new: tupleAfter(NEW_TUPLE, 'the new tuple') };
      }
      case UPDATE:
        return update();
      case DELETE:
        return del();
      case TRUNCATE:
        return truncate();
      case MESSAGE: {
        const xid = streamXid();
        const transactional = (r.u8() & 1) !== 0;
        const lsn = r.lsn();
        const prefix = r.cstring();
        return { tag: 'message', xid, transactional, lsn, prefix, content: r.bytes(r.i32()) };
      }
      case STREAM_START: {
        const xid = r.u32();
        const firstSegment = r.u8() === 1;
        inStream = true;
        return { tag: 'streamStart', xid, firstSegment };
      }
      case STREAM_STOP:
        inStream = false;
        return { tag: 'streamStop' };
      case STREAM_COMMIT: {
        const xid = r.u32();
        const flags = r.u8();
        const commitLsn = r.lsn();
        const endLsn = r.lsn();
        const commitTime = r.timestamp();
        return { tag: 'streamCommit', xid, flags, commitLsn, endLsn, commitTime, commitTimeMs: pgMicrosToUnixMs(commitTime) };
      }
      case STREAM_ABORT: {
        const xid = r.u32();
        const subXid = r.u32();
        // Abort LSN and time follow only with streaming = parallel (v4); nothing says so but the length.
        if (r.remaining() === 0) return { tag: 'streamAbort', xid, subXid };
        const abortLsn = r.lsn();
        return { tag: 'streamAbort', xid, subXid, abortLsn, abortTime: r.timestamp() };
      }
      case BEGIN_PREPARE:
      case PREPARE:
      case STREAM_PREPARE:
      case COMMIT_PREPARED:
      case ROLLBACK_PREPARED:
        return decodeTwoPhase(tag, r);
      default:
        throw new Error(`pgoutput: unknown message tag 0x${hex2(tag)} (${describeByte(tag)})`);
    }
  }

  return {
    get inStream() {
      return inStream;
    },
    decode(buf: Buffer): PgoutputMessage {
      if (buf.length === 0) throw new Error('pgoutput: empty message');
      const tag = buf[0];
      r.reset(buf, 1);
      let msg: PgoutputMessage;
      try {
        msg = body(tag);
      } catch (err) {
        if (!(err instanceof RangeError)) throw err; // the unknown-tag Error goes out as is
        throw new Error(`pgoutput: malformed ${describeByte(tag)} message (${buf.length} bytes): ${err.message}`, { cause: err });
      }
      if (r.remaining() !== 0) {
        throw new Error(`pgoutput: ${r.remaining()} unexpected trailing bytes after ${describeByte(tag)} message (${buf.length} bytes)`);
      }
      return msg;
    },
  };
}

function describeByte(b: number): string {
  return b >= 0x20 && b < 0x7f ? `'${String.fromCharCode(b)}'` : 'not printable';
}
