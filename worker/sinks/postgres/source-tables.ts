import pg from 'pg';
import { quoteIdent } from '../../../shared/source/pg-config.ts';

// The selected tables as the source's catalog describes them, for the schema
// phase (creating the target tables) and for the key the sink writes by:
// the primary key, or else a UNIQUE index over NOT NULL columns (SPEC.md §5
// accepts one for a PostgreSQL destination). Column types are rendered for
// the destination: built-in types exactly as format_type prints them (with
// their modifiers, arrays included); an enum by its qualified name (created
// on the destination with its labels); a domain over a built-in type as that
// base type; any other type by its qualified name, which must then exist on
// the destination (extensions such as hstore or citext).

export type EnumType = { schema: string; name: string; labels: string[] };
export type SourceColumn = { name: string; type: string; notNull: boolean };
export type SourceTable = { schema: string; table: string; columns: SourceColumn[]; key: string[]; keyIsPrimary: boolean; enums: EnumType[] };

export async function readSourceTables(config: pg.ClientConfig, tables: Array<{ schema: string; table: string }>): Promise<SourceTable[]> {
  const client = new pg.Client(config);
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rows: columns } = await client.query(
      `SELECT t.ord, a.attname AS name, a.attnotnull AS not_null, format_type(a.atttypid, a.atttypmod) AS formatted,
              ty.typcategory = 'A' AS is_array, en.nspname AS elem_schema, el.typname AS elem_name, el.typtype::text AS elem_kind,
              bn.nspname = 'pg_catalog' AS base_builtin, format_type(el.typbasetype, el.typtypmod) AS base_formatted,
              array(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = el.oid ORDER BY e.enumsortorder) AS labels
         FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(schema, "table", ord)
         JOIN pg_namespace n ON n.nspname = t.schema
         JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = t."table"
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
         JOIN pg_type ty ON ty.oid = a.atttypid
         JOIN pg_type el ON el.oid = CASE WHEN ty.typcategory = 'A' AND ty.typelem <> 0 THEN ty.typelem ELSE ty.oid END
         JOIN pg_namespace en ON en.oid = el.typnamespace
         LEFT JOIN pg_type bt ON bt.oid = el.typbasetype
         LEFT JOIN pg_namespace bn ON bn.oid = bt.typnamespace
        ORDER BY t.ord, a.attnum`,
      [tables.map((t) => t.schema), tables.map((t) => t.table)],
    );
    const { rows: keys } = await client.query(
      `SELECT t.ord, i.indisprimary AS primary,
              array(SELECT a.attname::text FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, o)
                      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.o) AS columns,
              bool_and(a.attnotnull) AS not_null
         FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(schema, "table", ord)
         JOIN pg_namespace n ON n.nspname = t.schema
         JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = t."table"
         JOIN pg_index i ON i.indrelid = c.oid AND i.indisunique AND i.indisvalid AND i.indexprs IS NULL AND i.indpred IS NULL
         JOIN pg_class ic ON ic.oid = i.indexrelid
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey)
        GROUP BY t.ord, i.indisprimary, i.indkey, i.indrelid, ic.relname
        ORDER BY t.ord, i.indisprimary DESC, ic.relname`,
      [tables.map((t) => t.schema), tables.map((t) => t.table)],
    );
    return tables.map((t, i) => {
      const ord = String(i + 1);
      const enums = new Map<string, EnumType>();
      const cols = columns.filter((r) => String(r.ord) === ord).map((r): SourceColumn => {
        const suffix = r.is_array ? '[]' : '';
        let type: string;
        if (r.elem_schema === 'pg_catalog') type = r.formatted;
        else if (r.elem_kind === 'e') {
          enums.set(`${r.elem_schema}.${r.elem_name}`, { schema: r.elem_schema, name: r.elem_name, labels: r.labels });
          type = `${quoteIdent(r.elem_schema)}.${quoteIdent(r.elem_name)}${suffix}`;
        } else if (r.elem_kind === 'd' && r.base_builtin) type = `${r.base_formatted}${suffix}`;
        else type = `${quoteIdent(r.elem_schema)}.${quoteIdent(r.elem_name)}${suffix}`;
        return { name: r.name, type, notNull: r.not_null };
      });
      const candidates = keys.filter((k) => String(k.ord) === ord && (k.primary || k.not_null));
      const key = candidates[0];
      return { schema: t.schema, table: t.table, columns: cols, key: key?.columns ?? [], keyIsPrimary: key?.primary ?? false, enums: [...enums.values()] };
    });
  } finally {
    await client.end().catch(() => undefined);
  }
}
