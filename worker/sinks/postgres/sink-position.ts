import type pg from 'pg';
import { formatLsn, parseLsn, type Lsn } from '../../../shared/lsn.ts';

// Tributary's own bookkeeping on a PostgreSQL destination, in schema
// "tributary": the position each job has applied up to (written in the same
// transaction as the rows, so the two cannot disagree after a crash) and the
// tables each job created (so a precheck run again later does not report
// them as conflicting). The position is the last applied change as
// (commit LSN of its transaction, index within the transaction): finer than a
// commit, so a source transaction larger than one batch is split over several
// destination transactions and is still applied exactly once.

export const TRIBUTARY_SCHEMA = 'tributary';

export type SinkPosition = { commitLsn: Lsn; index: number };

export async function ensureBookkeeping(client: pg.Client): Promise<void> {
  await client.query('CREATE SCHEMA IF NOT EXISTS tributary');
  await client.query(`CREATE TABLE IF NOT EXISTS tributary.sink_positions (
    job_id text PRIMARY KEY, commit_lsn pg_lsn NOT NULL, event_index int4 NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`);
  await client.query(`CREATE TABLE IF NOT EXISTS tributary.sink_tables (
    job_id text NOT NULL, schema_name text NOT NULL, table_name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, schema_name, table_name))`);
}

export async function readPosition(client: pg.Client, jobId: string): Promise<SinkPosition | undefined> {
  const { rows } = await client.query<{ commit_lsn: string; event_index: number }>('SELECT commit_lsn::text, event_index FROM tributary.sink_positions WHERE job_id = $1', [jobId]);
  return rows[0] ? { commitLsn: parseLsn(rows[0].commit_lsn), index: rows[0].event_index } : undefined;
}

/** Part of the batch's transaction: must run before its COMMIT. */
export async function savePosition(client: pg.Client, jobId: string, position: SinkPosition): Promise<void> {
  await client.query(
    `INSERT INTO tributary.sink_positions (job_id, commit_lsn, event_index) VALUES ($1, $2::pg_lsn, $3)
     ON CONFLICT (job_id) DO UPDATE SET commit_lsn = EXCLUDED.commit_lsn, event_index = EXCLUDED.event_index, updated_at = now()`,
    [jobId, formatLsn(position.commitLsn), position.index],
  );
}

export const isAfter = (event: { commitLsn: Lsn; index: number }, position: SinkPosition | undefined): boolean =>
  !position || event.commitLsn > position.commitLsn || (event.commitLsn === position.commitLsn && event.index > position.index);

export async function noteCreatedTable(client: pg.Client, jobId: string, schema: string, table: string): Promise<void> {
  await client.query('INSERT INTO tributary.sink_tables (job_id, schema_name, table_name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [jobId, schema, table]);
}
