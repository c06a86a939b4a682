import { quoteIdent } from '../../source/pg-config.ts';
import { error, pass, type Finding, type Precheck } from '../precheck.ts';
import { listSome, qualified } from '../fix-sql.ts';
import { selectedTables, type TableInfo } from '../selected-tables.ts';

export function assessTablesExist(tables: TableInfo[]): Finding {
  const missing = tables.filter((t) => !t.relation);
  if (!missing.length) return pass(`all ${tables.length} selected table(s) exist`);
  const why = (t: TableInfo) => (t.schemaExists ? `${qualified(t.schema, t.table)} (no such table)` : `${qualified(t.schema, t.table)} (no schema ${quoteIdent(t.schema)})`);
  return error(
    `${missing.length} of ${tables.length} selected table(s) not found: ${listSome(missing.map(why))}`,
    `Correct the names (they are case-sensitive), create the tables, or remove them from objects.tables:\n${missing.map((t) => JSON.stringify({ schema: t.schema, table: t.table })).join('\n')}`,
  );
}

export const tablesExist: Precheck = {
  id: 'tables-exist',
  title: 'Each selected table exists',
  requires: ['source-authentication'],
  appliesTo: () => true,
  async run(ctx) {
    return assessTablesExist(await selectedTables(ctx));
  },
};
