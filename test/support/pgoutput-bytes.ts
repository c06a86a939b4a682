// Builds raw pgoutput messages for decoder tests, byte by byte, following the
// PostgreSQL docs "Logical Replication Message Formats". Deliberately naive
// (an array of chunks), independent of the decoder under test.

export type TupleCell =
  | { kind: 'n' }
  | { kind: 'u' }
  | { kind: 't'; text: string }
  | { kind: 'b'; bytes: Buffer };

export const cell = {
  null: { kind: 'n' } as TupleCell,
  unchanged: { kind: 'u' } as TupleCell,
  text: (text: string): TupleCell => ({ kind: 't', text }),
  binary: (bytes: Buffer): TupleCell => ({ kind: 'b', bytes }),
};

export class PgBytes {
  private chunks: Buffer[] = [];

  tag(ch: string): this {
    return this.u8(ch.charCodeAt(0));
  }

  u8(v: number): this {
    this.chunks.push(Buffer.from([v]));
    return this;
  }

  i16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    this.chunks.push(b);
    return this;
  }

  i32(v: number): this {
    const b = Buffer.alloc(4);
    if (v > 0x7fffffff) b.writeUInt32BE(v);
    else b.writeInt32BE(v);
    this.chunks.push(b);
    return this;
  }

  i64(v: bigint): this {
    const b = Buffer.alloc(8);
    if (v < 0n) b.writeBigInt64BE(v);
    else b.writeBigUInt64BE(v);
    this.chunks.push(b);
    return this;
  }

  cstr(s: string): this {
    this.chunks.push(Buffer.from(s, 'utf8'), Buffer.from([0]));
    return this;
  }

  raw(b: Buffer): this {
    this.chunks.push(b);
    return this;
  }

  tuple(cells: TupleCell[]): this {
    this.i16(cells.length);
    for (const c of cells) {
      this.tag(c.kind);
      if (c.kind === 't') {
        const bytes = Buffer.from(c.text, 'utf8');
        this.i32(bytes.length).raw(bytes);
      } else if (c.kind === 'b') {
        this.i32(c.bytes.length).raw(c.bytes);
      }
    }
    return this;
  }

  build(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

export function bytes(): PgBytes {
  return new PgBytes();
}
