import type { JobRecord } from '../shared/job/job-record.ts';
import { updateJob, type JobStore } from '../shared/storage/job-store.ts';
import { pgConfig } from '../shared/source/pg-config.ts';
import { formatLsn } from '../shared/lsn.ts';
import type { Logger } from '../shared/logger.ts';
import { setUpSource } from './replication/source-setup.ts';
import { selectJobTables } from './replication/select-job-tables.ts';
import { acknowledgedFixes } from './replication/acknowledged-fixes.ts';
import { enableDdlCapture } from './replication/enable-ddl-capture.ts';
import { refuseFullOnStandby, sourceIsStandby } from './replication/standby-source.ts';
import { ddlCaptureOf } from '../shared/source/ddl-capture.ts';
import { openWalStream } from './replication/wal-stream.ts';
import { createStreamDecoder } from './replication/decoder/stream-decode.ts';
import { pgoutputProtocol } from './replication/pgoutput-protocol.ts';
import { createTransactionSpool } from './stream/transaction-spool.ts';
import { spoolSettings } from './stream/spool-settings.ts';
import { createStreamThrottle } from './stream/stream-throttle.ts';
import { createChangeBuilder } from './stream/change-builder.ts';
import { streamChanges } from './stream/stream-changes.ts';
import { createCheckpointer } from './checkpoint/checkpointer.ts';
import { createKafkaSink } from './sinks/kafka/kafka-sink.ts';
import { createPostgresSink } from './sinks/postgres/postgres-sink.ts';
import { readSourceTables } from './sinks/postgres/source-tables.ts';
import { classify } from '../shared/errors/classify.ts';
import { withSlotRetry } from './replication/slot-retry.ts';
import type { RunHooks } from './run-with-retry.ts';
import { heartbeatTableOf } from '../shared/source/replication-objects.ts';
import { createHeartbeatTable, observeDeliveries, withoutHeartbeats, type Observer } from './heartbeat/observe.ts';
import { startHeartbeat } from './heartbeat/heartbeat.ts';
import { TributaryError } from '../shared/errors/tributary-error.ts';
import { phasesOf } from '../shared/job/job-spec.ts';
import { prepareSnapshot, type PreparedSnapshot } from './snapshot/prepare-snapshot.ts';
import { chunkRowsFor, concurrencyOf, runSnapshotPhase, snapshotPrefix } from './snapshot/snapshot-phase.ts';
import { createSnapshotWindows } from './snapshot/snapshot-windows.ts';
import { createProgressTracker } from './snapshot/snapshot-progress.ts';
import { dropNewSlot, refuseUnservable, skipEarlierCommits, sourceNowMs, startPointOf } from './snapshot/start-point.ts';
import { resumeExactlyOnce } from './sinks/kafka/resume-exactly-once.ts';

export type RunJobDeps = { job: JobRecord; password: string; /** A PostgreSQL destination's password. */ destinationPassword?: string; store: JobStore; log: Logger; signal: AbortSignal; hooks: RunHooks; observer: Observer };

