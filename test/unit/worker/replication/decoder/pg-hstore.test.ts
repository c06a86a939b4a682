import { describe, expect, it } from 'vitest';
import { parseHstore } from '../../../../../worker/replication/decoder/pg-hstore.ts';

describe('hstore literal', () => {
  it("hstore_out's output: quoted keys and values, backslash escapes, NULL values", () => {
    // E'a=>1, "b c"=>NULL, "q\\"x"=>"", ""=>"\\\\"'::hstore::text on PostgreSQL 17
    expect(parseHstore('""=>"\\\\", "a"=>"1", "b c"=>NULL, "q\\"x"=>""')).toEqual({ '': '\\', a: '1', 'b c': null, 'q"x': '' });
    expect(parseHstore('"k"=>"NULL"')).toEqual({ k: 'NULL' }); // quoted: the string NULL, not SQL NULL
    expect(parseHstore('"=>"=>"a, b", "é🎉"=>"\n"')).toEqual({ '=>': 'a, b', 'é🎉': '\n' });
  });

  it('the empty hstore', () => {
    expect(parseHstore('')).toEqual({});
  });

  it("hstore_in's bare words, as a hand-written literal", () => {
    expect(parseHstore('a=>1,b => null , c=>x=y')).toEqual({ a: '1', b: null, c: 'x=y' });
  });

  it('__proto__ is an ordinary key', () => {
    expect(JSON.stringify(parseHstore('"__proto__"=>"1"'))).toBe('{"__proto__":"1"}');
  });

  it('refuses malformed literals', () => {
    expect(() => parseHstore('"a"=>')).toThrow(/malformed literal/);
    expect(() => parseHstore('"a" "b"')).toThrow(/expected '=>'/);
    expect(() => parseHstore('"a"=>"b" "c"=>"d"')).toThrow(/expected ','/);
    expect(() => parseHstore('"a=>"b"')).toThrow(/expected '=>'/);
  });
});
