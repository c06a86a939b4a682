import pg from 'pg';
import type { StartMode } from '../../shared/job/job-spec.ts';
import { formatLsn, parseLsn, type Lsn } from '../../shared/lsn.ts';
import { TributaryError } from '../../shared/errors/tributary-error.ts';
import type { ChangeBuilder } from '../stream/change-builder.ts';

// startMode "incremental" from a commit timestamp or an LSN (SPEC.md §2,
// DataArts). A slot can only replay what was committed after it was created,
// so a new slot refuses an earlier start point with a clear error instead of
// silently starting later; a point in the slot's future just skips commits.

export type StartPoint = { beforeMs?: number; beforeLsn?: Lsn };

export function startPointOf(mode: StartMode): StartPoint | undefined {
  if (mode.type !== 'incremental') return undefined;
  if (mode.fromTimestamp) return { beforeMs: Date.parse(mode.fromTimestamp) };
  if (mode.fromLsn) return { beforeLsn: parseLsn(mode.fromLsn) };
  return undefined;
}

/** The source's clock, read before the slot is created: commit timestamps are on that clock. */
export async function sourceNowMs(config: pg.ClientConfig): Promise<number> {
  const client = new pg.Client(config);
  await client.connect();
  try {
    const { rows } = await client.query<{ ms: number }>('SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS ms');
    return rows[0].ms;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Throws when a slot created at (`createdAtMs`, `slotLsn`) cannot serve `point`. */
export function refuseUnservable(point: StartPoint, slot: { createdAtMs: number; lsn: Lsn }): void {
  if (point.beforeMs !== undefined && point.beforeMs < slot.createdAtMs) {
    throw new TributaryError(
      'StartPointUnavailable',
      `startMode.fromTimestamp ${new Date(point.beforeMs).toISOString()} is before the job's replication slot was created (${new Date(slot.createdAtMs).toISOString()}); changes committed before that are no longer readable through it`,
    );
  }
  if (point.beforeLsn !== undefined && point.beforeLsn < slot.lsn) {
    throw new TributaryError('StartPointUnavailable', `startMode.fromLsn ${formatLsn(point.beforeLsn)} is before the job's replication slot start ${formatLsn(slot.lsn)}`);
  }
}

/** Drops the events of transactions committed before the start point; their commits still move the checkpoint. */
export function skipEarlierCommits(builder: ChangeBuilder, point: StartPoint): ChangeBuilder {
  let skipping = false;
  return {
    get inTransaction() {
      return builder.inTransaction;
    },
    handle(m, lsn) {
      if (m.tag === 'begin') {
        skipping = (point.beforeMs !== undefined && m.commitTimeMs < point.beforeMs) || (point.beforeLsn !== undefined && m.finalLsn < point.beforeLsn);
      }
      const result = builder.handle(m, lsn);
      return skipping && result.events.length ? { ...result, events: [] } : result;
    },
  };
}

/** Removes a slot this run just created for a refused start point, so that a restart cannot silently stream from it. */
export async function dropNewSlot(config: pg.ClientConfig, slot: string): Promise<void> {
  const client = new pg.Client(config);
  await client.connect();
  try {
    await client.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND active_pid IS NULL', [slot]);
  } finally {
    await client.end().catch(() => undefined);
  }
}
