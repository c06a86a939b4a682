import { quoteIdent } from '../../source/pg-config.ts';
import { error, pass, type Finding, type Precheck } from '../precheck.ts';
import { quoteLiteral } from '../fix-sql.ts';
import { sourceFacts } from '../source-facts.ts';

// pg_replication_slots gains columns every major (wal_status in 13,
// conflicting in 16, invalidation_reason in 17); reading the row as JSON
// keeps one query for all of them.
export type SlotRow = {
  slot_type: string;
  plugin: string | null;
  database: string | null;
  active: boolean;
  active_pid: number | null;
  confirmed_flush_lsn: string | null;
  wal_status?: string | null;
  invalidation_reason?: string | null;
  conflicting?: boolean | null;
};

export function assessSlot(name: string, database: string, slot: SlotRow | undefined): Finding {
  const q = quoteIdent(name);
  const drop = `SELECT pg_drop_replication_slot(${quoteLiteral(name)});`;
  if (!slot) return pass(`slot ${q} does not exist yet; it will be created`);
  if (slot.slot_type !== 'logical' || slot.plugin !== 'pgoutput' || slot.database !== database) {
    const what = slot.slot_type !== 'logical' ? 'a physical slot' : slot.database !== database ? `a slot of database ${quoteIdent(slot.database ?? '')}` : `a slot with plugin ${slot.plugin}`;
    return error(`slot ${q} exists but is ${what}, not this job's pgoutput slot on ${quoteIdent(database)}`, `Drop it if nothing uses it, or choose another slotPrefix:\n${drop}`);
  }
  if (slot.wal_status === 'lost' || slot.invalidation_reason || slot.conflicting) {
    const reason = slot.invalidation_reason ?? (slot.conflicting ? 'conflict with recovery' : 'the WAL it needs was removed');
    return error(`slot ${q} is invalidated (${reason}): changes since ${slot.confirmed_flush_lsn} are lost to it`, `Drop it and start the job again with a full synchronization:\n${drop}`);
  }
  if (slot.active) {
    return error(`slot ${q} is in use by PID ${slot.active_pid}: only one reader can stream from a slot`, `Stop whatever streams from it; if it is a stale session:\nSELECT pg_terminate_backend(${slot.active_pid});`);
  }
  return pass(`slot ${q} exists (from an earlier run of this job) and is free; streaming resumes at ${slot.confirmed_flush_lsn}`);
}

export const replicationSlot: Precheck = {
  id: 'replication-slot',
  title: 'Replication slot name is free, or ours and not in use',
  requires: ['source-authentication'],
  appliesTo: () => true,
  async run(ctx) {
    const [client, facts] = await Promise.all([ctx.source(), sourceFacts(ctx)]);
    const { rows } = await client.query('SELECT to_jsonb(s) AS slot FROM pg_replication_slots s WHERE s.slot_name = $1', [ctx.job.slotName]);
    return assessSlot(ctx.job.slotName, facts.database, rows[0]?.slot);
  },
};
