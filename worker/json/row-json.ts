import type { ValueDecoder } from '../replication/decoder/value-decoder.ts';
import { KIND_NULL } from '../replication/decoder/byte-reader.ts';
import type { RawTuple } from '../replication/decoder/raw-tuple.ts';
import type { JsonOut } from './json-out.ts';
import { textJsonFor, type TextToJson } from './text-json.ts';

// A table's row layout for rendering rows as JSON bytes: the `{"name":` and
// `,"name":` fragments encoded once, a value renderer per column, and the
// key columns. A row renders to the same text as JSON.stringify of the row
// object the change builder or the snapshot's row builder would make
// (properties in column order), so keys compare equal as text across paths.

export type RowLayout = {
  width: number;
  /** Per column: what precedes its value (`{"id":` for the first, `,"kind":` after). */
  prefix: Buffer[];
  /** Per key column: `{"id":` or `,"id":`, in key order. */
  keyPrefix: Buffer[];
  keyIndexes: readonly number[];
  value: TextToJson[];
};

export function rowLayout(names: readonly string[], decoders: readonly ValueDecoder[], keyIndexes: readonly number[]): RowLayout {
  const fragment = (name: string, first: boolean) => Buffer.from(`${first ? '{' : ','}${JSON.stringify(name)}:`);
  return {
    width: names.length,
    prefix: names.map((n, i) => fragment(n, i === 0)),
    keyPrefix: keyIndexes.map((c, i) => fragment(names[c], i === 0)),
    keyIndexes,
    value: decoders.map(textJsonFor),
  };
}

const NULL = Buffer.from('null');
const EMPTY_OBJECT = Buffer.from('{}');

/**
 * The key object made of the key columns' values already rendered at
 * out.buf[valueAt[c], valueEnd[c]): returns its start; it ends at out.pos.
 */
export function writeKey(layout: RowLayout, out: JsonOut, valueAt: Int32Array, valueEnd: Int32Array): number {
  const at = out.pos;
  const keys = layout.keyIndexes;
  for (let k = 0; k < keys.length; k++) {
    const c = keys[k];
    const prefix = layout.keyPrefix[k];
    out.ensure(prefix.length + valueEnd[c] - valueAt[c] + 1);
    out.bytes(prefix, 0, prefix.length);
    out.pos += out.buf.copy(out.buf, out.pos, valueAt[c], valueEnd[c]); // ensure() came first: out.buf is the buffer the values are in
  }
  out.byte(0x7d); // }
  return at;
}

export function writeNull(out: JsonOut): void {
  out.bytes(NULL, 0, 4);
}

/** A row of no columns (a table whose columns were all dropped) renders as JSON.stringify({}) does. */
export function writeEmptyRow(out: JsonOut): void {
  out.bytes(EMPTY_OBJECT, 0, 2);
}

/**
 * A pgoutput tuple kept as bytes (only 't' and 'n' columns: the caller
 * checked `unusual`) rendered as a row; each column's value span is left in
 * valueAt/valueEnd for writeKey. Returns the row's start; it ends at out.pos.
 */
export function writeRawTuple(layout: RowLayout, t: RawTuple, out: JsonOut, valueAt: Int32Array, valueEnd: Int32Array): number {
  const at = out.pos;
  if (layout.width === 0) {
    writeEmptyRow(out);
    return at;
  }
  const d = t.data;
  let p = t.start + 2; // past the column count
  for (let c = 0; c < layout.width; c++) {
    const prefix = layout.prefix[c];
    out.bytes(prefix, 0, prefix.length);
    valueAt[c] = out.pos;
    if (d[p++] === KIND_NULL) writeNull(out);
    else {
      const length = ((d[p] << 24) | (d[p + 1] << 16) | (d[p + 2] << 8) | d[p + 3]) >>> 0;
      p += 4;
      layout.value[c](d, p, p + length, out);
      p += length;
    }
    valueEnd[c] = out.pos;
  }
  out.byte(0x7d); // }
  return at;
}
