import { error, pass, type Precheck } from '../precheck.ts';
import { listSome } from '../fix-sql.ts';
import { targetOf } from '../../destination/target-names.ts';
import { isPostgresDestination, postgresDestinationOf } from '../destination-targets.ts';
import { existing, selectedTables } from '../selected-tables.ts';

// SPEC.md §5: destination names 1–63 characters. PostgreSQL's limit is 63
// BYTES (NAMEDATALEN − 1): a longer name is silently truncated, so two long
// names could land on one table. nameCase folding can also make two source
// names one target name ("Orders" and "orders" under "lower"). With source
// and destination the same database, a target may not be a selected table.
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

export const destinationNames: Precheck = {
  id: 'destination-names',
  title: 'Target schema, table and column names are 1–63 bytes and distinct',
  requires: ['source-authentication'],
  appliesTo: isPostgresDestination,
  async run(ctx) {
    const destination = postgresDestinationOf(ctx.job);
    const { nameCase } = destination;
    const source = ctx.job.source;
    // the same database on both ends: a target that is itself a selected table would feed its own changes back
    const sameDatabase = source.host.toLowerCase() === destination.host.toLowerCase() && source.port === destination.port && source.database === destination.database;
    const selected = new Set(ctx.job.objects.tables.map((t) => `${t.schema}.${t.table}`));
    const sources = new Map(existing(await selectedTables(ctx)).map((s) => [`${s.schema}.${s.table}`, s]));
    const problems: string[] = [];
    const check = (what: string, name: string) => {
      if (bytes(name) === 0 || bytes(name) > 63) problems.push(`${what} ${JSON.stringify(name)} is ${bytes(name)} bytes (1–63 allowed)`);
    };
    let columns = 0;
    const tables = new Map<string, string>();
    for (const ref of ctx.job.objects.tables) {
      const t = targetOf(ref, nameCase);
      const id = `${t.schema}.${t.table}`;
      if (tables.has(id)) problems.push(`tables ${tables.get(id)} and ${ref.schema}.${ref.table} both become ${id}`);
      if (sameDatabase && selected.has(id)) problems.push(`target ${id} is a selected source table in the same database (${source.database}): its changes would be written back into the source`);
      tables.set(id, `${ref.schema}.${ref.table}`);
      check('schema', t.schema);
      check('table', t.table);
      const seen = new Map<string, string>();
      for (const c of sources.get(`${ref.schema}.${ref.table}`)?.relation.columns ?? []) {
        columns++;
        const name = t.column(c.name);
        check(`column of ${t.schema}.${t.table}`, name);
        const other = seen.get(name);
        if (other !== undefined) problems.push(`columns ${JSON.stringify(other)} and ${JSON.stringify(c.name)} of ${ref.schema}.${ref.table} both become ${JSON.stringify(name)}`);
        seen.set(name, c.name);
      }
    }
    if (problems.length) {
      return error(`${problems.length} target name problem(s): ${listSome(problems, 10)}`, 'Map the names with objects.tables[].target (schema, table, columns: { "<source column>": "<target column>" }), or choose another destination.nameCase.');
    }
    return pass(`${ctx.job.objects.tables.length} target table(s) and ${columns} column name(s) are 1–63 bytes and distinct (nameCase "${nameCase}")`);
  },
};
