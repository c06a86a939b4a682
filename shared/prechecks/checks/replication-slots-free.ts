import { error, pass, type Precheck } from '../precheck.ts';
import { alterSystemRestart, quoteLiteral } from '../fix-sql.ts';
import { sourceFacts } from '../source-facts.ts';

// Slot creation fails with 53400 once max_replication_slots slots exist
// (active or not); a job whose slot already exists needs no new one.
export const replicationSlotsFree: Precheck = {
  id: 'replication-slots-free',
  title: 'A replication slot is free (max_replication_slots)',
  requires: ['source-authentication'],
  appliesTo: () => true,
  async run(ctx) {
    const [client, facts] = await Promise.all([ctx.source(), sourceFacts(ctx)]);
    const { rows } = await client.query(
      `SELECT count(*)::int AS used, bool_or(slot_name = $1) AS ours,
              coalesce(array_agg(slot_name::text ORDER BY slot_name) FILTER (WHERE NOT active AND NOT temporary), '{}') AS inactive
         FROM pg_replication_slots`,
      [ctx.job.slotName],
    );
    const { used, ours, inactive } = rows[0] as { used: number; ours: boolean | null; inactive: string[] };
    const max = Number(facts.settings.get('max_replication_slots'));
    const needed = ours ? 0 : 1;
    const summary = `${used} of max_replication_slots = ${max} in use, ${Math.max(0, max - used)} free; this job needs ${needed} more`;
    if (max - used >= needed) return pass(summary);
    const drops = inactive.slice(0, 10).map((s) => `-- SELECT pg_drop_replication_slot(${quoteLiteral(s)});`);
    return error(
      `${summary}${inactive.length ? `; inactive slots: ${inactive.join(', ')}` : ''}`,
      `${alterSystemRestart('max_replication_slots', String(used + needed))}${drops.length ? `\n-- or drop an inactive slot nothing needs any more:\n${drops.join('\n')}` : ''}`,
    );
  },
};
