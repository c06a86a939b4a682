import { quoteIdent } from '../../source/pg-config.ts';
import { error, pass, type Precheck } from '../precheck.ts';
import { listSome, plural } from '../fix-sql.ts';
import { jobTables } from '../selected-tables.ts';

// A whole-database or schema selection is resolved to tables on the source,
// here as the worker will at start: a schema that does not exist, or a
// selection with no table in it, would leave the job nothing to sync.
export const objectsSelected: Precheck = {
  id: 'objects-selected',
  title: 'The selected schemas exist and the selection holds at least one table',
  requires: ['source-authentication'],
  appliesTo: () => true,
  async run(ctx) {
    const { tables, missingSchemas } = await jobTables(ctx);
    if (!ctx.job.objects.wholeDatabase && !ctx.job.objects.schemas?.length) return pass(`${plural(tables.length, 'table')} listed (objects.tables)`);
    const what = ctx.job.objects.wholeDatabase ? 'the whole database' : `schema(s) ${ctx.job.objects.schemas!.map((s) => quoteIdent(s.schema)).join(', ')}`;
    if (missingSchemas.length) {
      return error(
        `schema(s) not found on the source: ${missingSchemas.map(quoteIdent).join(', ')} (names are case-sensitive)`,
        `Correct or remove them in objects.schemas, or create them:\n${missingSchemas.map((s) => `CREATE SCHEMA ${quoteIdent(s)};`).join('\n')}`,
      );
    }
    if (!tables.length) return error(`${what} holds no permanent table to sync (unlogged, temporary and extension-owned tables are left out)`, 'Create the tables first, or list the tables to sync in objects.tables.');
    return pass(`${what} resolves to ${plural(tables.length, 'table')}: ${listSome(tables.map((t) => `${quoteIdent(t.schema)}.${quoteIdent(t.table)}`))}; tables created later join at the next start, without a snapshot`);
  },
};
