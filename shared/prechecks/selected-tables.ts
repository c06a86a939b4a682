import type { PrecheckContext } from './precheck.ts';
import { selectObjects, type SelectedObjects } from '../source/select-objects.ts';

// What the catalog says about each selected table, read once per run in four
// queries whatever the number of tables. Names are looked up in pg_namespace /
// pg_class directly: to_regclass would raise "permission denied for schema"
// where the account lacks USAGE, hiding every other finding.

/** toastable: storage x (extended) or e (external), so values can move out of line; m (main) does so only as a last resort. */
export type ColumnInfo = { name: string; type: string; notNull: boolean; toastable: boolean };
/** plain: no expressions, no predicate, default sort order, so ADD PRIMARY KEY USING INDEX accepts it. */
export type IndexInfo = { name: string; columns: string[]; primary: boolean; unique: boolean; replicaIdentity: boolean; valid: boolean; plain: boolean; ownedByConstraint: boolean };

export type TableInfo = {
  schema: string;
  table: string;
  schemaExists: boolean;
  /** Absent when no relation of that name exists in that schema. */
  relation?: {
    oid: number;
    /** pg_class.relkind: r table, p partitioned, v view, m materialized view, f foreign, S sequence… */
    kind: string;
    /** pg_class.relpersistence: p permanent, u unlogged, t temporary. */
    persistence: string;
    /** pg_class.relreplident: d default (primary key), n nothing, f full, i index. */
    replicaIdentity: string;
    owner: string;
    /** The account has the owner's rights (is the owner or inherits its role). */
    ownedByUser: boolean;
    canSelect: boolean;
    totalBytes: number;
    columns: ColumnInfo[];
    indexes: IndexInfo[];
    partitions: string[];
  };
  schemaUsage: boolean;
};

/** The job's objects (whole database, schemas, tables) resolved on the source, as the worker will resolve them at start. */
export function jobTables(ctx: PrecheckContext): Promise<SelectedObjects> {
  const { objects } = ctx.job;
  // a plain table list needs no catalog read (nor a connection: the Kafka checks use it too)
  if (!objects.wholeDatabase && !objects.schemas?.length) return Promise.resolve({ tables: objects.tables, missingSchemas: [] });
  return ctx.memo('job-tables', async () => selectObjects(await ctx.source(), objects));
}

export function selectedTables(ctx: PrecheckContext): Promise<TableInfo[]> {
  return ctx.memo('selected-tables', async () => {
    const client = await ctx.source();
    const { tables } = await jobTables(ctx);
    const { rows } = await client.query(
      `SELECT t.schema, t."table", n.oid IS NOT NULL AS schema_exists,
              coalesce(has_schema_privilege(n.oid, 'USAGE'), false) AS schema_usage,
              c.oid::int8 AS oid, c.relkind::text AS kind, c.relpersistence::text AS persistence,
              c.relreplident::text AS replica_identity, pg_get_userbyid(c.relowner) AS owner,
              CASE WHEN c.oid IS NOT NULL THEN pg_has_role(c.relowner, 'USAGE') END AS owned,
              CASE WHEN c.oid IS NOT NULL THEN has_table_privilege(c.oid, 'SELECT') END AS can_select,
              CASE WHEN c.relkind IN ('r', 'p', 'm', 't') THEN pg_total_relation_size(c.oid) END AS total_bytes
         FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(schema, "table", ord)
         LEFT JOIN pg_namespace n ON n.nspname = t.schema
         LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = t."table"
        ORDER BY t.ord`,
      [tables.map((t) => t.schema), tables.map((t) => t.table)],
    );
    const oids = rows.filter((r) => r.oid !== null).map((r) => r.oid as string);
    const [columns, indexes, partitions] = await Promise.all([
      client.query(
        `SELECT a.attrelid::int8 AS oid, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
                a.attnotnull AS not_null, a.attstorage IN ('x', 'e') AS toastable
           FROM pg_attribute a
          WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
          ORDER BY a.attrelid, a.attnum`,
        [oids],
      ),
      client.query(
        `SELECT i.indrelid::int8 AS oid, ic.relname AS name, i.indisprimary AS primary, i.indisunique AS unique,
                i.indisreplident AS replica_identity, i.indisvalid AS valid,
                EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) AS constraint_index,
                i.indpred IS NULL AND i.indexprs IS NULL AND i.indoption::text ~ '^[0 ]*$' AS plain,
                array(SELECT a.attname::text
                        FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
                        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                       WHERE k.ord <= i.indnkeyatts ORDER BY k.ord) AS columns
           FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
          WHERE i.indrelid = ANY($1::oid[])
          ORDER BY ic.relname`,
        [oids],
      ),
      client.query(
        `SELECT inhparent::int8 AS oid, inhrelid::regclass::text AS name
           FROM pg_inherits WHERE inhparent = ANY($1::oid[]) ORDER BY 2`,
        [oids],
      ),
    ]);
    const group = <T>(list: Array<{ oid: string } & Record<string, unknown>>, map: (r: any) => T) => {
      const out = new Map<string, T[]>();
      for (const r of list) {
        const bucket = out.get(r.oid) ?? [];
        bucket.push(map(r));
        out.set(r.oid, bucket);
      }
      return out;
    };
    const columnsOf = group(columns.rows, (r): ColumnInfo => ({ name: r.name, type: r.type, notNull: r.not_null, toastable: r.toastable }));
    const indexesOf = group(indexes.rows, (r): IndexInfo => ({
      name: r.name, columns: r.columns, primary: r.primary, unique: r.unique, replicaIdentity: r.replica_identity, valid: r.valid, plain: r.plain,
      ownedByConstraint: r.constraint_index,
    }));
    const partitionsOf = group(partitions.rows, (r) => r.name as string);
    return rows.map((r): TableInfo => ({
      schema: r.schema,
      table: r.table,
      schemaExists: r.schema_exists,
      schemaUsage: r.schema_usage,
      relation: r.oid === null ? undefined : {
        oid: Number(r.oid),
        kind: r.kind,
        persistence: r.persistence,
        replicaIdentity: r.replica_identity,
        owner: r.owner,
        ownedByUser: r.owned,
        canSelect: r.can_select,
        totalBytes: Number(r.total_bytes ?? 0),
        columns: columnsOf.get(r.oid) ?? [],
        indexes: indexesOf.get(r.oid) ?? [],
        partitions: partitionsOf.get(r.oid) ?? [],
      },
    }));
  });
}

export const nameOf = (t: { schema: string; table: string }) => `${t.schema}.${t.table}`;

/** Tables that exist and are ordinary enough for per-table checks to judge. */
export const existing = (tables: TableInfo[]) => tables.filter((t): t is TableInfo & { relation: NonNullable<TableInfo['relation']> } => t.relation !== undefined);
