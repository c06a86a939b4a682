import pg from 'pg';
import type { Lsn } from '../../shared/lsn.ts';
import { quoteIdent } from '../../shared/source/pg-config.ts';
import type { TableName } from '../../shared/source/replication-objects.ts';
import { afterRow, type ChangeEvent } from '../change-event.ts';
import type { JobMetrics } from '../../shared/job/job-record.ts';
import type { Logger } from '../../shared/logger.ts';

// Heartbeats measure replication lag end to end: the worker writes a row on
// the source every few seconds; the row comes back through the slot; once the
// sink has delivered everything up to its commit, lag = delivery time − write
// time. A heartbeat written but not yet delivered makes lag grow by itself,
// so a stalled stream or a dead broker shows as rising lag, not a frozen one.
export type Heartbeat = {
  /** Takes heartbeat events out of a batch of change events; they are never sent to the sink. */
  filter(events: ChangeEvent[]): ChangeEvent[];
  /** Everything up to `lsn` is delivered. */
  delivered(lsn: Lsn): void;
  metrics(now?: number): Pick<JobMetrics, 'lagSeconds' | 'retainedWalBytes'>;
  /** A new run re-reads from the acknowledged LSN: forget heartbeats read but not delivered. */
  rewind(): void;
  close(): Promise<void>;
};

/** Without a table (no privilege, or a read-only standby source) it writes nothing and measures retained WAL only. */
export async function startHeartbeat(opts: { config: pg.ClientConfig; table?: TableName; slotName: string; intervalMs?: number; log: Logger }): Promise<Heartbeat> {
  const { table } = opts;
  const client = new pg.Client(opts.config);
  client.on('error', () => undefined); // a lost connection is retried on the next beat
  let connected: Promise<unknown> | undefined;
  const written: number[] = []; // write times not yet seen delivered, oldest first
  const read: Array<{ commitLsn: Lsn; writtenAt: number }> = [];
  let lastLagMs: number | undefined;
  let retainedWalBytes: number | undefined;
  let warned = false;

  const beat = async () => {
    try {
      connected ??= client.connect();
      await connected;
      if (table) {
        const { rows } = await client.query(
          `INSERT INTO ${quoteIdent(table.schema)}.${quoteIdent(table.table)} (id, ts) VALUES (1, clock_timestamp())
           ON CONFLICT (id) DO UPDATE SET ts = EXCLUDED.ts RETURNING (extract(epoch FROM ts) * 1000)::float8 AS ms`,
        );
        written.push(Math.floor(rows[0].ms)); // whole ms, as the decoded event's timestamp compares
      }
      // a standby has no current WAL position ("recovery is in progress"): its end of WAL is what it replayed
      const slot = await client.query(
        `SELECT pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END, restart_lsn)::float8 AS retained
           FROM pg_replication_slots WHERE slot_name = $1`,
        [opts.slotName],
      );
      retainedWalBytes = slot.rows[0]?.retained ?? undefined;
    } catch (err) {
      if (!warned) opts.log.warn('heartbeat write failed; lag is not measured until it works', { error: (err as Error).message });
      warned = true;
      connected = undefined;
      await client.end().catch(() => undefined);
    }
  };
  await beat();
  const timer = setInterval(beat, opts.intervalMs ?? 5_000);
  timer.unref();

  const isHeartbeat = (e: ChangeEvent) => e.table === table?.table && e.schema === table.schema;

  return {
    filter(events) {
      if (!events.some(isHeartbeat)) return events;
      for (const e of events) {
        const after = isHeartbeat(e) ? afterRow(e) : null;
        if (after) read.push({ commitLsn: e.commitLsn, writtenAt: Date.parse(String(after.ts)) });
      }
      return events.filter((e) => !isHeartbeat(e));
    },
    delivered(lsn) {
      const now = Date.now();
      while (read.length && read[0].commitLsn <= lsn) {
        const { writtenAt } = read.shift()!;
        lastLagMs = Math.max(0, now - writtenAt);
        while (written.length && written[0] <= writtenAt) written.shift();
      }
    },
    metrics(now = Date.now()) {
      const pendingMs = written.length ? now - written[0] : 0;
      const lagMs = lastLagMs === undefined && !written.length ? undefined : Math.max(lastLagMs ?? 0, pendingMs);
      return { lagSeconds: lagMs === undefined ? undefined : Math.round(lagMs / 100) / 10, retainedWalBytes };
    },
    rewind() {
      read.length = 0;
    },
    async close() {
      clearInterval(timer);
      await client.end().catch(() => undefined);
    },
  };
}
