import { quoteIdent } from '../../source/pg-config.ts';
import { error, pass, type Finding, type Precheck } from '../precheck.ts';
import { listSome, qualified } from '../fix-sql.ts';
import { forbiddenCharacterList, forbiddenCharacters, type NameKind } from '../name-rules.ts';
import { existing, selectedTables, type TableInfo } from '../selected-tables.ts';

// The seeds' character rules for database, schema, table and column names
// (see ../name-rules.ts). The fix renames to the same name with each
// forbidden character replaced by "_".
const clean = (kind: NameKind, name: string) => [...name].map((ch) => (forbiddenCharacters(kind, ch).length ? '_' : ch)).join('');

export function assessNames(database: string, tables: TableInfo[]): Finding {
  const problems: string[] = [];
  const fixes: string[] = [];
  const report = (kind: NameKind, shown: string, name: string, rename: (to: string) => string) => {
    const bad = forbiddenCharacters(kind, name);
    if (!bad.length) return;
    problems.push(`${kind} ${shown} contains ${bad.map((c) => JSON.stringify(c)).join(' ')} (a ${kind} name may not contain ${forbiddenCharacterList(kind)})`);
    fixes.push(rename(quoteIdent(clean(kind, name))));
  };
  report('database', quoteIdent(database), database, (to) => `ALTER DATABASE ${quoteIdent(database)} RENAME TO ${to};`);
  for (const schema of new Set(tables.map((t) => t.schema))) report('schema', quoteIdent(schema), schema, (to) => `ALTER SCHEMA ${quoteIdent(schema)} RENAME TO ${to};`);
  for (const t of tables) report('table', qualified(t.schema, t.table), t.table, (to) => `ALTER TABLE ${qualified(t.schema, t.table)} RENAME TO ${to};`);
  let columns = 0;
  for (const t of existing(tables)) {
    for (const c of t.relation.columns) {
      columns++;
      report('column', `${qualified(t.schema, t.table)}.${quoteIdent(c.name)}`, c.name, (to) => `ALTER TABLE ${qualified(t.schema, t.table)} RENAME COLUMN ${quoteIdent(c.name)} TO ${to};`);
    }
  }
  if (!problems.length) return pass(`the database, ${new Set(tables.map((t) => t.schema)).size} schema(s), ${tables.length} table(s) and ${columns} column name(s) follow the naming rules`);
  return error(`${problems.length} name(s) break the naming rules: ${listSome(problems, 10)}`, fixes.join('\n'));
}

export const nameRules: Precheck = {
  id: 'name-rules',
  title: 'Database, schema, table and column names use allowed characters',
  requires: ['source-authentication'],
  appliesTo: () => true,
  async run(ctx) {
    return assessNames(ctx.job.source.database, await selectedTables(ctx));
  },
};
