import { describe, expect, it } from 'vitest';
import { parseComposite, type CompositeField } from '../../../../../worker/replication/decoder/pg-composite.ts';

// Literals are record_out's output, captured from PostgreSQL 17 for
// inner_t (a int, b text) and outer_t (x inner_t, y text[], z numeric, w mood).
const text = (name: string): CompositeField => ({ name, decode: (t) => t });
const INNER: CompositeField[] = [{ name: 'a', decode: Number }, text('b')];
const OUTER: CompositeField[] = [{ name: 'x', decode: (t) => parseComposite(t, INNER) }, text('y'), text('z'), text('w')];

describe('composite literal', () => {
  it('fields by name, decoded by their own type, with quoting, doubled quotes and backslashes', () => {
    // row(row(1, 'a,"b" \ c'), array['x y', null, ''], 1.5, 'happy, "very"')::outer_t
    expect(parseComposite('("(1,""a,""""b"""" \\\\\\\\ c"")","{""x y"",NULL,""""}",1.5,"happy, ""very""")', OUTER)).toEqual({
      x: { a: 1, b: 'a,"b" \\ c' }, y: '{"x y",NULL,""}', z: '1.5', w: 'happy, "very"',
    });
  });

  it('NULL fields are empty, an empty string is "" and a composite of NULLs is not NULL', () => {
    expect(parseComposite('(,,,)', OUTER)).toEqual({ x: null, y: null, z: null, w: null });
    expect(parseComposite('("(,"""")",,,)', OUTER)).toEqual({ x: { a: null, b: '' }, y: null, z: null, w: null });
    expect(parseComposite('("(,)",{},,)', OUTER)).toEqual({ x: { a: null, b: null }, y: '{}', z: null, w: null });
  });

  it('keeps parentheses, unicode and whitespace inside quoted fields', () => {
    expect(parseComposite('(7,"(x) 🎉\tü")', INNER)).toEqual({ a: 7, b: '(x) 🎉\tü' });
    expect(parseComposite('(7,"")', INNER)).toEqual({ a: 7, b: '' });
    expect(parseComposite('(7," ")', INNER)).toEqual({ a: 7, b: ' ' });
  });

  it("a field named __proto__ becomes an own key, not the object's prototype", () => {
    const out = parseComposite('(1,x)', [{ name: '__proto__', decode: Number }, text('b')]);
    expect(Object.keys(out)).toEqual(['__proto__', 'b']);
    expect(JSON.stringify(out)).toBe('{"__proto__":1,"b":"x"}');
  });

  it('a type with no fields', () => {
    expect(parseComposite('()', [])).toEqual({});
  });

  it('refuses malformed literals and a field count other than the catalog says', () => {
    expect(() => parseComposite('1,2', INNER)).toThrow(/expected '\('/);
    expect(() => parseComposite('(1,2', INNER)).toThrow(/unexpected end/);
    expect(() => parseComposite('(1,"2)', INNER)).toThrow(/unterminated quoted value/);
    expect(() => parseComposite('(1,2)x', INNER)).toThrow(/trailing characters/);
    expect(() => parseComposite('(1,2,3)', INNER)).toThrow(/does not have the 2 fields \(a, b\)/);
    expect(() => parseComposite('(1)', INNER)).toThrow(/does not have the 2 fields/);
  });
});
