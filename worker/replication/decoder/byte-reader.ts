// A cursor over one pgoutput message. Reads are big-endian ("network byte
// order", as everywhere in the PostgreSQL protocol) straight off the Buffer,
// with no per-byte allocation: strings are decoded from slices of the input
// and the only copies made are of binary values and message contents.
import type { TupleValue } from './messages.ts';
import type { RawTuple, TupleSlab } from './raw-tuple.ts';

/**
 * Marks an unchanged TOASTed column in a TupleData ('u'): the server did not
 * send the value because the UPDATE did not touch it. It is not NULL.
 * Symbol.for, so that it stays the same symbol even if this module is loaded
 * twice (test runners, bundles).
 */
export const UNCHANGED_TOAST: unique symbol = Symbol.for('tributary.pgoutput.unchangedToast');

const EMPTY = Buffer.alloc(0);

// TupleData column kinds.
export const KIND_NULL = 0x6e; // 'n'
const KIND_UNCHANGED = 0x75; // 'u'
const KIND_TEXT = 0x74; // 't'
const KIND_BINARY = 0x62; // 'b'

export class ByteReader {
  buf: Buffer = EMPTY;
  off = 0;

  reset(buf: Buffer, off: number): void {
    this.buf = buf;
    this.off = off;
  }

  remaining(): number {
    return this.buf.length - this.off;
  }

  // Buffer#read* throw a RangeError past the end: a truncated message fails.
  u8(): number {
    const v = this.buf.readUInt8(this.off);
    this.off += 1;
    return v;
  }

  i16(): number {
    const v = this.buf.readInt16BE(this.off);
    this.off += 2;
    return v;
  }

  /** Int32 read as unsigned: xids and OIDs are uint32 in PostgreSQL. */
  u32(): number {
    const v = this.buf.readUInt32BE(this.off);
    this.off += 4;
    return v;
  }

  i32(): number {
    const v = this.buf.readInt32BE(this.off);
    this.off += 4;
    return v;
  }

  /** XLogRecPtr: uint64. */
  lsn(): bigint {
    const v = this.buf.readBigUInt64BE(this.off);
    this.off += 8;
    return v;
  }

  /** TimestampTz: int64 microseconds since 2000-01-01 00:00:00 UTC. */
  timestamp(): bigint {
    const v = this.buf.readBigInt64BE(this.off);
    this.off += 8;
    return v;
  }

  /** String: NUL-terminated. */
  cstring(): string {
    const end = this.buf.indexOf(0, this.off);
    if (end < 0) throw new RangeError(`unterminated string at offset ${this.off}`);
    const s = this.buf.toString('utf8', this.off, end);
    this.off = end + 1;
    return s;
  }

  /** Byten of a given length, copied (the input buffer may be reused by the socket reader). */
  bytes(len: number): Buffer {
    const end = this.checkLength(len);
    const out = Buffer.allocUnsafe(len);
    this.buf.copy(out, 0, this.off, end);
    this.off = end;
    return out;
  }

  /** Byten decoded as UTF-8. */
  text(len: number): string {
    const end = this.checkLength(len);
    const s = this.buf.toString('utf8', this.off, end);
    this.off = end;
    return s;
  }

  /** TupleData: Int16 column count, then per column a kind byte and maybe Int32 length + Byten. */
  tuple(): TupleValue[] {
    const n = this.i16();
    const values: TupleValue[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const kind = this.buf[this.off++];
      switch (kind) {
        case KIND_TEXT:
          values[i] = this.text(this.i32());
          break;
        case KIND_NULL:
          values[i] = null;
          break;
        case KIND_UNCHANGED:
          values[i] = UNCHANGED_TOAST;
          break;
        case KIND_BINARY:
          values[i] = this.bytes(this.i32());
          break;
        default:
          throw new RangeError(
            kind === undefined
              ? `tuple truncated at column ${i} of ${n}`
              : `unknown tuple column kind 0x${hex2(kind)} at column ${i}`,
          );
      }
    }
    return values;
  }

  /** tuple(), kept as its bytes (copied into `slab`): checked the same way, decoded only if asked (raw-tuple.ts). */
  rawTuple(slab: TupleSlab): RawTuple {
    const start = this.off;
    const n = this.i16();
    let unusual = false;
    for (let i = 0; i < n; i++) {
      const kind = this.buf[this.off++];
      if (kind === KIND_TEXT || kind === KIND_BINARY) {
        if (kind === KIND_BINARY) unusual = true;
        this.off = this.checkLength(this.i32());
      } else if (kind === KIND_UNCHANGED) {
        unusual = true;
      } else if (kind !== KIND_NULL) {
        throw new RangeError(kind === undefined ? `tuple truncated at column ${i} of ${n}` : `unknown tuple column kind 0x${hex2(kind)} at column ${i}`);
      }
    }
    return slab.copy(this.buf, start, this.off, n, unusual);
  }

  private checkLength(len: number): number {
    const end = this.off + len;
    // Buffer#toString would silently clamp a too-long length: refuse instead.
    if (len < 0 || end > this.buf.length) {
      throw new RangeError(`length ${len} at offset ${this.off} overruns the ${this.buf.length}-byte message`);
    }
    return end;
  }
}

export function hex2(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}
