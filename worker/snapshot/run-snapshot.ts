import pg from 'pg';
import { randomBytes } from 'node:crypto';
import type { SnapshotProgress } from '../../shared/job/job-record.ts';
import type { Logger } from '../../shared/logger.ts';
import { TributaryError } from '../../shared/errors/tributary-error.ts';
import { createValueDecoders, type ValueDecoder } from '../replication/decoder/value-decoder.ts';
import type { TypeCatalog } from '../replication/type-catalog.ts';
import { chunkRowBuilder, chunkRowLayout, READER_SESSION_OPTIONS, readChunk, type ChunkRows } from './chunk-reader.ts';
import { chunkRowsOf, columnSignature, type TableShape } from './snapshot-plan.ts';
import type { SnapshotWindows } from './snapshot-windows.ts';
import type { ProgressTracker } from './snapshot-progress.ts';
import type { Throttle } from './token-bucket.ts';

// The snapshot's readers: `concurrency` connections take segments from a
// queue and read each one chunk by chunk, every chunk between a low and a
// high watermark (snapshot-windows.ts). A reader waits until the stream has
// reached its chunk's high watermark before reading the next one, so at most
// `concurrency` chunks wait in memory and a slow sink slows the reads down.

export type SnapshotRun = {
  config: pg.ClientConfig;
  progress: SnapshotProgress;
  /** Per table of `progress.tables`, in the same order. */
  shapes: TableShape[];
  typeCatalog: TypeCatalog;
  windows: SnapshotWindows;
  tracker: ProgressTracker;
  throttle: Throttle;
  concurrency: number;
  /** Rows per chunk at most; tables of wide rows get fewer (chunkRowsOf). */
  chunkRows: number;
  /** Rows keep PostgreSQL's text values (for a PostgreSQL destination), as the change builder's rawValues. */
  rawValues?: boolean;
  signal: AbortSignal;
  log: Logger;
};

/** Resolves once every chunk is read and handed to the stream (not yet delivered: see the tracker); false when stopped first. */
export async function runSnapshotReaders(run: SnapshotRun): Promise<boolean> {
  const runId = randomBytes(4).toString('hex');
  let seq = 0;
  const queue: Array<{ table: number; segment: number }> = [];
  run.progress.tables.forEach((t, table) => t.segments.forEach((s, segment) => {
    if (!s.done) queue.push({ table, segment });
  }));
  const failure = new AbortController();
  const signal = AbortSignal.any([run.signal, failure.signal]);
  const builders = run.shapes.map((shape) => {
    if (run.rawValues) return chunkRowBuilder(shape, shape.columns.map((): ValueDecoder => (text) => text));
    const values = createValueDecoders(run.typeCatalog);
    return chunkRowLayout(shape, shape.columns.map((c) => values.decoderFor(c.typeOid)));
  });
  let stopped = false;

  const reader = async () => {
    const client = new pg.Client({ ...run.config, options: READER_SESSION_OPTIONS, application_name: 'tributary-snapshot' } as pg.ClientConfig);
    client.on('error', () => undefined); // surfaces on the next query
    await client.connect();
    try {
      for (let work = queue.shift(); work && !signal.aborted; work = queue.shift()) {
        if (!(await readSegment(client, work.table, work.segment, builders[work.table]))) {
          stopped = true;
          return;
        }
      }
    } finally {
      await client.end().catch(() => undefined);
    }
  };

  const emit = (client: pg.Client, id: string, w: 'low' | 'high') =>
    client.query('SELECT pg_logical_emit_message(true, $1, $2)', [run.windows.prefix, JSON.stringify({ id, w })]);

  const readSegment = async (client: pg.Client, tableIndex: number, segmentIndex: number, build: ChunkRows): Promise<boolean> => {
    const t = run.progress.tables[tableIndex];
    const shape = run.shapes[tableIndex];
    const segment = t.segments[segmentIndex];
    let after = segment.after ?? segment.from;
    const limit = chunkRowsOf(shape, run.chunkRows);
    for (;;) {
      if (signal.aborted) return false;
      const id = `${runId}.${seq++}`;
      run.windows.open(id, { schema: t.schema, table: t.table, primaryKey: t.primaryKey });
      await run.throttle.beforeQuery(signal);
      await emit(client, id, 'low');
      const chunk = await readChunk(client, t, shape, build, { after, to: segment.to }, limit);
      run.throttle.afterRead(chunk.count, chunk.bytes);
      // DDL check with a fresh snapshot: a table rewritten after the chunk's
      // snapshot was taken (TRUNCATE, VACUUM FULL, ALTER … TYPE) reads as
      // empty to that snapshot, so the chunk is read again; changed columns
      // are DDL during the snapshot, which both seeds forbid.
      const now = await client.query<{ relfilenode: number; columns: string[] }>(
        `SELECT c.relfilenode::int8::float8 AS relfilenode,
                array(SELECT attname || ' ' || format_type(atttypid, atttypmod) FROM pg_attribute
                       WHERE attrelid = c.oid AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum) AS columns
           FROM pg_class c WHERE c.oid = $1`,
        [shape.oid],
      );
      const current = now.rows[0];
      if (!current || JSON.stringify(current.columns) !== JSON.stringify(columnSignature(shape))) {
        run.windows.cancel(id);
        throw new TributaryError(
          'SnapshotSchemaChanged',
          `table ${t.schema}.${t.table} was ${current ? 'altered' : 'dropped'} during its snapshot (columns were ${t.columns.join(', ')}${current ? `; now ${current.columns.join(', ')}` : ''})`,
        );
      }
      if (Number(current.relfilenode) !== chunk.relfilenode) {
        run.windows.cancel(id);
        shape.relfilenode = Number(current.relfilenode);
        run.log.warn('table rewritten during a chunk read (TRUNCATE, VACUUM FULL, CLUSTER or ALTER); reading the chunk again', { table: `${t.schema}.${t.table}` });
        continue;
      }
      if (chunk.count === 0) {
        run.windows.cancel(id);
        run.tracker.exhausted(tableIndex, segmentIndex);
        return true;
      }
      const last = chunk.count < limit;
      const outcome = run.windows.supply(id, chunk);
      run.tracker.register(id, { table: tableIndex, segment: segmentIndex, lastKey: chunk.lastKey, last, rows: chunk.count });
      await emit(client, id, 'high');
      const result = await outcome;
      if (result.kind === 'closed') {
        run.tracker.forget(id);
        return false;
      }
      if (result.kind === 'retry') {
        run.tracker.forget(id);
        run.log.warn('chunk read again', { table: `${t.schema}.${t.table}`, reason: result.reason });
        continue;
      }
      after = chunk.lastKey!;
      if (last) return true;
    }
  };

  const readers = Array.from({ length: Math.max(1, run.concurrency) }, () =>
    reader().catch((err) => {
      failure.abort();
      throw err;
    }),
  );
  const results = await Promise.allSettled(readers);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return !stopped && !run.signal.aborted;
}
