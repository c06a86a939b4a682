import type pg from 'pg';
import { quoteIdent } from '../../../shared/source/pg-config.ts';
import type { TargetTable } from '../../../shared/destination/target-names.ts';
import type { EnumType, SourceTable } from './source-tables.ts';
import { noteCreatedTable } from './sink-position.ts';
import { TributaryError } from '../../../shared/errors/tributary-error.ts';

// The schema phase (syncTypes.schema, DTS): target schemas, enum types and
// tables from the source catalog — columns with their exact types, NOT NULL,
// and the primary key (or the UNIQUE key the source table is identified by).
// Column defaults, sequences, indexes, constraints other than the key,
// triggers and foreign keys are not created: the destination receives rows,
// not behaviour (DTS does the same for incremental targets). An existing
// table is left as it is (conflictMode decided at precheck whether that is
// allowed).

const q = quoteIdent;

export async function createTargets(client: pg.Client, jobId: string, tables: Array<{ source: SourceTable; target: TargetTable }>): Promise<string[]> {
  const created: string[] = [];
  const enums = new Map<string, EnumType>();
  for (const { source } of tables) for (const e of source.enums) enums.set(`${e.schema}.${e.name}`, e);
  for (const e of enums.values()) await ensureEnum(client, e);
  for (const { source, target } of tables) {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${q(target.schema)}`);
    const exists = await client.query('SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2', [target.schema, target.table]);
    if (exists.rowCount) continue;
    const columns = source.columns.map((c) => `${q(target.column(c.name))} ${c.type}${c.notNull ? ' NOT NULL' : ''}`);
    if (source.key.length) columns.push(`${source.keyIsPrimary ? 'PRIMARY KEY' : 'UNIQUE'} (${source.key.map((k) => q(target.column(k))).join(', ')})`);
    await client.query('BEGIN');
    try {
      await client.query(`CREATE TABLE ${q(target.schema)}.${q(target.table)} (${columns.join(', ')})`);
      await noteCreatedTable(client, jobId, target.schema, target.table);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      if ((err as { code?: string }).code === '42704') {
        throw new TributaryError(
          'DestinationSchemaMismatch',
          `cannot create ${target.schema}.${target.table} on the destination: ${(err as Error).message}. Create that type there first (Tributary creates enums and maps domains over built-in types; composites, ranges and extension types must exist on the destination)`,
          { cause: err },
        );
      }
      throw err;
    }
    created.push(`${target.schema}.${target.table}`);
  }
  return created;
}

// Labels are quoted by the server (format %L), never by string building here.
async function ensureEnum(client: pg.Client, e: EnumType): Promise<void> {
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${q(e.schema)}`);
  const found = await client.query('SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = $1 AND t.typname = $2', [e.schema, e.name]);
  if (!found.rowCount) {
    const { rows } = await client.query<{ sql: string }>(
      `SELECT format('CREATE TYPE %I.%I AS ENUM (%s)', $1::text, $2::text, (SELECT string_agg(format('%L', l), ', ' ORDER BY o) FROM unnest($3::text[]) WITH ORDINALITY AS x(l, o))) AS sql`,
      [e.schema, e.name, e.labels],
    );
    await client.query(rows[0].sql);
    return;
  }
  // An enum that exists already gets the labels it lacks (appended: their order among the old ones is the destination's).
  for (const label of e.labels) {
    const { rows } = await client.query<{ sql: string }>("SELECT format('ALTER TYPE %I.%I ADD VALUE IF NOT EXISTS %L', $1::text, $2::text, $3::text) AS sql", [e.schema, e.name, label]);
    await client.query(rows[0].sql);
  }
}
