import pg from 'pg';
import type { Checkpointer } from '../checkpoint/checkpointer.ts';
import type { ChangeBuilder } from '../stream/change-builder.ts';
import type { StreamStats } from '../stream/stream-changes.ts';
import type { Heartbeat } from './heartbeat.ts';
import { ensureHeartbeatTable, type TableName } from '../../shared/source/replication-objects.ts';
import { updateJob, type JobStore } from '../../shared/storage/job-store.ts';
import type { Logger } from '../../shared/logger.ts';
import type { JobStatus } from '../../shared/job/job-status.ts';
import type { Phase } from '../../shared/metering/usage.ts';
import type { Meter } from '../metering/meter.ts';
import type { JobMetrics } from '../../shared/job/job-record.ts';

// Glue between the heartbeat and the stream: create its table, keep its rows
// out of the sink, tell it what was delivered, and publish the job's metrics.

/** Creates the heartbeat table; without CREATE on the schema the job still streams, unmeasured. */
export async function createHeartbeatTable(config: pg.ClientConfig, table: TableName, log: Logger): Promise<TableName | undefined> {
  const client = new pg.Client(config);
  try {
    await client.connect();
    await ensureHeartbeatTable(client, table);
    return table;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== '42501') throw err; // only a missing privilege is tolerated; the rest is a real failure
    log.warn('no heartbeat table (permission denied); replication lag will not be measured', { table: `${table.schema}.${table.table}`, fix: `GRANT CREATE ON SCHEMA ${table.schema} TO <job user>` });
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function withoutHeartbeats(builder: ChangeBuilder, heartbeat: Heartbeat): ChangeBuilder {
  return {
    get inTransaction() {
      return builder.inTransaction;
    },
    handle(message, lsn) {
      const result = builder.handle(message, lsn);
      return result.events.length ? { ...result, events: heartbeat.filter(result.events) } : result;
    },
  };
}

export function observeDeliveries(checkpointer: Checkpointer, heartbeat: Heartbeat): Checkpointer {
  return {
    delivered(lsn) {
      checkpointer.delivered(lsn);
      heartbeat.delivered(lsn);
    },
    flush: () => checkpointer.flush(),
    get ackedLsn() {
      return checkpointer.ackedLsn;
    },
    close: () => checkpointer.close(),
  };
}

/**
 * Lives for the whole worker, across retried runs, so that lag keeps growing
 * (and is reported) while a run is down — a Kafka outage must show as lag.
 */
export type Observer = {
  /** The heartbeat for this run: started by the first run, reused by later ones. */
  heartbeat(start: () => Promise<Heartbeat>): Promise<Heartbeat>;
  /** Stream progress of the current run (its counters start at 0 each run). */
  progress(stats: StreamStats): void;
  runEnded(): void;
  close(): Promise<void>;
};

// The billed phase follows the job's status, read on each metrics write:
// snapshotting is the free full phase, streaming the billed incremental one,
// and anything else (retrying, a Kafka stall, stopping) is not billed.
const phaseOf = (status: JobStatus): Phase | undefined => (status === 'streaming' ? 'incremental' : status === 'snapshotting' ? 'snapshot' : undefined);

export function createObserver(opts: { store: JobStore; jobId: string; log: Logger; meter?: Meter; intervalMs?: number; publish?: (metrics: JobMetrics, bytesPerSecond: number) => void }): Observer {
  let heartbeat: Heartbeat | undefined;
  let delivered = 0;
  let deliveredBeforeRun = 0;
  let bytes = 0;
  let bytesBeforeRun = 0;
  let metered = { events: 0, bytes: 0 };
  let phase: Phase | undefined;
  let last = { at: Date.now(), delivered: 0 };
  const timer = setInterval(async () => {
    const now = Date.now();
    const elapsed = Math.max(1, now - last.at);
    const eventsPerSecond = Math.round(((delivered - last.delivered) * 1000) / elapsed);
    const bytesPerSecond = Math.round(((bytes - metered.bytes) * 1000) / elapsed);
    last = { at: now, delivered };
    if (phase) opts.meter?.delivered(phase, delivered - metered.events, bytes - metered.bytes);
    metered = { events: delivered, bytes };
    const metrics = { ...heartbeat?.metrics(now), eventsDelivered: delivered, eventsPerSecond, at: new Date(now).toISOString() };
    opts.publish?.(metrics, bytesPerSecond);
    await updateJob(opts.store, opts.jobId, (j) => {
      phase = phaseOf(j.status);
      opts.meter?.phase(phase);
      return { metrics };
    }).catch((err) => opts.log.warn('metrics not saved', { error: String(err) }));
  }, opts.intervalMs ?? 5_000);
  timer.unref();
  return {
    async heartbeat(start) {
      heartbeat ??= await start();
      heartbeat.rewind();
      return heartbeat;
    },
    progress(stats) {
      delivered = deliveredBeforeRun + stats.events;
      bytes = bytesBeforeRun + stats.bytes;
    },
    runEnded() {
      deliveredBeforeRun = delivered;
      bytesBeforeRun = bytes;
    },
    async close() {
      clearInterval(timer);
      if (phase) opts.meter?.delivered(phase, delivered - metered.events, bytes - metered.bytes);
      await opts.meter?.close().catch((err) => opts.log.warn('usage not reported', { error: String(err) }));
      await heartbeat?.close();
    },
  };
}
