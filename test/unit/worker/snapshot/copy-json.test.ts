import { describe, expect, it } from 'vitest';
import { copyToJson } from '../../../../worker/snapshot/copy-json.ts';
import { parseCopyText } from '../../../../worker/snapshot/copy-text.ts';
import { rowBuilder } from '../../../../worker/snapshot/row-builder.ts';
import { rowLayout } from '../../../../worker/json/row-json.ts';
import { valueDecoderFor } from '../../../../worker/replication/decoder/value-decoder.ts';

// copyToJson must render what the row-object path renders: parseCopyText,
// the generated row builder and JSON.stringify. Both are run on the same COPY
// text and compared byte for byte.
const COLUMNS: Array<[name: string, oid: number]> = [
  ['note', 25], ['id', 20], ['region', 1043], ['amount', 1700], ['paid', 16], ['at', 1184], ['tags', 1009], ['__proto__', 23], ['ratio', 701],
];
const names = COLUMNS.map(([n]) => n);
const decoders = COLUMNS.map(([, oid]) => valueDecoderFor(oid));
const KEY = [2, 1]; // (region, id): not the first columns, not in column order

const ROWS = [
  ['plain', '1', 'eu', '12.50', 't', '2024-01-02 03:04:05.5+00', '{a,b}', '7', '1.5'],
  ['tab\\there\\nnewline \\\\ backslash "quote"', '9223372036854775807', 'zürich ✓', '-0.01', 'f', '2024-01-02 03:04:05+05:30', '{"x y",NULL}', '-1', 'NaN'],
  ['\\N', '-9223372036854775808', 'us', '\\N', '\\N', '0044-03-15 12:00:00+00 BC', '{}', '\\N', '-0'],
  ['', '3', 'octal \\101 hex \\x42', 'NaN', 't', 'infinity', '\\N', '0', '1e+100'],
  ['\u0001 control \u001f', '4', '𝄞', '0', 'f', '1999-12-31 23:59:59.999999+00', '{"\\\\\\\\"}', '2147483647', 'Infinity'],
];
const copy = Buffer.from(ROWS.map((r) => r.join('\t') + '\n').join(''));

describe('copyToJson', () => {
  it('renders every row, and its key, to the bytes the row-object path renders', () => {
    const { rows, lastKey, bytes } = copyToJson(copy, copy.length, rowLayout(names, decoders, KEY));
    const fields = parseCopyText(copy.toString('utf8'), names.length);
    const build = rowBuilder(names, decoders, KEY);
    expect(rows.count).toBe(ROWS.length);
    for (let r = 0; r < rows.count; r++) {
      const built = build(fields, r * names.length);
      const s = r * 4;
      expect(rows.data.toString('utf8', rows.spans[s + 2], rows.spans[s + 2] + rows.spans[s + 3])).toBe(JSON.stringify(built.after));
      expect(rows.data.toString('utf8', rows.spans[s], rows.spans[s] + rows.spans[s + 1])).toBe(JSON.stringify(built.key));
    }
    expect(lastKey).toEqual(['𝄞', '4']);
    expect(bytes).toBe(copy.length - ROWS.length * names.length); // all but the tabs and newlines
  });

  it('marks rows of a table without a key as keyless', () => {
    const { rows } = copyToJson(Buffer.from('1\n2\n'), 4, rowLayout(['n'], [valueDecoderFor(23)], []));
    expect([...rows.spans]).toEqual([0, -1, 0, 7, 0, -1, 7, 7]);
    expect(rows.data.toString('utf8', 0, 14)).toBe('{"n":1}{"n":2}');
  });

  it('reads only the bytes it is given: the connection reuses a larger buffer', () => {
    const reused = Buffer.concat([Buffer.from('5\tx\n'), Buffer.from('garbage that is not COPY')]);
    const { rows } = copyToJson(reused, 4, rowLayout(['id', 'v'], [valueDecoderFor(23), valueDecoderFor(25)], [0]));
    expect(rows.count).toBe(1);
  });

  it('refuses text that is not COPY output of that many columns, naming the row', () => {
    const layout = rowLayout(['a', 'b'], [valueDecoderFor(25), valueDecoderFor(25)], [0]);
    const parse = (text: string) => copyToJson(Buffer.from(text), Buffer.byteLength(text), layout);
    expect(() => parse('x\ty\nonly one\n')).toThrow('COPY text output malformed at row 2: 1 fields where 2 were expected');
    expect(() => parse('x\ty\tz\n')).toThrow('at row 1: more than 2 fields');
    expect(() => parse('x\ty')).toThrow('at row 1: a row without its newline');
    expect(() => parse('x\ty\\\n')).toThrow('a lone backslash');
  });
});
