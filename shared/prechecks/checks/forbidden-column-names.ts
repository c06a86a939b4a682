import { quoteIdent } from '../../source/pg-config.ts';
import { error, pass, type Finding, type Precheck } from '../precheck.ts';
import { listSome, qualified } from '../fix-sql.ts';
import { FORBIDDEN_COLUMN_NAMES, isForbiddenColumnName } from '../name-rules.ts';
import { existing, selectedTables, type TableInfo } from '../selected-tables.ts';

export function assessForbiddenColumns(tables: TableInfo[]): Finding {
  const found = existing(tables).flatMap((t) => t.relation.columns.filter((c) => isForbiddenColumnName(c.name)).map((c) => ({ t, column: c.name })));
  if (!found.length) return pass(`no selected table has a column named ${FORBIDDEN_COLUMN_NAMES.join(', ')} (in any case)`);
  return error(
    `${found.length} column(s) use a reserved name (${FORBIDDEN_COLUMN_NAMES.join(', ')}, in any case): ${listSome(found.map(({ t, column }) => `${qualified(t.schema, t.table)}.${quoteIdent(column)}`))}`,
    found.map(({ t, column }) => `ALTER TABLE ${qualified(t.schema, t.table)} RENAME COLUMN ${quoteIdent(column)} TO ${quoteIdent(`${column}_`)};`).join('\n'),
  );
}

export const forbiddenColumnNames: Precheck = {
  id: 'forbidden-column-names',
  title: 'No column uses a reserved name (CTID, XMIN, CMIN, XMAX, CMAX, TABLEOID, XC_NODE_ID, TID)',
  requires: ['source-authentication'],
  appliesTo: () => true,
  async run(ctx) {
    return assessForbiddenColumns(await selectedTables(ctx));
  },
};
