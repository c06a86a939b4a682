import pg from 'pg';
import { ensurePublication, ensureSlot, type PublishedTable, type TableName } from '../../shared/source/replication-objects.ts';
import { requireStandbyPublication } from '../../shared/source/standby-publication.ts';
import { TributaryError } from '../../shared/errors/tributary-error.ts';
import type { Lsn } from '../../shared/lsn.ts';
import { columnTypeOids, loadTypeCatalog, type TypeCatalog } from './type-catalog.ts';

// Everything the worker needs from a normal (non-replication) connection
// before streaming: settings that must hold, the publication and slot, and
// each table's primary key and the catalog of its columns' non-built-in types.
export type SourceSetup = {
  slotLsn: Lsn; slotCreated: boolean; primaryKeys: Map<string, string[]>; typeCatalog: TypeCatalog; serverVersion: number;
  /** On a standby: acknowledged fixes still needed, which only the primary can apply. */
  unappliedFixes: string[];
};

/** `standby`: the source is in recovery (standby-source.ts), so nothing is created or altered but the slot. */
export async function setUpSource(config: pg.ClientConfig, names: { slot: string; publication: string }, tables: PublishedTable[], opts: { fixes?: string[]; standby?: boolean } = {}): Promise<SourceSetup> {
  const client = new pg.Client(config);
  await client.connect();
  try {
    const settings = await client.query("SELECT current_setting('wal_level') AS wal_level, current_setting('server_version_num')::int AS version");
    const { wal_level, version } = settings.rows[0];
    if (wal_level !== 'logical') throw new TributaryError('WalLevelNotLogical', `the source has wal_level = ${wal_level}; logical replication needs wal_level = logical`);
    // acknowledged precheck fixes (acknowledged-fixes.ts), each only while still needed:
    // a repeated ALTER would reach the DDL capture as a schema change on every restart
    const unappliedFixes: string[] = [];
    for (const statement of opts.fixes ?? []) {
      const table = /^ALTER TABLE (.+) REPLICA IDENTITY FULL;$/.exec(statement)?.[1];
      const current = table ? await client.query('SELECT relreplident FROM pg_class WHERE oid = to_regclass($1)', [table]) : undefined;
      if (current?.rows[0]?.relreplident === 'f') continue;
      if (opts.standby) unappliedFixes.push(statement);
      else await client.query(statement);
    }
    if (opts.standby) await requireStandbyPublication(client, names.publication, tables, version);
    else await ensurePublication(client, names.publication, tables, version);
    const slot = await ensureSlot(client, names.slot, version);
    const typeCatalog = await loadTypeCatalog(client, await columnTypeOids(client, tables));
    return { slotLsn: slot.lsn, slotCreated: slot.created, primaryKeys: await primaryKeys(client, tables), typeCatalog, serverVersion: version, unappliedFixes };
  } finally {
    await client.end().catch(() => undefined);
  }
}

// The primary key, or else (a PostgreSQL destination accepts one, SPEC.md §5) the
// first UNIQUE index, by name, over NOT NULL columns without expressions or predicate.
async function primaryKeys(client: pg.Client, tables: TableName[]): Promise<Map<string, string[]>> {
  const { rows } = await client.query(
    `SELECT DISTINCT ON (t.schema, t.table) t.schema, t.table, array_agg(a.attname::text ORDER BY k.ord) AS columns
       FROM unnest($1::text[], $2::text[]) AS t(schema, "table")
       JOIN pg_index i ON i.indrelid = to_regclass(format('%I.%I', t.schema, t.table))
                      AND (i.indisprimary OR (i.indisunique AND i.indisvalid AND i.indexprs IS NULL AND i.indpred IS NULL))
       JOIN pg_class ic ON ic.oid = i.indexrelid
       CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      GROUP BY t.schema, t.table, i.indexrelid, i.indisprimary, ic.relname
     HAVING i.indisprimary OR bool_and(a.attnotnull)
      ORDER BY t.schema, t.table, i.indisprimary DESC, ic.relname`,
    [tables.map((t) => t.schema), tables.map((t) => t.table)],
  );
  return new Map(rows.map((r) => [`${r.schema}.${r.table}`, r.columns as string[]]));
}