// The phases of one worker run: source setup (publication → slot), the
// snapshot plan, sink setup (topics), then the stream until stopped or
// failed. The full phase (worker/snapshot/) runs inside the stream: chunks
// are read between watermarks the stream sees, so both meet exactly and the
// slot keeps advancing; the job shows `snapshotting` until the last chunk is
// delivered, then `streaming`.
export async function runJob({ job, password, destinationPassword, store, log, signal, hooks, observer }: RunJobDeps): Promise<void> {
  const config = pgConfig(job.source, password);
  const tables = await selectJobTables(config, job.objects).catch((err) => { throw classify(err, 'source'); });
  const phases = phasesOf(job);
  const startPoint = startPointOf(job.startMode ?? { type: 'full+incremental' });
  const standby = await sourceIsStandby(config).catch((err) => { throw classify(err, 'source'); });
  if (standby) {
    refuseFullOnStandby(phases);
    log.warn('the source is a standby (read-only): no heartbeat rows are written, so replication lag is not measured (retained WAL still is)', { fix: 'point the job at the primary to measure lag' });
    log.info('the source is a standby: a new slot waits for the primary\'s next running-transactions record (every 15 s while the primary writes WAL; on an idle primary run SELECT pg_log_standby_snapshot() there)');
  }
  const heartbeatTable = standby ? undefined : await createHeartbeatTable(config, heartbeatTableOf(job), log);
  const published = heartbeatTable ? [...tables, heartbeatTable] : tables;
  const beforeSlotMs = startPoint ? await sourceNowMs(config).catch((err) => { throw classify(err, 'source'); }) : 0;
  const setup = await setUpSource(config, { slot: job.slotName, publication: job.publicationName }, published, { fixes: acknowledgedFixes(job), standby }).catch((err) => {
    throw classify(err, 'source');
  });
  log.info(setup.slotCreated ? 'slot created' : 'slot found', { slot: job.slotName, lsn: formatLsn(setup.slotLsn), serverVersion: setup.serverVersion, ...(standby ? { standby } : {}) });
  if (setup.unappliedFixes.length) {
    log.warn('the source is a standby: acknowledged fixes are not applied (only the primary can); until they are run there, UPDATE events lack unchanged TOASTed values and before-images hold only the key', { runOnPrimary: setup.unappliedFixes });
  }
  const ddlCapture = await enableDdlCapture(config, ddlCaptureOf(job), log, standby);
  if (startPoint && setup.slotCreated) {
    try {
      refuseUnservable(startPoint, { createdAtMs: beforeSlotMs, lsn: setup.slotLsn });
    } catch (err) {
      await dropNewSlot(config, job.slotName).catch(() => undefined);
      throw err;
    }
  }

  // The saved progress, read fresh: a retried run continues where the last one was saved.
  // Exactly-once: the previous worker is fenced first, and a later position committed in Kafka wins.
  const resumed = await resumeExactlyOnce(job, (await store.get(job.id)) ?? job, log);
  const current = resumed.job;
  let prepared: PreparedSnapshot | undefined;
  // A job that streamed before without a snapshot record (created before full synchronization existed) is not snapshotted again.
  if (phases.full && (current.snapshot || !current.ackedLsn)) {
    prepared = await prepareSnapshot({
      config, tables, primaryKeys: setup.primaryKeys, previous: current.snapshot,
      chunkRows: chunkRowsFor(job), concurrency: concurrencyOf(job), log,
    }).catch((err) => {
      throw classify(err, 'source');
    });
    const progress = prepared?.progress;
    if (prepared?.resumed) {
      log.info('snapshot resumed from the last delivered chunk', {
        rowsDone: progress!.rowsDone,
        resumes: progress!.resumes,
        tables: progress!.tables.map((t) => ({ table: `${t.schema}.${t.table}`, rowsDone: t.rowsDone, chunksDone: t.chunksDone, after: t.segments.map((s) => (s.done ? 'done' : (s.after ?? s.from))) })),
      });
    } else if (prepared) {
      log.info('snapshot planned', { tables: progress!.tables.map((t) => ({ table: `${t.schema}.${t.table}`, estimatedRows: t.estimatedRows, segments: t.segments.length })) });
    } else if (current.snapshot && !current.snapshot.completedAt) {
      await updateJob(store, job.id, (j) => ({ snapshot: { ...current.snapshot!, completedAt: new Date().toISOString() } }));
    }
  }
  if (!phases.incremental && !prepared) {
    log.info('full synchronization already complete and incremental synchronization is off: nothing to do');
    return;
  }

  if (signal.aborted) return;

  const sink = job.destination.type === 'postgresql'
    ? createPostgresSink({
      destination: job.destination, password: destinationPassword ?? '', jobId: job.id, tables, log,
      describeSource: () => readSourceTables(config, tables).catch((err) => { throw classify(err, 'source'); }),
      createSchema: job.syncTypes?.schema ?? true,
    })
    : createKafkaSink({ destination: job.destination, database: job.source.database, jobName: job.name, clientId: `tributary-${job.id}`, jobId: job.id, producerThread: true });
  try {
    await sink.prepare(tables);
    if (signal.aborted) return;
    const protocol = pgoutputProtocol(setup.serverVersion);
    const kafkaRows = job.destination.type === 'kafka';
    const spool = protocol.streaming ? await createTransactionSpool(spoolSettings(job.id)) : undefined;
    const wal = await withSlotRetry(signal, log, () => openWalStream({
      config,
      slotName: job.slotName,
      publicationName: job.publicationName,
      startLsn: setup.slotLsn,
      protocol,
      // A Kafka job renders rows from their bytes (change-builder.ts jsonRows); a PostgreSQL one needs their text.
      decode: createStreamDecoder({ rawTuples: kafkaRows }).decode,
    }));
    const heartbeat = await observer.heartbeat(() => startHeartbeat({ config, table: heartbeatTable, slotName: job.slotName, log }));
    const tracker = prepared ? createProgressTracker(prepared.progress) : undefined;
    let checkpointError: unknown;
    const checkpoints = createCheckpointer({
      startLsn: setup.slotLsn,
      save: async (lsn) => {
        // The snapshot progress saved with a position counts only chunks delivered up to it.
        await updateJob(store, job.id, () => ({ ackedLsn: formatLsn(lsn), ...(tracker ? { snapshot: tracker.at(lsn) } : {}) }));
        hooks.healthy(); // the whole path (read → sink → save) works again
      },
      ack: (lsn) => wal.ack(lsn),
      onError: (err) => {
        checkpointError = err;
        void wal.close();
      },
    });
    const checkpointer = heartbeatTable ? observeDeliveries(checkpoints, heartbeat) : checkpoints;
    if (prepared) {
      await updateJob(store, job.id, (j) => ({ snapshot: prepared.progress, ...(['starting', 'retrying', 'streaming'].includes(j.status) ? { status: 'snapshotting' as const } : {}) }));
    } else {
      await updateJob(store, job.id, (j) => (j.status === 'starting' || j.status === 'retrying' ? { status: 'streaming' } : undefined));
    }
    log.info('streaming', { from: formatLsn(setup.slotLsn), protocol: protocol.version, streaming: protocol.streaming ?? 'off' });
    // Ends the stream of a full-only job once its snapshot is delivered.
    const stopAfterSnapshot = new AbortController();
    const streamSignal = AbortSignal.any([signal, stopAfterSnapshot.signal]);
    const windows = prepared ? createSnapshotWindows({ prefix: snapshotPrefix(job.id), onChunkCommitted: (id, lsn) => tracker!.committed(id, lsn) }) : undefined;
    let snapshotError: unknown;
    let snapshotTask: Promise<void> | undefined;
    try {
      const selected = [...tables, ...(heartbeatTable ? [{ ...heartbeatTable, operations: ['INSERT', 'UPDATE'] as const }] : [])];
      const changes = createChangeBuilder(selected.map((t) => ({ ...t, primaryKey: setup.primaryKeys.get(`${t.schema}.${t.table}`) })), { typeCatalog: setup.typeCatalog, log, ddlPrefix: ddlCapture?.prefix, rawValues: job.destination.type === 'postgresql', jsonRows: kafkaRows });
      let builder = heartbeatTable ? withoutHeartbeats(changes, heartbeat) : changes;
      if (startPoint) builder = skipEarlierCommits(builder, startPoint);
      // The slot may lag Kafka (a crash between the Kafka commit and the PostgreSQL ack): those commits are in Kafka already.
      if (resumed.skipBefore !== undefined) builder = skipEarlierCommits(builder, { beforeLsn: resumed.skipBefore });
      if (windows) builder = windows.wrap(builder);
      if (prepared && windows && tracker) {
        snapshotTask = runSnapshotPhase({
          job, config, prepared, typeCatalog: setup.typeCatalog, windows, tracker, checkpointer, store,
          streamAfter: phases.incremental, signal: streamSignal, log,
        }).then(
          (done) => {
            if (done && !phases.incremental) stopAfterSnapshot.abort();
          },
          (err) => {
            snapshotError = err;
            void wal.close(); // ends the stream: the run fails with the snapshot's error
          },
        );
      }
      const stats = await streamChanges({
        wal, builder, sink, checkpointer, signal: streamSignal, spool, log, rawTuples: kafkaRows,
        throttle: createStreamThrottle(job.throttle?.incremental),
        onProgress: observer.progress,
        onSinkStall: (since) =>
          hooks.degraded(new TributaryError('SinkUnreachable', `${job.destination.type === 'kafka' ? 'Kafka' : 'The destination'} has not acknowledged a write for ${Math.round((Date.now() - since) / 1000)} s; ${job.destination.type === 'kafka' ? 'the producer keeps retrying' : 'the write is still waiting'}`), since),
        onSinkRecovered: () => log.info(`${job.destination.type === 'kafka' ? 'Kafka' : 'the destination'} acknowledged again`),
        // Exactly-once: records and position become visible in one Kafka transaction, before the checkpointer saves and acks.
        ...(resumed.exactlyOnce && sink.commit ? { commit: (lsn) => sink.commit!({ lsn, ...(tracker ? { snapshot: tracker.preview(lsn) } : {}) }) } : {}),
      });
      stopAfterSnapshot.abort();
      windows?.close();
      await snapshotTask;
      if (checkpointError) throw checkpointError;
      if (snapshotError) throw snapshotError;
      await checkpointer.close();
      log.info('stream stopped', { events: stats.events, transactions: stats.transactions, ackedLsn: formatLsn(checkpointer.ackedLsn) });
    } catch (err) {
      throw classify(err, 'source');
    } finally {
      stopAfterSnapshot.abort();
      windows?.close();
      await snapshotTask;
      observer.runEnded();
      await wal.close();
    }
  } finally {
    await sink.close();
  }
}
