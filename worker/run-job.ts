import type { JobRecord } from '../shared/job/job-record.ts';
import { updateJob, type JobStore } from '../shared/storage/job-store.ts';
import { pgConfig } from '../shared/source/pg-config.ts';
import { formatLsn } from '../shared/lsn.ts';
import type { Logger } from '../shared/logger.ts';
import { setUpSource } from './replication/source-setup.ts';
import { openWalStream } from './replication/wal-stream.ts';
import { createPgoutputDecoder } from './replication/decoder/pgoutput-decoder.ts';
import { createChangeBuilder } from './stream/change-builder.ts';
import { streamChanges } from './stream/stream-changes.ts';
import { createCheckpointer } from './checkpoint/checkpointer.ts';
import { createKafkaSink } from './sinks/kafka/kafka-sink.ts';
import { classify } from '../shared/errors/classify.ts';
import { withSlotRetry } from './replication/slot-retry.ts';
import type { RunHooks } from './run-with-retry.ts';
import { heartbeatTableOf } from '../shared/source/replication-objects.ts';
import { createHeartbeatTable, observeDeliveries, withoutHeartbeats, type Observer } from './heartbeat/observe.ts';
import { startHeartbeat } from './heartbeat/heartbeat.ts';
import { TributaryError } from '../shared/errors/tributary-error.ts';

export type RunJobDeps = { job: JobRecord; password: string; store: JobStore; log: Logger; signal: AbortSignal; hooks: RunHooks; observer: Observer };

// The phases of one worker run: source setup (publication → slot), sink
// setup (topics), then the stream until stopped or failed. Full
// synchronization (snapshot) is not built yet: a new slot streams from its
// creation point.
export async function runJob({ job, password, store, log, signal, hooks, observer }: RunJobDeps): Promise<void> {
  const tables = job.objects.tables;
  const config = pgConfig(job.source, password);
  const heartbeatTable = await createHeartbeatTable(config, heartbeatTableOf(job), log);
  const published = heartbeatTable ? [...tables, heartbeatTable] : tables;
  const setup = await setUpSource(config, { slot: job.slotName, publication: job.publicationName }, published).catch((err) => {
    throw classify(err, 'source');
  });
  log.info(setup.slotCreated ? 'slot created' : 'slot found', { slot: job.slotName, lsn: formatLsn(setup.slotLsn), serverVersion: setup.serverVersion });

  if (signal.aborted) return;

  const sink = createKafkaSink({ destination: job.destination, database: job.source.database, jobName: job.name, clientId: `tributary-${job.id}` });
  try {
    await sink.prepare(tables);
    if (signal.aborted) return;
    const wal = await withSlotRetry(signal, log, () => openWalStream({
      config,
      slotName: job.slotName,
      publicationName: job.publicationName,
      startLsn: setup.slotLsn,
      decode: createPgoutputDecoder().decode,
    }));
    const heartbeat = heartbeatTable ? await observer.heartbeat(() => startHeartbeat({ config, table: heartbeatTable, slotName: job.slotName, log })) : undefined;
    let checkpointError: unknown;
    const checkpoints = createCheckpointer({
      startLsn: setup.slotLsn,
      save: async (lsn) => {
        await updateJob(store, job.id, () => ({ ackedLsn: formatLsn(lsn) }));
        hooks.healthy(); // the whole path (read → sink → save) works again
      },
      ack: (lsn) => wal.ack(lsn),
      onError: (err) => {
        checkpointError = err;
        void wal.close();
      },
    });
    const checkpointer = heartbeat ? observeDeliveries(checkpoints, heartbeat) : checkpoints;
    await updateJob(store, job.id, (j) => (j.status === 'starting' || j.status === 'retrying' ? { status: 'streaming' } : undefined));
    log.info('streaming', { from: formatLsn(setup.slotLsn) });
    try {
      const selected = [...tables, ...(heartbeatTable ? [{ ...heartbeatTable, operations: ['INSERT', 'UPDATE'] as const }] : [])];
      const changes = createChangeBuilder(selected.map((t) => ({ ...t, primaryKey: setup.primaryKeys.get(`${t.schema}.${t.table}`) })), { typeCatalog: setup.typeCatalog, log });
      const builder = heartbeat ? withoutHeartbeats(changes, heartbeat) : changes;
      const stats = await streamChanges({
        wal, builder, sink, checkpointer, signal,
        onProgress: observer.progress,
        onSinkStall: (since) =>
          hooks.degraded(new TributaryError('SinkUnreachable', `Kafka has not acknowledged a write for ${Math.round((Date.now() - since) / 1000)} s; the producer keeps retrying`), since),
        onSinkRecovered: () => log.info('Kafka acknowledged again'),
      });
      if (checkpointError) throw checkpointError;
      await checkpointer.close();
      log.info('stream stopped', { events: stats.events, transactions: stats.transactions, ackedLsn: formatLsn(checkpointer.ackedLsn) });
    } catch (err) {
      throw classify(err, 'source');
    } finally {
      observer.runEnded();
      await wal.close();
    }
  } finally {
    await sink.close();
  }
}
