import { error, pass, type Finding, type Precheck } from '../precheck.ts';
import { listSome, qualified } from '../fix-sql.ts';
import { existing, selectedTables, type TableInfo } from '../selected-tables.ts';

// Logical decoding sees only permanent, WAL-logged tables: unlogged and
// temporary tables write no WAL to decode, views and foreign tables hold no
// rows of their own, and system catalogs are never published (seed 000:
// "unlogged tables, temporary tables, system schemas, and system tables
// cannot be synchronized"). A partitioned table is published through its
// root (publish_via_partition_root, PostgreSQL 13+), so its changes arrive
// under its own name; before 13 they would arrive under each partition's name,
// so there the partitions are what must be selected.
const KIND_NAMES: Record<string, string> = { v: 'a view', m: 'a materialized view', f: 'a foreign table', S: 'a sequence', c: 'a composite type', t: 'a TOAST table', i: 'an index', I: 'a partitioned index' };

export const isSystemSchema = (schema: string) => schema === 'pg_catalog' || schema === 'information_schema' || schema.startsWith('pg_toast') || schema.startsWith('pg_temp');

export function assessTableKinds(tables: TableInfo[], serverVersion = 130000): Finding {
  const problems: string[] = [];
  const fixes: string[] = [];
  for (const t of existing(tables)) {
    const name = qualified(t.schema, t.table);
    const remove = `-- remove ${JSON.stringify({ schema: t.schema, table: t.table })} from objects.tables`;
    if (isSystemSchema(t.schema)) {
      problems.push(`${name} is a system table`);
      fixes.push(remove);
    } else if (t.relation.persistence === 't') {
      problems.push(`${name} is a temporary table`);
      fixes.push(remove);
    } else if (t.relation.kind === 'p' && serverVersion < 130000) {
      problems.push(`${name} is partitioned: its changes are published under its partitions' names (${listSome(t.relation.partitions, 10) || 'none yet'})`);
      fixes.push(`-- select its partitions instead of ${name}: ${listSome(t.relation.partitions, 10) || 'it has none yet'}`);
    } else if (t.relation.kind !== 'r' && t.relation.kind !== 'p') {
      problems.push(`${name} is ${KIND_NAMES[t.relation.kind] ?? `a relation of kind ${t.relation.kind}`}, not a table`);
      fixes.push(`${remove} (select the tables it reads from instead)`);
    } else if (t.relation.persistence === 'u') {
      problems.push(`${name} is unlogged: its changes never reach the WAL`);
      fixes.push(`ALTER TABLE ${name} SET LOGGED;`);
    }
  }
  const count = existing(tables).length;
  if (!problems.length) return pass(`all ${count} existing selected table(s) are permanent, logged tables (partitioned ones are published through their root)`);
  return error(`${problems.length} of ${count} table(s) cannot be replicated: ${problems.join('; ')}`, fixes.join('\n'));
}

export const tableKind: Precheck = {
  id: 'table-kind',
  title: 'No unlogged, temporary, system or non-table relation is selected',
  requires: ['source-authentication'],
  appliesTo: () => true,
  async run(ctx) {
    const source = await ctx.source();
    const { rows } = await source.query<{ v: number }>("SELECT current_setting('server_version_num')::int AS v");
    return assessTableKinds(await selectedTables(ctx), rows[0].v);
  },
};
