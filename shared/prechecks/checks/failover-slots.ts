import { pass, warning, type Finding, type Precheck } from '../precheck.ts';
import { alterSystemReload, quoteLiteral } from '../fix-sql.ts';
import { major, sourceFacts } from '../source-facts.ts';

// A logical slot lives on one server: after a failover the new primary has
// no slot and the job must start over with a full synchronization.
// PostgreSQL 17 can keep a copy on standbys (failover slots): the primary
// lists its standbys' physical slots in synchronized_standby_slots and each
// standby runs with sync_replication_slots = on. Informational where no
// standby exists; an ignorable warning where one does and slots are not synced.
export type FailoverInput = { major: number; inRecovery: boolean; physicalSlots: string[]; physicalSenders: number; synchronizedStandbySlots?: string; syncReplicationSlots?: string };

export function assessFailover(i: FailoverInput): Finding {
  if (i.inRecovery) {
    return pass(`the source is a standby${i.major >= 17 ? ` (sync_replication_slots = ${i.syncReplicationSlots})` : ''}: a slot on it does not survive its promotion unless created there as a synced failover slot`);
  }
  const standbys = Math.max(i.physicalSlots.length, i.physicalSenders);
  if (standbys === 0) return pass('no physical standby is attached: failover slots are not needed');
  const seen = `${i.physicalSenders} physical WAL sender(s), physical slot(s): ${i.physicalSlots.join(', ') || 'none'}`;
  if (i.major < 17) {
    return warning(`the primary has standbys (${seen}) but PostgreSQL ${i.major} cannot sync logical slots to them: after a failover the job needs a new full synchronization`, 'Acknowledge, or upgrade to PostgreSQL 17 for failover slots.');
  }
  if (!i.synchronizedStandbySlots) {
    const slots = i.physicalSlots.length ? i.physicalSlots.join(',') : '<standby physical slot names>';
    return warning(
      `the primary has standbys (${seen}) but synchronized_standby_slots is empty: the job's slot would not survive a failover`,
      `${alterSystemReload('synchronized_standby_slots', quoteLiteral(slots))}\n-- and on each standby: sync_replication_slots = on, hot_standby_feedback = on, primary_slot_name set, dbname in primary_conninfo`,
    );
  }
  return pass(`synchronized_standby_slots = ${i.synchronizedStandbySlots} (${seen})`);
}

export const failoverSlots: Precheck = {
  id: 'failover-slots',
  title: 'Failover-slot readiness (PostgreSQL 17: synchronized_standby_slots, sync_replication_slots)',
  requires: ['source-authentication'],
  appliesTo: () => true,
  async run(ctx) {
    const [client, facts] = await Promise.all([ctx.source(), sourceFacts(ctx)]);
    const { rows } = await client.query(
      `SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'walsender' AND datname IS NULL)::int AS senders,
              (SELECT coalesce(array_agg(slot_name::text ORDER BY slot_name), '{}') FROM pg_replication_slots WHERE slot_type = 'physical') AS slots`,
    );
    return assessFailover({
      major: major(facts.versionNum),
      inRecovery: facts.inRecovery,
      physicalSlots: rows[0].slots,
      physicalSenders: rows[0].senders,
      synchronizedStandbySlots: facts.settings.get('synchronized_standby_slots'),
      syncReplicationSlots: facts.settings.get('sync_replication_slots'),
    });
  },
};
