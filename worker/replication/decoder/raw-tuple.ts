// A TupleData kept as pgoutput's own bytes instead of a string per column:
// the form a Kafka job's change builder renders straight to JSON
// (worker/json/). Decoding runs in the socket callback, whose buffer is
// reused, so the tuple's bytes are copied — into a shared slab, one copy and
// no allocation per change — and read again when the change is built.
import type { TupleValue } from './messages.ts';
import { ByteReader } from './byte-reader.ts';

export class RawTuple {
  /** From data[start]: the TupleData as pgoutput sent it: an Int16 column count, then per column a kind byte and, for 't' and 'b', an Int32 length and the bytes. */
  readonly data: Buffer;
  readonly start: number;
  readonly columns: number;
  /** Some column is 'u' (unchanged TOAST) or 'b' (binary): such a tuple takes the decoded path. */
  readonly unusual: boolean;

  constructor(data: Buffer, start: number, columns: number, unusual: boolean) {
    this.data = data;
    this.start = start;
    this.columns = columns;
    this.unusual = unusual;
  }

  /** The columns as the ordinary decoder returns them. */
  values(): TupleValue[] {
    const r = new ByteReader();
    r.reset(this.data, this.start);
    return r.tuple();
  }
}

const SLAB = 1 << 20;
const OWN = 64 * 1024; // a tuple this large gets a buffer of its own rather than most of a slab

/** Where raw tuples are copied: slab after slab; a slab is freed when the last tuple in it is. */
export class TupleSlab {
  private slab = Buffer.allocUnsafeSlow(SLAB);
  private pos = 0;

  copy(src: Buffer, start: number, end: number, columns: number, unusual: boolean): RawTuple {
    const n = end - start;
    if (n >= OWN) return new RawTuple(Buffer.from(src.subarray(start, end)), 0, columns, unusual);
    if (this.pos + n > this.slab.length) {
      this.slab = Buffer.allocUnsafeSlow(SLAB);
      this.pos = 0;
    }
    const at = this.pos;
    src.copy(this.slab, at, start, end);
    this.pos += n;
    return new RawTuple(this.slab, at, columns, unusual);
  }
}
