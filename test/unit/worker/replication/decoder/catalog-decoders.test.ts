import { describe, expect, it } from 'vitest';
import { createValueDecoders, type UnknownType } from '../../../../../worker/replication/decoder/value-decoder.ts';
import type { CatalogType, TypeCatalog } from '../../../../../worker/replication/type-catalog.ts';

// A catalog as loadTypeCatalog reads it from a database with:
//   CREATE TYPE mood AS ENUM (…); CREATE DOMAIN posint AS int4 …; CREATE DOMAIN intarr AS int4[];
//   CREATE DOMAIN boxdom AS box; CREATE TYPE inner_t AS (a int4, b text);
//   CREATE TYPE outer_t AS (x inner_t, y posint[], z numeric, w mood, r floatrange);
//   CREATE TYPE floatrange AS RANGE (subtype = float8); CREATE EXTENSION hstore; (PostGIS) geometry
const T = (oid: number, name: string, rest: { kind: CatalogType['kind']; [k: string]: unknown }): [number, CatalogType] =>
  [oid, { oid, namespace: 'public', name, delim: ',', ...rest } as CatalogType];
const CATALOG: TypeCatalog = new Map([
  T(16400, 'mood', { kind: 'enum' }),
  T(16401, '_mood', { kind: 'array', element: 16400 }),
  T(16402, 'posint', { kind: 'domain', base: 23 }),
  T(16403, '_posint', { kind: 'array', element: 16402 }),
  T(16404, 'intarr', { kind: 'domain', base: 1007 }),
  T(16405, 'boxdom', { kind: 'domain', base: 603, delim: ';' }),
  T(16406, '_boxdom', { kind: 'array', element: 16405 }),
  T(16410, 'inner_t', { kind: 'composite', fields: [{ name: 'a', type: 23 }, { name: 'b', type: 25 }] }),
  T(16411, '_inner_t', { kind: 'array', element: 16410 }),
  T(16412, 'outer_t', { kind: 'composite', fields: [{ name: 'x', type: 16410 }, { name: 'y', type: 16403 }, { name: 'z', type: 1700 }, { name: 'w', type: 16400 }, { name: 'r', type: 16420 }] }),
  T(16420, 'floatrange', { kind: 'range', subtype: 701 }),
  T(16421, 'floatmultirange', { kind: 'multirange', range: 16420 }),
  T(16430, 'hstore', { kind: 'base' }),
  T(16431, '_hstore', { kind: 'array', element: 16430 }),
  T(16440, 'geometry', { kind: 'base' }),
  T(16450, 'tsrange_d', { kind: 'domain', base: 3908 }),
]);
const r = (lower: unknown, upper: unknown, lowerInclusive: boolean, upperInclusive: boolean) => ({ lower, upper, lowerInclusive, upperInclusive, empty: false });

describe('value decoders from the type catalog', () => {
  const decoders = createValueDecoders(CATALOG);
  const decode = (oid: number, text: string) => decoders.decoderFor(oid)(text);

  it('enums are their label; arrays of enums are arrays of labels', () => {
    expect(decode(16400, 'happy, "very"')).toBe('happy, "very"');
    expect(decode(16401, '{sad,"happy, \\"very\\"",NULL}')).toEqual(['sad', 'happy, "very"', null]);
  });

  it('domains decode as their base type, over scalars and over arrays; arrays of domains by the domain', () => {
    expect(decode(16402, '5')).toBe(5);
    expect(decode(16403, '{1,NULL,3}')).toEqual([1, null, 3]);
    expect(decode(16404, '{{1,NULL},{3,4}}')).toEqual([[1, null], [3, 4]]);
    expect(decode(16406, '{(1,1),(0,0);(2,2),(0,0)}')).toEqual(['(1,1),(0,0)', '(2,2),(0,0)']); // the domain keeps box's ';'
    expect(decode(16450, '["2024-01-01 00:00:00.000001",)')).toEqual(r('2024-01-01T00:00:00.000001', null, true, false));
  });

  it('composites become objects whose fields decode by type, nested, in arrays', () => {
    expect(decode(16412, '("(1,""a,b"")","{1,NULL}",12.50,sad,"[1.5,Infinity)")')).toEqual({
      x: { a: 1, b: 'a,b' }, y: [1, null], z: '12.50', w: 'sad', r: r(1.5, 'Infinity', true, false),
    });
    expect(decode(16411, '{"(1,x)",NULL,"(,)"}')).toEqual([{ a: 1, b: 'x' }, null, { a: null, b: null }]);
  });

  it('user ranges and multiranges decode bounds by the subtype', () => {
    expect(decode(16420, '(-Infinity,2.5]')).toEqual(r('-Infinity', 2.5, false, true));
    expect(decode(16421, '{[1,2),[3,4)}')).toEqual([r(1, 2, true, false), r(3, 4, true, false)]);
  });

  it('extension types by name: hstore → object, geometry → its hex EWKB text', () => {
    expect(decode(16430, '"a"=>"1", "b"=>NULL')).toEqual({ a: '1', b: null });
    expect(decode(16431, '{"\\"a\\"=>\\"1\\"",""}')).toEqual([{ a: '1' }, {}]);
    const ewkb = '0101000020E6100000000000000000F03F0000000000000040';
    expect(decode(16440, ewkb)).toBe(ewkb);
  });

  it('built-in types need no catalog', () => {
    expect(JSON.stringify(decode(20, '9007199254740993'))).toBe('9007199254740993');
    expect(decode(3904, 'empty')).toMatchObject({ empty: true });
  });

  it('resolves each type once', () => {
    expect(decoders.decoderFor(16412)).toBe(decoders.decoderFor(16412));
  });
});

describe('types the catalog does not know', () => {
  it('are their text, reported once each, named by the Type message when one came', () => {
    const reports: UnknownType[] = [];
    const decoders = createValueDecoders(CATALOG, { onUnknownType: (t) => reports.push(t) });
    expect(decoders.decoderFor(99999)('(1,x)')).toBe('(1,x)');
    expect(decoders.decoderFor(99999)('(2,y)')).toBe('(2,y)');
    decoders.noteType({ typeOid: 99998, namespace: 'public', name: 'late_t' });
    expect(decoders.decoderFor(99998)('(3,z)')).toBe('(3,z)');
    expect(reports).toEqual([{ oid: 99999 }, { oid: 99998, namespace: 'public', name: 'late_t' }]);
  });

  it('an hstore created after the catalog was loaded is still an object, by the name its Type message gives', () => {
    const reports: UnknownType[] = [];
    const decoders = createValueDecoders(new Map(), { onUnknownType: (t) => reports.push(t) });
    decoders.noteType({ typeOid: 70000, namespace: 'ext', name: 'hstore' });
    expect(decoders.decoderFor(70000)('"k"=>"v"')).toEqual({ k: 'v' });
    expect(reports).toEqual([]);
  });

  it('a composite field or array element of an unknown type is its text too', () => {
    const catalog: TypeCatalog = new Map([
      T(1, 'c', { kind: 'composite', fields: [{ name: 'u', type: 88888 }] }),
      T(2, '_x', { kind: 'array', element: 88888 }),
    ]);
    const reports: UnknownType[] = [];
    const decoders = createValueDecoders(catalog, { onUnknownType: (t) => reports.push(t) });
    expect(decoders.decoderFor(1)('("a b")')).toEqual({ u: 'a b' });
    expect(decoders.decoderFor(2)('{p,q}')).toEqual(['p', 'q']);
    expect(reports).toEqual([{ oid: 88888 }]);
  });
});
