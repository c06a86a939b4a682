import { describe, expect, it } from 'vitest';
import { rowBuilder } from '../../../../worker/snapshot/row-builder.ts';
import { valueDecoderFor } from '../../../../worker/replication/decoder/value-decoder.ts';

describe('snapshot row builder', () => {
  it('builds rows in column order with decoded values, NULL as null, the key in key order', () => {
    const build = rowBuilder(['tenant', 'id', 'at', 'note'], [20, 20, 1184, 25].map(valueDecoderFor), [1, 0]);
    const fields = ['7', '9007199254740993', '2024-01-02 03:04:05.5+00', null, '8', '1', '2024-01-02 03:04:05+00', 'x'];
    const first = build(fields, 0);
    expect(JSON.stringify(first.after)).toBe('{"tenant":7,"id":9007199254740993,"at":"2024-01-02T03:04:05.5Z","note":null}');
    expect(JSON.stringify(first.key)).toBe('{"id":9007199254740993,"tenant":7}');
    expect(JSON.stringify(build(fields, 4))).toBe('{"key":{"id":1,"tenant":8},"after":{"tenant":8,"id":1,"at":"2024-01-02T03:04:05Z","note":"x"}}');
  });

  it('takes any column name as data, never as code', () => {
    const names = ['a"b', "c'd", 'e\\f', '`${g}`', '\u2028', '}); throw 1; ({', 'constructor', '__proto__'];
    const build = rowBuilder(names, names.map(() => (t: string) => t), [7]);
    const row = build(names.map((_, i) => String(i)), 0);
    expect(Object.keys(row.after)).toEqual(names);
    expect(Object.values(row.after)).toEqual(names.map((_, i) => String(i)));
    // "__proto__" is an own property, as in the stream's null-prototype rows, not the prototype
    expect(Object.getPrototypeOf(row.after)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(row.key))).toEqual(JSON.parse('{"__proto__":"7"}'));
  });
});
