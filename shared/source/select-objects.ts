import type { Objects, TableRef } from '../job/job-spec.ts';

// Resolves a job's `objects` (whole database, schemas, tables) to the table
// list the job works on, when it is prechecked and each time it starts. The
// publication is then created FOR TABLE <that list> rather than FOR TABLES IN
// SCHEMA (PostgreSQL 15+) or FOR ALL TABLES (superuser only, and it would
// carry the job's own heartbeat table and every other job's): a list works
// on PostgreSQL 12–17 with the privileges the precheck asks for, and takes
// row filters. A table created later in a selected schema joins at the next
// start (the publication is set to the new list); it gets no snapshot.

type Queryable = { query(text: string, values?: unknown[]): Promise<{ rows: any[] }> };

export type SelectedObjects = {
  /** Explicitly listed tables first, in their order (whether or not they exist), then the resolved ones by schema and name. */
  tables: TableRef[];
  /** Listed schemas that do not exist on the source. */
  missingSchemas: string[];
};

/** Heartbeat tables of Tributary jobs (replication-objects.ts): never a user's data. */
const HEARTBEAT_TABLE = 'heartbeat_j[0-9a-f]{16}$';

export async function selectObjects(client: Queryable, objects: Objects): Promise<SelectedObjects> {
  const listed = objects.tables;
  if (!objects.wholeDatabase && !objects.schemas?.length) return { tables: listed, missingSchemas: [] };
  const schemas = objects.wholeDatabase ? null : objects.schemas!.map((s) => s.schema);
  // Ordinary and partitioned tables (a partition is published through its root),
  // permanent only (unlogged tables write no WAL to decode), none owned by an extension.
  const { rows } = await client.query(
    `SELECT n.nspname AS schema, c.relname AS "table"
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND c.relpersistence = 'p' AND NOT c.relispartition
        AND n.nspname <> ALL (ARRAY['pg_catalog', 'information_schema']) AND n.nspname !~ '^pg_(toast|temp_)'
        AND ($1::text[] IS NULL OR n.nspname = ANY ($1::text[]))
        AND c.relname !~ $2
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
      ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C"`,
    [schemas, HEARTBEAT_TABLE],
  );
  const missing = schemas
    ? (await client.query('SELECT s FROM unnest($1::text[]) AS s WHERE NOT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = s)', [schemas])).rows.map((r) => r.s as string)
    : [];
  const key = (t: { schema: string; table: string }) => `${t.schema}\u0000${t.table}`;
  // listed tables carry their own settings; excluded ones are left out
  const seen = new Set([...listed, ...(objects.excludeTables ?? [])].map(key));
  const operationsOf = new Map((objects.schemas ?? []).map((s) => [s.schema, s.operations]));
  const resolved = rows
    .filter((r) => !seen.has(key(r)))
    .map((r): TableRef => ({ schema: r.schema, table: r.table, operations: operationsOf.get(r.schema) ?? ['INSERT', 'UPDATE', 'DELETE'] }));
  return { tables: [...listed, ...resolved], missingSchemas: missing };
}
