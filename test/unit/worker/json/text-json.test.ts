import { describe, expect, it } from 'vitest';
import { JsonOut } from '../../../../worker/json/json-out.ts';
import { jsonString, textJsonFor } from '../../../../worker/json/text-json.ts';
import { BUILTIN_TYPES, valueDecoderFor } from '../../../../worker/replication/decoder/value-decoder.ts';

// The byte renderers must write exactly JSON.stringify(decoder(text)): that
// is what the object path (and the PostgreSQL-independent tests of value
// decoding) define, and what the snapshot windows compare keys by.
const EDGE: Record<string, string[]> = {
  bool: ['t', 'f'],
  int: ['0', '-1', '32767', '-2147483648', '4294967295'],
  int8: ['0', '-9223372036854775808', '9223372036854775807', '9007199254740993'],
  float: ['0', '-0', '1.5', 'NaN', 'Infinity', '-Infinity', '1e+100', '1.2345e-05', '3.4028235e+38'],
  numeric: ['0', '-0.00', '12345678901234567890.123456789', 'NaN', 'Infinity', '-Infinity'],
  money: ['$1,234.56', '-$0.01'],
  bytea: ['\\x', '\\xdeadbeef'],
  json: ['{"a": [1, 2, "x\\"y"]}', 'null', '"\u2028"'],
  date: ['2024-02-29', '0001-01-01 BC', '10000-01-01', 'infinity', '-infinity'],
  time: ['00:00:00', '23:59:59.999999', '24:00:00'],
  timetz: ['12:00:00+00', '12:00:00.5-05:30'],
  timestamp: ['2024-01-02 03:04:05', '2024-01-02 03:04:05.123456', '0044-03-15 12:00:00 BC', '294276-12-31 23:59:59.999999', 'infinity', '-infinity'],
  timestamptz: ['2024-01-02 03:04:05+00', '2024-01-02 03:04:05.000001+00', '2024-01-02 03:04:05+05:30', '1900-01-01 00:00:00-00:01:15', '0044-03-15 12:00:00+00 BC', 'infinity'],
  interval: ['1 year 2 mons 3 days 04:05:06.789', '-00:00:01', '00:00:00'],
  text: ['', 'plain', 'quote " and backslash \\', 'tab\tnewline\ncr\rbs\bff\f', '\u0001\u001f\u007f', 'héllo wörld ✓ 𝄞', '\u2028\u2029'],
};

const render = (oid: number, text: string): string => {
  const out = new JsonOut(8);
  textJsonFor(valueDecoderFor(oid))(Buffer.from(text), 0, Buffer.byteLength(text), out);
  return out.buf.toString('utf8', 0, out.pos);
};

describe('textJsonFor', () => {
  for (const [oid, name, , kind] of BUILTIN_TYPES) {
    const texts = EDGE[kind];
    if (!texts) continue;
    it(`${name}: the bytes JSON.stringify writes for the decoded value`, () => {
      for (const text of texts) {
        let expected: string;
        try {
          expected = JSON.stringify(valueDecoderFor(oid)(text));
        } catch {
          continue; // a text of another kind this type does not accept (the decoder's own tests cover refusals)
        }
        expect(render(oid, text), `${name} ${JSON.stringify(text)}`).toBe(expected);
      }
    });
  }

  it('refuses what the decoder refuses', () => {
    expect(() => render(16, 'yes')).toThrow(/not a boolean/);
  });
});

describe('jsonString', () => {
  it('escapes every control byte the way JSON.stringify does', () => {
    for (let c = 0; c < 0x80; c++) {
      const s = `a${String.fromCharCode(c)}b`;
      const out = new JsonOut(1);
      jsonString(Buffer.from(s), 0, 3, out);
      expect(out.buf.toString('utf8', 0, out.pos)).toBe(JSON.stringify(s));
    }
  });

  it('renders bytes that are not UTF-8 as their decoded string (replacement characters), not as invalid JSON', () => {
    const src = Buffer.from([0x61, 0xff, 0xc3, 0x62]);
    const out = new JsonOut(4);
    jsonString(src, 0, src.length, out);
    expect(out.buf.toString('utf8', 0, out.pos)).toBe(JSON.stringify(src.toString('utf8')));
  });

  it('writes after what the buffer already holds, growing it without losing it', () => {
    const out = new JsonOut(2);
    out.text('[');
    const long = 'x"'.repeat(1000);
    jsonString(Buffer.from(long), 0, long.length, out);
    out.text(']');
    expect(JSON.parse(out.buf.toString('utf8', 0, out.pos))).toEqual([long]);
  });
});
