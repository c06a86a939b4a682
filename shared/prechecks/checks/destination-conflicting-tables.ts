import { quoteIdent } from '../../source/pg-config.ts';
import { error, pass, type Precheck } from '../precheck.ts';
import { listSome, qualified } from '../fix-sql.ts';
import { destinationFacts, isPostgresDestination, postgresDestinationOf } from '../destination-targets.ts';
import { existing, selectedTables } from '../selected-tables.ts';

// conflictMode (SPEC.md §2, seed 004 "Processing Mode of Conflicting Tables"):
// "precheck-and-report" fails when a target table already exists (tables this
// job created itself in an earlier run are not conflicts); "ignore-and-proceed"
// writes into existing tables, so each must at least have the source's
// columns and a unique key on the source's key, or the writes would fail later.
export const destinationConflictingTables: Precheck = {
  id: 'destination-conflicting-tables',
  title: 'Target tables do not conflict with existing ones (conflictMode)',
  requires: ['destination-authentication', 'source-authentication'],
  appliesTo: isPostgresDestination,
  async run(ctx) {
    const mode = postgresDestinationOf(ctx.job).conflictMode;
    const facts = await destinationFacts(ctx);
    const conflicts = facts.targets.filter((t) => t.tableExists && !t.ownedByJob);
    const names = conflicts.map((t) => qualified(t.schema, t.table));
    if (mode === 'precheck-and-report') {
      if (!conflicts.length) return pass(`none of the ${facts.targets.length} target table(s) exists on the destination yet`);
      return error(
        `${conflicts.length} target table(s) already exist on the destination: ${listSome(names)} (conflictMode "precheck-and-report")`,
        [
          '-- drop or rename them on the destination, map the tables elsewhere (objects.tables[].target), or set destination.conflictMode to "ignore-and-proceed" (existing rows are kept in the full phase and overwritten by changes):',
          ...conflicts.map((t) => `ALTER TABLE ${qualified(t.schema, t.table)} RENAME TO ${quoteIdent(`${t.table}_old`)};`),
        ].join('\n'),
      );
    }
    const sources = new Map(existing(await selectedTables(ctx)).map((s) => [`${s.schema}.${s.table}`, s]));
    const problems: string[] = [];
    for (const t of conflicts) {
      const source = sources.get(`${t.ref.schema}.${t.ref.table}`);
      if (!source) continue;
      const missing = source.relation.columns.map((c) => t.column(c.name)).filter((c) => !t.columns.includes(c));
      if (missing.length) problems.push(`${qualified(t.schema, t.table)} lacks column(s) ${missing.join(', ')}`);
      const key = source.relation.indexes.find((i) => i.primary) ?? source.relation.indexes.find((i) => i.unique && i.valid && i.plain);
      const wanted = (key?.columns ?? []).map((c) => t.column(c));
      if (wanted.length && !t.uniqueKeys.some((u) => u.length === wanted.length && u.every((c) => wanted.includes(c)))) {
        problems.push(`${qualified(t.schema, t.table)} has no PRIMARY KEY or UNIQUE constraint on (${wanted.join(', ')})`);
      }
    }
    if (problems.length) {
      return error(`existing target tables cannot take the source's rows: ${listSome(problems, 10)}`, 'Add the missing columns / a UNIQUE constraint on the key columns on the destination, or map the tables to new ones (objects.tables[].target).');
    }
    return pass(conflicts.length
      ? `${conflicts.length} existing target table(s) will be written into (conflictMode "ignore-and-proceed": existing rows kept in the full phase, overwritten by changes): ${listSome(names)}`
      : `none of the ${facts.targets.length} target table(s) exists on the destination yet`);
  },
};
