import { JsonOut } from '../json/json-out.ts';
import { writeEmptyRow, writeKey, writeNull, type RowLayout } from '../json/row-json.ts';
import { unescapeCopyBytes } from './copy-text.ts';

// A chunk's COPY text output (copy-text.ts describes the format) rendered
// straight into JSON rows, bytes to bytes: no string per field, no row
// object, no JSON.stringify. This is the snapshot's hot loop for a Kafka
// destination (bench/RESULTS.md has the figures against the object path,
// which a PostgreSQL destination still uses: it needs the text values).

/** A chunk's rows as JSON: per row four numbers in `spans`, key start and length (−1: no key), row start and length. */
export type JsonRows = { data: Buffer; spans: Int32Array; count: number };

export type CopyJson = {
  rows: JsonRows;
  /** The last row's key values as text (unescaped), for the next chunk's range. */
  lastKey: string[] | undefined;
  /** Value bytes read, for the MB/s throttle and progress. */
  bytes: number;
};

export function copyToJson(src: Buffer, end: number, layout: RowLayout): CopyJson {
  const width = layout.width;
  const keyed = layout.keyIndexes.length > 0;
  const out = new JsonOut(Math.max(4096, end * 2));
  let spans = new Int32Array(1024);
  const valueAt = new Int32Array(width);
  const valueEnd = new Int32Array(width);
  const fieldAt = new Int32Array(width);
  const fieldEnd = new Int32Array(width);
  let count = 0;
  let bytes = 0;
  let pos = 0;
  while (pos < end) {
    const rowAt = out.pos;
    const rowStart = pos;
    if (width === 0) {
      if (src[pos] !== 0x0a) throw malformed('more than 0 fields', count);
      pos++;
      writeEmptyRow(out);
    }
    for (let c = 0; c < width; c++) {
      const start = pos;
      let escaped = false;
      let b = -1;
      while (pos < end) {
        b = src[pos];
        if (b === 0x09 || b === 0x0a) break;
        if (b === 0x5c) escaped = true;
        pos++;
      }
      if (pos >= end) throw malformed('a row without its newline', count);
      if (c < width - 1 && b !== 0x09) throw malformed(`${c + 1} fields where ${width} were expected`, count);
      if (c === width - 1 && b !== 0x0a) throw malformed(`more than ${width} fields`, count);
      const prefix = layout.prefix[c];
      out.bytes(prefix, 0, prefix.length);
      valueAt[c] = out.pos;
      fieldAt[c] = start;
      fieldEnd[c] = pos;
      if (!escaped) layout.value[c](src, start, pos, out);
      else if (pos - start === 2 && src[start + 1] === 0x4e /* \N */) writeNull(out);
      else {
        const value = unescapeCopyBytes(src, start, pos);
        layout.value[c](value, 0, value.length, out);
      }
      valueEnd[c] = out.pos;
      pos++;
    }
    if (width > 0) out.byte(0x7d); // }
    const rowEnd = out.pos;
    if ((count + 1) * 4 > spans.length) {
      const grown = new Int32Array(spans.length * 2);
      grown.set(spans);
      spans = grown;
    }
    const s = count * 4;
    if (keyed) {
      spans[s] = writeKey(layout, out, valueAt, valueEnd);
      spans[s + 1] = out.pos - spans[s];
    } else {
      spans[s] = 0;
      spans[s + 1] = -1;
    }
    spans[s + 2] = rowAt;
    spans[s + 3] = rowEnd - rowAt;
    bytes += pos - rowStart - width; // the separators are not value bytes
    count++;
  }
  const lastKey = count > 0 && keyed ? layout.keyIndexes.map((c) => unescapeCopyBytes(src, fieldAt[c], fieldEnd[c]).toString('utf8')) : undefined;
  return { rows: { data: out.buf, spans: spans.subarray(0, count * 4), count }, lastKey, bytes };
}

function malformed(what: string, row: number): Error {
  return new Error(`COPY text output malformed at row ${row + 1}: ${what}`);
}
