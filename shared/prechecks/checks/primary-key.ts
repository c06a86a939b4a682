import { error, pass, type Finding, type Precheck } from '../precheck.ts';
import { listSome, qualified } from '../fix-sql.ts';
import { quoteIdent } from '../../source/pg-config.ts';
import { existing, selectedTables, type TableInfo } from '../selected-tables.ts';

// Seed 000: only tables with a primary key can be synchronized; the key is
// the Kafka record key and the partitioning input. A PostgreSQL destination
// also accepts a UNIQUE index over NOT NULL columns (seed 004). Where a unique index over
// NOT NULL columns exists, the fix uses its columns, and promotes the index
// itself (no new index build) unless a UNIQUE constraint owns it, which
// PostgreSQL refuses.
export function assessPrimaryKeys(tables: TableInfo[], opts: { acceptUnique?: boolean } = {}): Finding {
  const candidates = existing(tables).filter((t) => t.relation.kind === 'r' || t.relation.kind === 'p');
  // A PostgreSQL destination finds rows by a UNIQUE key over NOT NULL columns as well (seed 004).
  const uniqueKey = (t: (typeof candidates)[number]) => {
    const notNull = new Set(t.relation.columns.filter((c) => c.notNull).map((c) => c.name));
    return t.relation.indexes.some((i) => i.unique && i.valid && i.plain && i.columns.length > 0 && i.columns.every((c) => notNull.has(c)));
  };
  const missing = candidates.filter((t) => !t.relation.indexes.some((i) => i.primary) && !(opts.acceptUnique && uniqueKey(t)));
  if (!missing.length) {
    const byUnique = opts.acceptUnique ? candidates.filter((t) => !t.relation.indexes.some((i) => i.primary)).length : 0;
    return pass(byUnique ? `all ${candidates.length} selected table(s) have a primary key or (${byUnique}) a UNIQUE key over NOT NULL columns` : `all ${candidates.length} selected table(s) have a primary key`);
  }
  const fixes = missing.map((t) => {
    const notNull = new Set(t.relation.columns.filter((c) => c.notNull).map((c) => c.name));
    const usable = t.relation.indexes.find((i) => i.unique && i.valid && i.plain && i.columns.length > 0 && i.columns.every((c) => notNull.has(c)));
    const table = qualified(t.schema, t.table);
    if (!usable) return `ALTER TABLE ${table} ADD PRIMARY KEY (<key columns>);`;
    return usable.ownedByConstraint
      ? `ALTER TABLE ${table} ADD PRIMARY KEY (${usable.columns.map(quoteIdent).join(', ')});`
      : `ALTER TABLE ${table} ADD PRIMARY KEY USING INDEX ${quoteIdent(usable.name)};`;
  });
  return error(`${missing.length} of ${candidates.length} table(s) have no primary key: ${listSome(missing.map((t) => qualified(t.schema, t.table)))}`, fixes.join('\n'));
}

export const primaryKey: Precheck = {
  id: 'primary-key',
  title: 'Each selected table has a primary key',
  requires: ['source-authentication'],
  appliesTo: () => true,
  async run(ctx) {
    return assessPrimaryKeys(await selectedTables(ctx), { acceptUnique: ctx.job.destination.type === 'postgresql' });
  },
};
