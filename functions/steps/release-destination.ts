import pg from 'pg';
import type { JobRecord } from '../../shared/job/job-record.ts';
import { pgConfig } from '../../shared/source/pg-config.ts';
import type { Logger } from '../../shared/logger.ts';

// A user release also forgets the job on a PostgreSQL destination: its
// position and its record of the tables it created (schema "tributary",
// worker/sinks/postgres/sink-position.ts). The tables and rows themselves are
// the user's data and stay. Best effort: an unreachable destination must not
// keep the source's slot alive, so a failure is logged, not thrown. Not run
// for a failed job's cleanup, which may be started again.
export async function releaseDestination(job: JobRecord, password: string | undefined, log: Pick<Logger, 'info' | 'warn'>): Promise<void> {
  if (job.destination.type !== 'postgresql' || password === undefined) return;
  const client = new pg.Client(pgConfig(job.destination, password, { connectionTimeoutMillis: 5_000 }));
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query("SELECT to_regclass('tributary.sink_positions') IS NOT NULL AS positions, to_regclass('tributary.sink_tables') IS NOT NULL AS tables");
    if (rows[0].positions) await client.query('DELETE FROM tributary.sink_positions WHERE job_id = $1', [job.id]);
    if (rows[0].tables) await client.query('DELETE FROM tributary.sink_tables WHERE job_id = $1', [job.id]);
    log.info('destination bookkeeping released', { jobId: job.id });
  } catch (err) {
    log.warn('could not remove the job\'s rows from tributary.sink_positions / sink_tables on the destination; they are harmless and may be deleted by hand', { jobId: job.id, error: err instanceof Error ? err.message : String(err) });
  } finally {
    await client.end().catch(() => undefined);
  }
}
