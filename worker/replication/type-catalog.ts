import type pg from 'pg';
import type { TableName } from '../../shared/source/replication-objects.ts';
import { isBuiltinType } from './decoder/value-decoder.ts';

// The source's own description of the column types that are not built in:
// enums, domains, composites, ranges and multiranges over any subtype, arrays
// of those, and extension types (hstore, PostGIS geometry, citext, …). Their
// OIDs differ from database to database, so they are read from pg_type,
// pg_attribute and pg_range at worker setup, following every reference
// (domain → base type, array → element, composite → field types,
// range → subtype, multirange → range) until nothing new turns up.
// pg_enum is not needed: an enum's text output is its label.

type Common = { oid: number; namespace: string; name: string; /** typdelim: the separator in arrays of this type */ delim: string };
export type CatalogType = Common & (
  | { kind: 'base' } // a base type: an extension's, or a built-in one outside builtin-types.ts
  | { kind: 'enum' }
  | { kind: 'domain'; base: number }
  | { kind: 'array'; element: number }
  | { kind: 'composite'; fields: Array<{ name: string; type: number }> }
  | { kind: 'range'; subtype: number }
  | { kind: 'multirange'; range: number }
);
export type TypeCatalog = ReadonlyMap<number, CatalogType>;

type TypeRow = {
  oid: number; namespace: string; name: string; typtype: string; delim: string;
  base: number; relid: number; element: number | null; subtype: number | null; multirange_of: number | null;
};

/** The catalog entries for `typeOids` and every type they refer to; built-in types are left out (value-decoder.ts knows them). */
export async function loadTypeCatalog(client: pg.Client, typeOids: readonly number[]): Promise<Map<number, CatalogType>> {
  const catalog = new Map<number, CatalogType>();
  const { rows: [{ version }] } = await client.query<{ version: number }>(`SELECT current_setting('server_version_num')::int AS version`);
  const typesQuery = typeRowsQuery(version >= 140000); // multiranges came in PostgreSQL 14
  const seen = new Set<number>();
  let pending = typeOids.filter((oid) => !isBuiltinType(oid));
  while (pending.length > 0) {
    for (const oid of pending) seen.add(oid);
    const { rows } = await client.query<TypeRow>(typesQuery, [pending]);
    const fields = await compositeFields(client, rows.filter((r) => r.typtype === 'c').map((r) => r.relid));
    const next = new Set<number>();
    const follow = (oid: number | null) => {
      if (oid && !seen.has(oid) && !isBuiltinType(oid)) next.add(oid);
    };
    for (const r of rows) {
      const entry = toEntry(r, fields.get(r.relid) ?? []);
      catalog.set(r.oid, entry);
      if (entry.kind === 'domain') follow(entry.base);
      else if (entry.kind === 'array') follow(entry.element);
      else if (entry.kind === 'range') follow(entry.subtype);
      else if (entry.kind === 'multirange') follow(entry.range);
      else if (entry.kind === 'composite') for (const f of entry.fields) follow(f.type);
    }
    pending = [...next];
  }
  return catalog;
}

/** The distinct types of the live columns of `tables`. */
export async function columnTypeOids(client: pg.Client, tables: readonly TableName[]): Promise<number[]> {
  const { rows } = await client.query<{ type: number }>(
    `SELECT DISTINCT a.atttypid AS type
       FROM unnest($1::text[], $2::text[]) AS t(schema, "table")
       JOIN pg_attribute a ON a.attrelid = to_regclass(format('%I.%I', t.schema, t.table))
      WHERE a.attnum > 0 AND NOT a.attisdropped`,
    [tables.map((t) => t.schema), tables.map((t) => t.table)],
  );
  return rows.map((r) => r.type);
}

function typeRowsQuery(hasMultiranges: boolean): string {
  // An array type is the one its element's typarray points back to: name,
  // point or int2vector also set typelem but are not arrays.
  return `SELECT t.oid, n.nspname AS namespace, t.typname AS name, t.typtype, t.typdelim AS delim,
                 t.typbasetype AS base, t.typrelid AS relid,
                 CASE WHEN e.typarray = t.oid THEN t.typelem END AS element,
                 r.rngsubtype AS subtype,
                 ${hasMultiranges ? 'mr.rngtypid' : 'NULL::oid'} AS multirange_of
            FROM pg_type t
            JOIN pg_namespace n ON n.oid = t.typnamespace
            LEFT JOIN pg_type e ON e.oid = t.typelem
            LEFT JOIN pg_range r ON r.rngtypid = t.oid
            ${hasMultiranges ? 'LEFT JOIN pg_range mr ON mr.rngmultitypid = t.oid' : ''}
           WHERE t.oid = ANY($1::oid[])`;
}

async function compositeFields(client: pg.Client, relids: number[]): Promise<Map<number, Array<{ name: string; type: number }>>> {
  const out = new Map<number, Array<{ name: string; type: number }>>();
  if (relids.length === 0) return out;
  // record_out skips dropped attributes; attnum order is the output order.
  const { rows } = await client.query<{ relid: number; name: string; type: number }>(
    `SELECT attrelid AS relid, attname AS name, atttypid AS type FROM pg_attribute
      WHERE attrelid = ANY($1::oid[]) AND attnum > 0 AND NOT attisdropped ORDER BY attrelid, attnum`,
    [relids],
  );
  for (const r of rows) {
    const list = out.get(r.relid) ?? [];
    list.push({ name: r.name, type: r.type });
    out.set(r.relid, list);
  }
  return out;
}

function toEntry(r: TypeRow, fields: Array<{ name: string; type: number }>): CatalogType {
  const common: Common = { oid: r.oid, namespace: r.namespace, name: r.name, delim: r.delim };
  switch (r.typtype) {
    case 'e': return { ...common, kind: 'enum' };
    case 'd': return { ...common, kind: 'domain', base: r.base };
    case 'c': return { ...common, kind: 'composite', fields };
    case 'r': return { ...common, kind: 'range', subtype: r.subtype! };
    case 'm': return { ...common, kind: 'multirange', range: r.multirange_of! };
    default: return r.element ? { ...common, kind: 'array', element: r.element } : { ...common, kind: 'base' };
  }
}
