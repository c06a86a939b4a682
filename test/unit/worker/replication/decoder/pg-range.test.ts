import { describe, expect, it } from 'vitest';
import { parseMultirange, parseRange } from '../../../../../worker/replication/decoder/pg-range.ts';

// Literals are range_out / multirange_out output captured from PostgreSQL 17.
const text = (t: string) => t;
const r = (lower: unknown, upper: unknown, lowerInclusive: boolean, upperInclusive: boolean) => ({ lower, upper, lowerInclusive, upperInclusive, empty: false });
const EMPTY = { lower: null, upper: null, lowerInclusive: false, upperInclusive: false, empty: true };

describe('range literal', () => {
  it('bounds by the subtype, brackets as inclusivity', () => {
    expect(parseRange('[1,10)', Number)).toEqual(r(1, 10, true, false));
    expect(parseRange('(1.5,2.5]', text)).toEqual(r('1.5', '2.5', false, true));
    expect(parseRange('[1.5,Infinity)', text)).toEqual(r('1.5', 'Infinity', true, false)); // float8 infinity is a value
  });

  it('unbounded sides are null and exclusive; empty has its own shape', () => {
    expect(parseRange('(,5)', Number)).toEqual(r(null, 5, false, false));
    expect(parseRange('[2024-01-01,)', text)).toEqual(r('2024-01-01', null, true, false));
    expect(parseRange('(,)', text)).toEqual(r(null, null, false, false));
    expect(parseRange('empty', text)).toEqual(EMPTY);
  });

  it('quoted bounds: empty string, commas, brackets, quotes, backslashes, spaces; NULL is a word', () => {
    expect(parseRange('["",)', text)).toEqual(r('', null, true, false));
    expect(parseRange('["a,b","x""y")', text)).toEqual(r('a,b', 'x"y', true, false));
    expect(parseRange('["a\\\\b",{x})', text)).toEqual(r('a\\b', '{x}', true, false));
    expect(parseRange('[" ",NULL)', text)).toEqual(r(' ', 'NULL', true, false));
    expect(parseRange('["(]",")[")', text)).toEqual(r('(]', ')[', true, false));
    expect(parseRange('["2024-01-01 02:00:00+00",)', text)).toEqual(r('2024-01-01 02:00:00+00', null, true, false));
  });

  it('refuses malformed literals', () => {
    expect(() => parseRange('1,2', text)).toThrow(/expected '\[', '\(' or 'empty'/);
    expect(() => parseRange('[1)', text)).toThrow(/expected ','/);
    expect(() => parseRange('[1,2', text)).toThrow(/unexpected end/);
    expect(() => parseRange('[1,2)x', text)).toThrow(/trailing characters/);
    expect(() => parseRange('emptyx', text)).toThrow(/trailing characters/);
  });
});

describe('multirange literal', () => {
  it('an array of ranges, [] when empty', () => {
    expect(parseMultirange('{[1,3),[5,7)}', Number)).toEqual([r(1, 3, true, false), r(5, 7, true, false)]);
    expect(parseMultirange('{}', Number)).toEqual([]);
    expect(parseMultirange('{(,3),[5,)}', Number)).toEqual([r(null, 3, false, false), r(5, null, true, false)]);
    expect(parseMultirange('{[a,b),["c d","e\\\\f")}', text)).toEqual([r('a', 'b', true, false), r('c d', 'e\\f', true, false)]);
  });

  it('accepts the spaces multirange_in allows', () => {
    expect(parseMultirange('{ [1,3) , [5,7) }', Number)).toEqual([r(1, 3, true, false), r(5, 7, true, false)]);
  });

  it('refuses malformed literals', () => {
    expect(() => parseMultirange('[1,3)', Number)).toThrow(/expected '\{'/);
    expect(() => parseMultirange('{[1,3)', Number)).toThrow(/expected ',' or '\}'/);
    expect(() => parseMultirange('{[1,3)}]', Number)).toThrow(/trailing characters/);
  });
});
