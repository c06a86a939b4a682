import type { PrecheckContext } from './precheck.ts';
import type { JobRecord, StoredPostgresDestination } from '../job/job-record.ts';
import type { TableRef } from '../job/job-spec.ts';
import { targetOf } from '../destination/target-names.ts';

// What a PostgreSQL destination's catalog says about the job's target tables
// (shared/destination/target-names.ts maps them, as the sink does), read once
// per precheck run in two queries whatever the number of tables.

export type DestinationTarget = {
  ref: TableRef;
  schema: string;
  table: string;
  /** Target column name per source column name. */
  column(source: string): string;
  schemaExists: boolean;
  /** USAGE and CREATE on the schema (false when it does not exist). */
  schemaUsage: boolean;
  schemaCreate: boolean;
  tableExists: boolean;
  /** Created by this job's schema phase earlier (tributary.sink_tables): not a conflict. */
  ownedByJob: boolean;
  /** Privileges on the existing table: SELECT, INSERT, UPDATE, DELETE, TRUNCATE. */
  missingPrivileges: string[];
  columns: string[];
  uniqueKeys: string[][];
};

export type DestinationFacts = {
  versionNum: number;
  version: string;
  currentUser: string;
  database: string;
  isSuperuser: boolean;
  databaseCreate: boolean;
  databaseBytes: number;
  /** Tributary's own schema ("tributary"): positions and created tables. */
  bookkeeping: { exists: boolean; usage: boolean; create: boolean };
  targets: DestinationTarget[];
};

export const isPostgresDestination = (job: JobRecord) => job.destination.type === 'postgresql';

export function postgresDestinationOf(job: JobRecord): StoredPostgresDestination {
  if (job.destination.type !== 'postgresql') throw new Error('the destination is not PostgreSQL');
  return job.destination;
}

export function destinationFacts(ctx: PrecheckContext): Promise<DestinationFacts> {
  return ctx.memo('destination-facts', async () => {
    const client = await ctx.destination();
    const destination = postgresDestinationOf(ctx.job);
    const mapped = ctx.job.objects.tables.map((ref) => ({ ref, ...targetOf(ref, destination.nameCase) }));
    const { rows: [f] } = await client.query(
      `SELECT current_setting('server_version_num')::int AS version_num, current_setting('server_version') AS version,
              current_user AS current_user, current_database() AS database,
              (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS is_superuser,
              has_database_privilege(current_database(), 'CREATE') AS database_create,
              pg_database_size(current_database()) AS database_bytes,
              n.oid IS NOT NULL AS tributary_exists,
              coalesce(has_schema_privilege(n.oid, 'USAGE'), false) AS tributary_usage,
              coalesce(has_schema_privilege(n.oid, 'CREATE'), false) AS tributary_create,
              to_regclass('tributary.sink_tables') IS NOT NULL AND coalesce(has_table_privilege('tributary.sink_tables', 'SELECT'), false) AS has_sink_tables
         FROM (SELECT 1) AS one LEFT JOIN pg_namespace n ON n.nspname = 'tributary'`,
    );
    const owned = f.has_sink_tables
      ? new Set((await client.query('SELECT schema_name, table_name FROM tributary.sink_tables WHERE job_id = $1', [ctx.job.id])).rows.map((r) => `${r.schema_name}.${r.table_name}`))
      : new Set<string>();
    const { rows } = await client.query(
      `SELECT t.ord, n.oid IS NOT NULL AS schema_exists,
              coalesce(has_schema_privilege(n.oid, 'USAGE'), false) AS schema_usage,
              coalesce(has_schema_privilege(n.oid, 'CREATE'), false) AS schema_create,
              c.oid IS NOT NULL AS table_exists,
              CASE WHEN c.oid IS NOT NULL THEN array(SELECT p FROM unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) AS p WHERE NOT has_table_privilege(c.oid, p)) END AS missing,
              CASE WHEN c.oid IS NOT NULL THEN array(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum) END AS columns,
              CASE WHEN c.oid IS NOT NULL THEN array(
                SELECT array_to_string(array(SELECT a.attname::text FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, o)
                                               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.o), chr(1))
                  FROM pg_index i WHERE i.indrelid = c.oid AND i.indisunique AND i.indisvalid AND i.indexprs IS NULL AND i.indpred IS NULL) END AS unique_keys
         FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(schema, "table", ord)
         LEFT JOIN pg_namespace n ON n.nspname = t.schema
         LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = t."table"
        ORDER BY t.ord`,
      [mapped.map((t) => t.schema), mapped.map((t) => t.table)],
    );
    return {
      versionNum: f.version_num,
      version: f.version,
      currentUser: f.current_user,
      database: f.database,
      isSuperuser: f.is_superuser,
      databaseCreate: f.database_create,
      databaseBytes: Number(f.database_bytes),
      bookkeeping: { exists: f.tributary_exists, usage: f.tributary_usage, create: f.tributary_create },
      targets: mapped.map((t, i): DestinationTarget => {
        const r = rows[i];
        return {
          ref: t.ref, schema: t.schema, table: t.table, column: t.column,
          schemaExists: r.schema_exists, schemaUsage: r.schema_usage, schemaCreate: r.schema_create,
          tableExists: r.table_exists, ownedByJob: owned.has(`${t.schema}.${t.table}`),
          missingPrivileges: r.missing ?? [], columns: r.columns ?? [],
          uniqueKeys: (r.unique_keys ?? []).map((k: string) => k.split('\u0001')),
        };
      }),
    };
  });
}
