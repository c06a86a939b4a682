// PostgreSQL text output → JSON-ready values, without loss, following
// Debezium's JSON conventions where they are lossless. The full mapping, with
// examples, is the "Values" table in README.md.
//
// Preconditions on the replication session (pgoutput formats values with the
// walsender's settings; wal-stream.ts pins them): DateStyle=ISO,
// IntervalStyle=postgres, extra_float_digits=3 (shortest exact floats),
// bytea_output hex or escape (both handled), TimeZone anything (timestamptz
// offsets are parsed and normalised to UTC).
//
// Built-in types have fixed OIDs (builtin-types.ts). Every other type is
// resolved through the type catalog (../type-catalog.ts): a domain decodes as
// its base type, an array by its element type, a composite field by field, a
// range or multirange by its subtype, an enum as its label, an extension base
// type by name (hstore → object; geometry, citext, … → their text). A type the
// catalog does not know — created after the worker loaded it — is emitted as
// its text, never dropped or guessed at, and reported once through
// onUnknownType; the next worker start loads it.
import { BUILTIN_RANGES, BUILTIN_TYPES } from './builtin-types.ts';
import { identity, SCALAR, type ValueDecoder } from './scalar-decoders.ts';
import { parsePgArray } from './pg-array.ts';
import { parseComposite } from './pg-composite.ts';
import { parseMultirange, parseRange } from './pg-range.ts';
import { parseHstore } from './pg-hstore.ts';
import type { CatalogType, TypeCatalog } from '../type-catalog.ts';

export { BUILTIN_RANGES, BUILTIN_TYPES } from './builtin-types.ts';
export { decodeBytea, type ValueDecoder } from './scalar-decoders.ts';

const BUILTIN = new Map<number, ValueDecoder>();
const BUILTIN_DELIM = new Map<number, string>();
for (const [oid, , arrayOid, kind, delim] of BUILTIN_TYPES) {
  const elem = SCALAR[kind];
  BUILTIN.set(oid, elem);
  BUILTIN.set(arrayOid, (text) => parsePgArray(text, elem, delim));
  if (delim) BUILTIN_DELIM.set(oid, delim);
}
for (const [oid, arrayOid, subtype, multirangeOid, multirangeArrayOid] of BUILTIN_RANGES) {
  const bound = BUILTIN.get(subtype)!;
  const range: ValueDecoder = (text) => parseRange(text, bound);
  const multirange: ValueDecoder = (text) => parseMultirange(text, bound);
  BUILTIN.set(oid, range);
  BUILTIN.set(arrayOid, (text) => parsePgArray(text, range));
  BUILTIN.set(multirangeOid, multirange);
  BUILTIN.set(multirangeArrayOid, (text) => parsePgArray(text, multirange));
}

/** Extension base types whose text output has structure worth keeping; any other base type is its text. */
const BY_NAME: Record<string, ValueDecoder> = {
  hstore: parseHstore,
  // PostGIS geometry/geography already print as hex EWKB: kept as that string.
};

export function isBuiltinType(oid: number): boolean {
  return BUILTIN.has(oid);
}

export type UnknownType = { oid: number; namespace?: string; name?: string };

export type ValueDecoders = {
  /** The decoder for a column's type; look it up once per column (at the Relation message), call it per value. */
  decoderFor(typeOid: number): ValueDecoder;
  /** pgoutput's Type message, sent before a Relation that uses a non-built-in type: names the type for reports and by-name decoding. */
  noteType(type: { typeOid: number; namespace: string; name: string }): void;
};

export function createValueDecoders(catalog: TypeCatalog = new Map(), opts: { onUnknownType?(type: UnknownType): void } = {}): ValueDecoders {
  const resolved = new Map<number, ValueDecoder>(BUILTIN);
  const named = new Map<number, { namespace: string; name: string }>();
  const reported = new Set<number>();

  const delimOf = (oid: number): string => BUILTIN_DELIM.get(oid) ?? catalog.get(oid)?.delim ?? ',';

  const build = (t: CatalogType, depth: number): ValueDecoder => {
    switch (t.kind) {
      case 'enum': return identity;
      case 'base': return BY_NAME[t.name] ?? identity;
      case 'domain': return resolve(t.base, depth);
      case 'array': {
        const elem = resolve(t.element, depth);
        const delim = delimOf(t.element);
        return (text) => parsePgArray(text, elem, delim);
      }
      case 'composite': {
        const fields = t.fields.map((f) => ({ name: f.name, decode: resolve(f.type, depth) }));
        return (text) => parseComposite(text, fields);
      }
      case 'range': {
        const bound = resolve(t.subtype, depth);
        return (text) => parseRange(text, bound);
      }
      case 'multirange': {
        const range = catalog.get(t.range);
        const bound = range?.kind === 'range' ? resolve(range.subtype, depth) : unknown(t.range);
        return (text) => parseMultirange(text, bound);
      }
    }
  };

  const unknown = (oid: number): ValueDecoder => {
    const name = named.get(oid);
    const byName = name && BY_NAME[name.name];
    if (byName) return byName;
    if (!reported.has(oid)) {
      reported.add(oid);
      opts.onUnknownType?.({ oid, ...name });
    }
    return identity;
  };

  function resolve(oid: number, depth: number): ValueDecoder {
    const known = resolved.get(oid);
    if (known) return known;
    const t = catalog.get(oid);
    // PostgreSQL forbids a type that contains itself; the bound only guards against a corrupt catalog.
    if (!t || depth > 32) return unknown(oid);
    const decoder = build(t, depth + 1);
    resolved.set(oid, decoder);
    return decoder;
  }

  return {
    decoderFor: (oid) => resolve(oid, 0),
    noteType: (type) => void named.set(type.typeOid, { namespace: type.namespace, name: type.name }),
  };
}

/** The decoder for a built-in type; other OIDs decode to the text itself. */
export function valueDecoderFor(typeOid: number): ValueDecoder {
  return BUILTIN.get(typeOid) ?? identity;
}

/** One-off form of valueDecoderFor(typeOid)(text). */
export function decodeValue(typeOid: number, text: string): unknown {
  return valueDecoderFor(typeOid)(text);
}
