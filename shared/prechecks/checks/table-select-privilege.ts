import { quoteIdent } from '../../source/pg-config.ts';
import { error, pass, type Precheck } from '../precheck.ts';
import { listSome, qualified } from '../fix-sql.ts';
import { existing, selectedTables } from '../selected-tables.ts';

// The snapshot reads every row with SELECT; pgoutput itself needs no table
// privilege, but a job without its snapshot is not what was asked for.
export const tableSelectPrivilege: Precheck = {
  id: 'table-select-privilege',
  title: 'Account has SELECT on each selected table',
  requires: ['source-authentication'],
  appliesTo: () => true,
  async run(ctx) {
    const tables = existing(await selectedTables(ctx));
    const missing = tables.filter((t) => !t.relation.canSelect);
    if (!missing.length) return pass(`SELECT on all ${tables.length} existing selected table(s)`);
    const user = quoteIdent(ctx.job.source.user);
    return error(
      `no SELECT on ${missing.length} of ${tables.length} table(s): ${listSome(missing.map((t) => qualified(t.schema, t.table)))}`,
      missing.map((t) => `GRANT SELECT ON TABLE ${qualified(t.schema, t.table)} TO ${user};`).join('\n'),
    );
  },
};
