import pg from 'pg';
import type { StoredPostgresDestination } from '../../../shared/job/job-record.ts';
import type { TableRef } from '../../../shared/job/job-spec.ts';
import { pgConfig } from '../../../shared/source/pg-config.ts';
import { targetOf } from '../../../shared/destination/target-names.ts';
import { TributaryError } from '../../../shared/errors/tributary-error.ts';
import type { Logger } from '../../../shared/logger.ts';
import type { ChangeEvent } from '../../change-event.ts';
import type { Sink } from '../sink.ts';
import type { SourceTable } from './source-tables.ts';
import { createTargets } from './create-targets.ts';
import { readTarget } from './target-catalog.ts';
import { planWrites, type TableWriter } from './write-plan.ts';
import { applyDdl } from './apply-ddl.ts';
import { ensureBookkeeping, isAfter, readPosition, savePosition, type SinkPosition } from './sink-position.ts';
import { classifyDestination } from './classify-destination.ts';

export type PostgresSinkOptions = {
  destination: StoredPostgresDestination;
  password: string;
  jobId: string;
  tables: TableRef[];
  /** The selected tables as the source's catalog describes them (source-tables.ts). */
  describeSource(): Promise<SourceTable[]>;
  /** syncTypes.schema: create missing target schemas, enums and tables. */
  createSchema: boolean;
  log: Pick<Logger, 'info' | 'warn'>;
};

// Values arrive as PostgreSQL text (the change builder and the snapshot run
// in raw mode for this sink); only input functions run here, so the session
// pins the styles they read unambiguously.
const SESSION_OPTIONS = '-c DateStyle=ISO -c IntervalStyle=postgres -c TimeZone=UTC -c extra_float_digits=3';

// The PostgreSQL sink. Exactly-once by construction: every batch is one
// destination transaction that applies the rows AND moves the job's position
// (tributary.sink_positions); a batch replayed after a crash skips every
// change at or before that position. `write` resolves after COMMIT, so the
// checkpointer acknowledges to the source only what the destination holds
// (ARCHITECTURE.md §2).
export function createPostgresSink(opts: PostgresSinkOptions): Sink & { readonly position: SinkPosition | undefined } {
  const { destination } = opts;
  let client: pg.Client | undefined;
  let position: SinkPosition | undefined;
  let skipped = 0;
  const writers = new Map<string, TableWriter & { ref: TableRef }>();
  const idOf = (schema: string, table: string) => `${schema}\u0000${table}`;

  const writerOf = (e: { schema: string; table: string }) => {
    const w = writers.get(idOf(e.schema, e.table));
    if (!w) throw new TributaryError('Internal', `a change for ${e.schema}.${e.table}, which the job does not write`);
    return w;
  };

  const refresh = async (w: TableWriter) => {
    const info = await readTarget(client!, w.target.schema, w.target.table);
    if (!info) throw new TributaryError('DestinationSchemaMismatch', `the target table ${w.target.schema}.${w.target.table} does not exist on the destination; create it, or enable syncTypes.schema`);
    w.info = info;
  };

  const apply = async (events: ChangeEvent[]) => {
    let segment: ChangeEvent[] = [];
    const run = async () => {
      for (const step of planWrites(segment, writerOf, { keepExisting: destination.conflictMode === 'ignore-and-proceed' })) {
        if ('ddl' in step) continue; // segments hold no DDL
        const result = await client!.query(step.statement.text, step.statement.values);
        if (step.statement.orElse && result.rowCount === 0) await client!.query(step.statement.orElse.text, step.statement.orElse.values);
      }
      segment = [];
    };
    // DDL splits the batch: the statements after it are planned against the changed table.
    for (const e of events) {
      if (e.op !== 'ddl') {
        segment.push(e);
        continue;
      }
      await run();
      const w = writers.get(idOf(e.schema, e.table));
      if (await applyDdl(client!, e, w?.target, opts.log)) await refresh(w!);
    }
    await run();
  };

  return {
    get position() {
      return position;
    },

    async prepare() {
      try {
        client = new pg.Client({ ...pgConfig(destination, opts.password, { application_name: `tributary-${opts.jobId}` }), options: SESSION_OPTIONS } as pg.ClientConfig);
        client.on('error', () => undefined); // surfaces on the next query
        await client.connect();
        await ensureBookkeeping(client);
        const sources = await opts.describeSource();
        const pairs = opts.tables.map((ref, i) => ({ ref, source: sources[i], target: targetOf(ref, destination.nameCase) }));
        for (const p of pairs) {
          if (!p.source.columns.length) throw new TributaryError('TableNotFound', `the source table ${p.ref.schema}.${p.ref.table} was not found`);
        }
        if (opts.createSchema) {
          const created = await createTargets(client, opts.jobId, pairs);
          if (created.length) opts.log.info('target tables created', { tables: created });
        }
        for (const p of pairs) {
          const w = { ref: p.ref, target: p.target, key: p.source.key, info: { columns: new Map(), uniqueKeys: [] } } as TableWriter & { ref: TableRef };
          await refresh(w);
          const wanted = w.key.map((k) => p.target.column(k));
          if (wanted.length && !w.info.uniqueKeys.some((u) => u.length === wanted.length && u.every((c) => wanted.includes(c)))) {
            throw new TributaryError(
              'DestinationSchemaMismatch',
              `${p.target.schema}.${p.target.table} on the destination has no PRIMARY KEY or UNIQUE constraint on (${wanted.join(', ')}), which rows are matched by`,
            );
          }
          writers.set(idOf(p.ref.schema, p.ref.table), w);
        }
        position = await readPosition(client, opts.jobId);
        if (position) opts.log.info('destination position found: changes up to it are skipped', { commitLsn: position.commitLsn.toString(16), index: position.index });
      } catch (err) {
        throw classifyDestination(err, 'preparing the destination');
      }
    },

    async write(events) {
      const fresh = position ? events.filter((e) => isAfter(e, position)) : events;
      skipped += events.length - fresh.length;
      if (!fresh.length) return { bytes: 0 };
      if (skipped) {
        // a restart re-reads from the source's acknowledged position, which may lag the destination's
        opts.log.info('changes already on the destination skipped', { count: skipped });
        skipped = 0;
      }
      const last = fresh[fresh.length - 1];
      try {
        await client!.query('BEGIN');
        await apply(fresh);
        // must: the position commits with the rows, or a replay after a crash applies them twice
        await savePosition(client!, opts.jobId, { commitLsn: last.commitLsn, index: last.index });
        await client!.query('COMMIT');
      } catch (err) {
        await client!.query('ROLLBACK').catch(() => undefined);
        throw classifyDestination(err);
      }
      position = { commitLsn: last.commitLsn, index: last.index };
      return { bytes: bytesOf(fresh) };
    },

    async close() {
      await client?.end().catch(() => undefined);
    },
  };
}

function bytesOf(events: ChangeEvent[]): number {
  let bytes = 0;
  for (const e of events) {
    const row = e.after ?? e.before;
    if (!row) continue;
    for (const v of Object.values(row)) if (typeof v === 'string') bytes += v.length;
  }
  return bytes;
}
