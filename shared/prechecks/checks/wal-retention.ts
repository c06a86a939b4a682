import { pass, warning, type Finding, type Precheck, type PrecheckContext } from '../precheck.ts';
import { alterSystemReload, formatBytes, formatDuration } from '../fix-sql.ts';
import { major, sourceFacts } from '../source-facts.ts';

const MB = 1024 * 1024;

export type WalRetentionInput = {
  major: number;
  /** max_slot_wal_keep_size in MB; -1 is unlimited. */
  keepSizeMb: number;
  /** Estimated WAL bytes per second, and how it was estimated. */
  rate: { bytesPerSecond: number; how: string };
  connectionRetryMinutes: number;
};

// While a job is down (up to connectionRetryMinutes before it is failed) its
// slot must keep all WAL written meanwhile. Past max_slot_wal_keep_size
// PostgreSQL (13+) invalidates the slot, and the job can only start over
// with a full synchronization.
export function assessWalRetention(i: WalRetentionInput): Finding {
  const window = `the job's ${i.connectionRetryMinutes}-minute connection retry window`;
  const produced = i.rate.bytesPerSecond * i.connectionRetryMinutes * 60;
  const estimate = `~${formatBytes(i.rate.bytesPerSecond)}/s of WAL (${i.rate.how}), so ~${formatBytes(produced)} over ${window}`;
  if (i.major < 13) return pass(`PostgreSQL ${i.major} has no max_slot_wal_keep_size: the slot keeps WAL until it is consumed; ${estimate} must fit on the source's disk`);
  if (i.keepSizeMb < 0) return pass(`max_slot_wal_keep_size = -1 (unlimited): the slot keeps WAL through any outage; ${estimate} must fit on the source's disk`);
  const keep = i.keepSizeMb * MB;
  if (produced <= keep) return pass(`max_slot_wal_keep_size = ${formatBytes(keep)} holds ${estimate}`);
  const neededMb = Math.ceil((produced * 1.5) / MB);
  const safeMinutes = Math.floor(keep / Math.max(i.rate.bytesPerSecond, 1) / 60);
  return warning(
    `max_slot_wal_keep_size = ${formatBytes(keep)} is less than ${estimate}: PostgreSQL would invalidate the slot during a long outage and the job would need a new full synchronization`,
    `${alterSystemReload('max_slot_wal_keep_size', `'${neededMb}MB'`)}\n-- or lower the job's connectionRetryMinutes to ${Math.max(10, safeMinutes)} (the WAL rate is an estimate: leave a margin)`,
  );
}

/** The current WAL rate from two LSN samples, and the long-run average from pg_stat_wal (14+); the larger wins. */
async function walRate(ctx: PrecheckContext, majorVersion: number, inRecovery: boolean): Promise<{ bytesPerSecond: number; how: string }> {
  const client = await ctx.source();
  const lsnSql = inRecovery ? 'SELECT pg_last_wal_replay_lsn() AS lsn' : 'SELECT pg_current_wal_lsn() AS lsn';
  const first = await client.query(lsnSql);
  const t0 = process.hrtime.bigint();
  // A timer, not pg_sleep: the shared connection stays free for the other checks.
  await new Promise((r) => setTimeout(r, ctx.options.walSampleMs));
  const second = await client.query(lsnSql);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const diff = await client.query('SELECT pg_wal_lsn_diff($1, $2)::float8 AS bytes', [second.rows[0].lsn, first.rows[0].lsn]);
  const sampled = Math.max(0, diff.rows[0].bytes ?? 0) / seconds;
  const parts = [`${formatBytes(sampled)}/s sampled over ${seconds.toFixed(1)} s`];
  let best = sampled;
  if (majorVersion >= 14) {
    const avg = await client.query(
      `SELECT wal_bytes::float8 / greatest(extract(epoch FROM now() - stats_reset), 1) AS rate,
              extract(epoch FROM now() - stats_reset)::float8 AS seconds
         FROM pg_stat_wal WHERE stats_reset IS NOT NULL`,
    );
    if (avg.rows[0]) {
      parts.push(`${formatBytes(avg.rows[0].rate)}/s averaged over the ${formatDuration(avg.rows[0].seconds)} pg_stat_wal has counted`);
      best = Math.max(best, avg.rows[0].rate);
    }
  }
  return { bytesPerSecond: best, how: `estimate: the larger of ${parts.join(' and ')}` };
}

export const walRetention: Precheck = {
  id: 'wal-retention',
  title: 'WAL retention covers the connection retry window (max_slot_wal_keep_size)',
  requires: ['source-authentication'],
  appliesTo: () => true,
  async run(ctx) {
    const facts = await sourceFacts(ctx);
    const m = major(facts.versionNum);
    return assessWalRetention({
      major: m,
      keepSizeMb: Number(facts.settings.get('max_slot_wal_keep_size') ?? -1),
      rate: await walRate(ctx, m, facts.inRecovery),
      connectionRetryMinutes: ctx.job.connectionRetryMinutes,
    });
  },
};
