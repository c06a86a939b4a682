import { error, pass, type Finding, type Precheck } from '../precheck.ts';
import { listSome, onPrimary, qualified } from '../fix-sql.ts';
import { sourceFacts } from '../source-facts.ts';
import { existing, selectedTables, type TableInfo } from '../selected-tables.ts';

// pgoutput identifies the old row of an UPDATE or DELETE by the replica
// identity. With none (NOTHING, or DEFAULT without a primary key) PostgreSQL
// refuses UPDATE and DELETE on a published table outright, so the user's own
// application would start failing once the job's publication exists.
export function assessReplicaIdentity(tables: TableInfo[], standby = false): Finding {
  const candidates = existing(tables).filter((t) => t.relation.kind === 'r' || t.relation.kind === 'p');
  const bad: Array<{ t: TableInfo; why: string }> = [];
  const counts: Record<string, number> = {};
  for (const t of candidates) {
    const r = t.relation!;
    const label = { d: 'default', n: 'nothing', f: 'full', i: 'index' }[r.replicaIdentity] ?? r.replicaIdentity;
    counts[label] = (counts[label] ?? 0) + 1;
    if (r.replicaIdentity === 'n') bad.push({ t, why: 'REPLICA IDENTITY NOTHING' });
    else if (r.replicaIdentity === 'd' && !r.indexes.some((i) => i.primary)) bad.push({ t, why: 'REPLICA IDENTITY DEFAULT without a primary key' });
    else if (r.replicaIdentity === 'i' && !r.indexes.some((i) => i.replicaIdentity && i.valid)) bad.push({ t, why: 'REPLICA IDENTITY USING INDEX whose index is missing or invalid' });
  }
  const summary = Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(', ');
  if (!bad.length) return pass(`replica identity is usable on all ${candidates.length} table(s) (${summary || 'none'})`);
  return error(
    `${bad.length} table(s) have no usable replica identity, so UPDATE and DELETE on them would fail on the source once published: ${listSome(bad.map(({ t, why }) => `${qualified(t.schema, t.table)} (${why})`))}`,
    onPrimary(standby, bad.map(({ t }) => `ALTER TABLE ${qualified(t.schema, t.table)} REPLICA IDENTITY FULL;`).join('\n')),
  );
}

export const replicaIdentity: Precheck = {
  id: 'replica-identity',
  title: 'Each selected table has a usable replica identity',
  requires: ['source-authentication'],
  appliesTo: () => true,
  async run(ctx) {
    const [tables, facts] = await Promise.all([selectedTables(ctx), sourceFacts(ctx)]);
    return assessReplicaIdentity(tables, facts.inRecovery);
  },
};
