// PostgreSQL's COPY text format (`COPY … TO STDOUT`, the default format):
// one line per row ended by \n, fields separated by a tab, NULL written as
// \N, and inside a value a backslash escapes \b \f \n \r \t \v and itself
// (CopyAttributeOutText). The values are the type output functions' text,
// exactly what a text-format SELECT returns, so the same value decoders
// apply. Parsing the whole chunk as one string, field by field with
// indexOf, costs a fraction of pg's per-row DataRow objects and per-field
// UTF-8 decodes (the tab, newline and backslash bytes never occur inside a
// multi-byte UTF-8 sequence, so splitting the decoded string is exact).

/**
 * The fields of every row, row after row in one flat array (rows × columns
 * entries, NULL as null): one allocation per chunk instead of one per row.
 */
export function parseCopyText(text: string, columns: number): Array<string | null> {
  const fields: Array<string | null> = [];
  const end = text.length;
  let pos = 0;
  // the next tab and backslash at or after pos, found again only once passed: a table without either is scanned once, not once per row
  let tab = next(text, '\t', 0);
  let backslash = next(text, '\\', 0);
  while (pos < end) {
    const eol = text.indexOf('\n', pos);
    if (eol < 0) throw malformed('a row without its newline', fields.length / columns);
    for (let c = 0; c < columns; c++) {
      let stop = eol;
      if (c < columns - 1) {
        if (tab > eol) throw malformed(`${c + 1} fields where ${columns} were expected`, Math.floor(fields.length / columns));
        stop = tab;
      } else if (tab < eol) throw malformed(`more than ${columns} fields`, Math.floor(fields.length / columns));
      if (backslash >= stop) fields.push(text.slice(pos, stop));
      else if (stop - pos === 2 && text.charCodeAt(pos + 1) === 0x4e /* N */) fields.push(null); // \N
      else fields.push(unescape(text, pos, stop));
      pos = stop + 1;
      if (tab < pos) tab = next(text, '\t', pos);
      if (backslash < pos) backslash = next(text, '\\', pos);
    }
  }
  return fields;
}

function next(text: string, ch: string, from: number): number {
  const i = text.indexOf(ch, from);
  return i < 0 ? text.length : i;
}

function malformed(what: string, row: number): Error {
  return new Error(`COPY text output malformed at row ${row + 1}: ${what}`);
}

/** A value with backslash escapes, as text (unescapeCopyBytes does the work on its UTF-8). */
function unescape(text: string, from: number, to: number): string {
  const bytes = Buffer.from(text.slice(from, to), 'utf8');
  return unescapeCopyBytes(bytes, 0, bytes.length).toString('utf8');
}

const SIMPLE_BYTES: Record<number, number> = { 0x62: 0x08, 0x66: 0x0c, 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x76: 0x0b };

/**
 * A value's UTF-8 with its backslash escapes resolved. COPY TO writes only the
 * single-letter ones and \\; the octal and hex forms COPY FROM accepts are
 * read too, for bytes below 0x80 (above, they would be one byte of a UTF-8
 * sequence, which COPY TO never splits that way).
 */
export function unescapeCopyBytes(src: Buffer, from: number, to: number): Buffer {
  const out = Buffer.allocUnsafe(to - from);
  let n = 0;
  for (let i = from; i < to; i++) {
    const b = src[i];
    if (b !== 0x5c) {
      out[n++] = b;
      continue;
    }
    if (i + 1 >= to) throw new Error('COPY text output malformed: a value ends with a lone backslash');
    const next = src[i + 1];
    if (next >= 0x30 && next <= 0x37) {
      let digits = 1;
      while (digits < 3 && i + 1 + digits < to && src[i + 1 + digits] >= 0x30 && src[i + 1 + digits] <= 0x37) digits++;
      out[n++] = checkedByte(parseInt(src.toString('latin1', i + 1, i + 1 + digits), 8));
      i += digits;
    } else if (next === 0x78 && i + 2 < to && isHexByte(src[i + 2])) {
      const digits = i + 3 < to && isHexByte(src[i + 3]) ? 2 : 1;
      out[n++] = checkedByte(parseInt(src.toString('latin1', i + 2, i + 2 + digits), 16));
      i += 1 + digits;
    } else {
      out[n++] = SIMPLE_BYTES[next] ?? next; // \\ and any other escaped byte stand for themselves
      i += 1;
    }
  }
  return out.subarray(0, n);
}

function isHexByte(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);
}

function checkedByte(byte: number): number {
  if (byte >= 0x80) throw new Error(`COPY text output holds the escaped byte 0x${byte.toString(16)}, which COPY TO does not write`);
  return byte;
}
