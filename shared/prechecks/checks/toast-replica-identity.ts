import { pass, warning, type Finding, type Precheck } from '../precheck.ts';
import { listSome, onPrimary, qualified } from '../fix-sql.ts';
import { sourceFacts } from '../source-facts.ts';
import { quoteIdent } from '../../source/pg-config.ts';
import { existing, selectedTables, type TableInfo } from '../selected-tables.ts';

// Without REPLICA IDENTITY FULL, an UPDATE that leaves a TOASTed value
// unchanged does not carry that value in the WAL (pgoutput sends "unchanged
// TOAST"), and the before-image of UPDATE/DELETE holds only the key. Seed 004
// (DTS) runs ALTER TABLE … REPLICA IDENTITY FULL itself when the user skips
// this item, so it is an ignorable warning whose fix is that statement. On a
// standby source it cannot (read-only): acknowledging there accepts the gap.
export function assessToastIdentity(tables: TableInfo[], standby = false): Finding {
  const affected = existing(tables)
    .filter((t) => (t.relation.kind === 'r' || t.relation.kind === 'p') && t.relation.replicaIdentity !== 'f')
    .map((t) => {
      const key = new Set(t.relation.indexes.filter((i) => (t.relation.replicaIdentity === 'i' ? i.replicaIdentity : i.primary)).flatMap((i) => i.columns));
      return { t, columns: t.relation.columns.filter((c) => c.toastable && !key.has(c.name)).map((c) => c.name) };
    })
    .filter((a) => a.columns.length);
  if (!affected.length) return pass('no selected table has TOASTable columns outside its replica identity, or they use REPLICA IDENTITY FULL');
  return warning(
    `${affected.length} table(s) have TOASTable columns without REPLICA IDENTITY FULL: an UPDATE that does not change such a value carries no value for it, and before-images hold only the key: ` +
      listSome(affected.map(({ t, columns }) => `${qualified(t.schema, t.table)} (${listSome(columns.map(quoteIdent), 5)})`)) +
      (standby ? '; the source is a standby, so Tributary cannot apply the fix itself: acknowledging accepts this until the fix is run on the primary' : ''),
    onPrimary(standby, affected.map(({ t }) => `ALTER TABLE ${qualified(t.schema, t.table)} REPLICA IDENTITY FULL;`).join('\n')),
  );
}

export const toastReplicaIdentity: Precheck = {
  id: 'toast-replica-identity',
  title: 'TOASTable columns are covered by REPLICA IDENTITY FULL',
  requires: ['source-authentication'],
  appliesTo: () => true,
  async run(ctx) {
    const [tables, facts] = await Promise.all([selectedTables(ctx), sourceFacts(ctx)]);
    return assessToastIdentity(tables, facts.inRecovery);
  },
};
