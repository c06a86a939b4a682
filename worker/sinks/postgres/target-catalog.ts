import type pg from 'pg';

// What the sink needs to know of each target table: its columns and the type
// each value is cast to, and whether a unique index matches the key (which
// ON CONFLICT needs). Values travel as PostgreSQL text and are cast on the
// server by the type's own input function, so they arrive exactly as the
// source printed them. The cast drops the type modifier (varchar(n),
// numeric(p,s), timestamp(p)) so that the column's assignment applies it and
// refuses a value that does not fit instead of cutting it silently — except
// for char(n) and bit(n), whose unmodified cast means length 1.

export type TargetColumn = { name: string; cast: string };
export type TargetInfo = { columns: Map<string, TargetColumn>; uniqueKeys: string[][] };

export async function readTarget(client: pg.Client, schema: string, table: string): Promise<TargetInfo | undefined> {
  const rel = await client.query<{ oid: string }>(
    'SELECT c.oid::int8::text AS oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN (\'r\', \'p\')',
    [schema, table],
  );
  if (!rel.rowCount) return undefined;
  const oid = rel.rows[0].oid;
  const cols = await client.query<{ name: string; cast: string }>(
    `SELECT a.attname AS name,
            CASE WHEN t.typname IN ('bpchar', 'bit', '_bpchar', '_bit') THEN format_type(a.atttypid, a.atttypmod) ELSE format_type(a.atttypid, NULL) END AS cast
       FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
      WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
      ORDER BY a.attnum`,
    [oid],
  );
  const keys = await client.query<{ columns: string[] }>(
    `SELECT array(SELECT a.attname::text FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, o)
                   JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.o) AS columns
       FROM pg_index i WHERE i.indrelid = $1::oid AND i.indisunique AND i.indisvalid AND i.indexprs IS NULL AND i.indpred IS NULL`,
    [oid],
  );
  return { columns: new Map(cols.rows.map((c) => [c.name, c])), uniqueKeys: keys.rows.map((k) => k.columns) };
}
