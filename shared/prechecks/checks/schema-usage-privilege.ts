import { quoteIdent } from '../../source/pg-config.ts';
import { error, pass, type Precheck } from '../precheck.ts';
import { listSome } from '../fix-sql.ts';
import { selectedTables } from '../selected-tables.ts';

export const schemaUsagePrivilege: Precheck = {
  id: 'schema-usage-privilege',
  title: 'Account has USAGE on each selected schema',
  requires: ['source-authentication'],
  appliesTo: () => true,
  async run(ctx) {
    const tables = await selectedTables(ctx);
    const schemas = [...new Set(tables.filter((t) => t.schemaExists).map((t) => t.schema))];
    const missing = schemas.filter((s) => !tables.find((t) => t.schema === s)?.schemaUsage);
    if (!missing.length) return pass(`USAGE on ${schemas.length} schema(s): ${listSome(schemas.map(quoteIdent))}`);
    const user = quoteIdent(ctx.job.source.user);
    return error(
      `no USAGE on ${missing.length} of ${schemas.length} schema(s): ${listSome(missing.map(quoteIdent))}`,
      missing.map((s) => `GRANT USAGE ON SCHEMA ${quoteIdent(s)} TO ${user};`).join('\n'),
    );
  },
};
