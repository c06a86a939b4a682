import { quoteIdent } from '../../source/pg-config.ts';
import { error, pass, type Precheck } from '../precheck.ts';
import { listSome, qualified } from '../fix-sql.ts';
import { destinationFacts, isPostgresDestination, postgresDestinationOf } from '../destination-targets.ts';

// What the sink does on the destination, as privileges: create missing
// schemas (CREATE on the database) and tables (CREATE on the schema) in the
// schema phase, its bookkeeping schema "tributary", and on each table it
// writes SELECT (ON CONFLICT reads the key), INSERT, UPDATE, DELETE and
// TRUNCATE (a source TRUNCATE is replayed).
export const destinationPrivileges: Precheck = {
  id: 'destination-privileges',
  title: 'Destination account may create the target schemas and tables and write them',
  requires: ['destination-authentication'],
  appliesTo: isPostgresDestination,
  async run(ctx) {
    const facts = await destinationFacts(ctx);
    const user = quoteIdent(postgresDestinationOf(ctx.job).user);
    const createSchema = ctx.job.syncTypes?.schema ?? true;
    const problems: string[] = [];
    const fixes = new Set<string>();
    const needDatabaseCreate = (why: string) => {
      if (facts.databaseCreate) return;
      problems.push(`no CREATE on database ${quoteIdent(facts.database)} (${why})`);
      fixes.add(`GRANT CREATE ON DATABASE ${quoteIdent(facts.database)} TO ${user};`);
    };
    if (!facts.bookkeeping.exists) needDatabaseCreate('to create schema "tributary", where the job keeps its position');
    else if (!facts.bookkeeping.usage || !facts.bookkeeping.create) {
      problems.push('no USAGE and CREATE on schema "tributary" (the job keeps its position there)');
      fixes.add(`GRANT USAGE, CREATE ON SCHEMA "tributary" TO ${user};`);
    }
    const missingTables = facts.targets.filter((t) => !t.tableExists);
    const toCreateIn = new Map<string, string[]>(); // schema → tables the account may not create there
    for (const t of missingTables) {
      if (!createSchema) {
        problems.push(`target table ${qualified(t.schema, t.table)} does not exist and syncTypes.schema is off`);
        fixes.add(`-- create ${qualified(t.schema, t.table)} on the destination, or set syncTypes.schema to true`);
      } else if (!t.schemaExists) needDatabaseCreate(`to create schema ${quoteIdent(t.schema)}`);
      else if (!t.schemaUsage || !t.schemaCreate) toCreateIn.set(t.schema, [...(toCreateIn.get(t.schema) ?? []), qualified(t.schema, t.table)]);
    }
    for (const [schema, tables] of toCreateIn) {
      problems.push(`no USAGE and CREATE on schema ${quoteIdent(schema)} (to create ${listSome(tables, 5)})`);
      fixes.add(`GRANT USAGE, CREATE ON SCHEMA ${quoteIdent(schema)} TO ${user};`);
    }
    for (const t of facts.targets.filter((x) => x.tableExists)) {
      if (!t.schemaUsage) {
        problems.push(`no USAGE on schema ${quoteIdent(t.schema)}`);
        fixes.add(`GRANT USAGE ON SCHEMA ${quoteIdent(t.schema)} TO ${user};`);
      }
      if (t.missingPrivileges.length) {
        problems.push(`no ${t.missingPrivileges.join(', ')} on ${qualified(t.schema, t.table)}`);
        fixes.add(`GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLE ${qualified(t.schema, t.table)} TO ${user};`);
      }
    }
    if (problems.length) return error(`${problems.length} missing privilege(s) on the destination: ${listSome(problems, 10)}`, [...fixes].join('\n'));
    const existing = facts.targets.length - missingTables.length;
    return pass(`${quoteIdent(facts.currentUser)} may create ${missingTables.length} missing table(s) and write ${facts.targets.length} table(s) (${existing} exist)${facts.isSuperuser ? ' (superuser)' : ''}`);
  },
};
