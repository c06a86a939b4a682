import { error, pass, type Precheck } from '../precheck.ts';
import { alterSystemRestart } from '../fix-sql.ts';
import { sourceFacts } from '../source-facts.ts';

// Each streaming job holds one WAL sender for as long as it runs; physical
// standbys and pg_basebackup use them too.
export const walSendersFree: Precheck = {
  id: 'wal-senders-free',
  title: 'A WAL sender is free (max_wal_senders)',
  requires: ['source-authentication'],
  appliesTo: () => true,
  async run(ctx) {
    const [client, facts] = await Promise.all([ctx.source(), sourceFacts(ctx)]);
    // The replication-connection check may hold one of ours right now: it does not count.
    const { rows } = await client.query(
      `SELECT count(*)::int AS used FROM pg_stat_activity
        WHERE backend_type = 'walsender' AND application_name IS DISTINCT FROM 'tributary-precheck'`,
    );
    const used: number = rows[0].used;
    const max = Number(facts.settings.get('max_wal_senders'));
    const summary = `${used} of max_wal_senders = ${max} in use, ${Math.max(0, max - used)} free; this job needs 1`;
    if (max - used >= 1) return pass(summary);
    return error(summary, alterSystemRestart('max_wal_senders', String(used + 1)));
  },
};
