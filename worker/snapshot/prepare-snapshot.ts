import pg from 'pg';
import type { SnapshotProgress, SnapshotTableProgress } from '../../shared/job/job-record.ts';
import type { PublishedTable } from '../../shared/source/replication-objects.ts';
import type { Logger } from '../../shared/logger.ts';
import { planTable, readTableShape, sameColumns, type TableShape } from './snapshot-plan.ts';

// The snapshot to run now: the saved one resumed where its chunks were
// delivered, tables added since planned fresh, and a table whose columns
// changed before its snapshot finished (DDL during the full phase)
// snapshotted again from the start.
export type PreparedSnapshot = { progress: SnapshotProgress; shapes: TableShape[]; resumed: boolean };

export async function prepareSnapshot(opts: {
  config: pg.ClientConfig;
  tables: PublishedTable[];
  primaryKeys: Map<string, string[]>;
  previous?: SnapshotProgress;
  chunkRows: number;
  concurrency: number;
  log: Logger;
}): Promise<PreparedSnapshot | undefined> {
  const { previous, log } = opts;
  const client = new pg.Client(opts.config);
  await client.connect();
  try {
    const tables: SnapshotTableProgress[] = [];
    const shapes: TableShape[] = [];
    let resumed = false;
    for (const t of opts.tables) {
      const shape = { ...(await readTableShape(client, t, opts.primaryKeys.get(`${t.schema}.${t.table}`) ?? [])), rowFilter: t.rowFilter };
      const saved = previous?.tables.find((p) => p.schema === t.schema && p.table === t.table);
      // After a finished snapshot, later DDL is ordinary schema evolution: the stream carries it.
      if (saved && ((previous?.completedAt && saved.done) || sameColumns(saved, shape))) {
        tables.push(saved); // done tables stay listed; their segments are all done
        if (!previous?.completedAt && (saved.rowsDone > 0 || saved.done)) resumed = true;
      } else {
        if (saved) log.warn('columns changed since the snapshot was planned: the table is snapshotted again from the start', { table: `${t.schema}.${t.table}`, was: saved.columns, now: shape.columns.map((c) => `${c.name} ${c.type}`) });
        tables.push(await planTable(client, t, shape, { chunkRows: opts.chunkRows, concurrency: opts.concurrency }));
      }
      shapes.push(shape);
    }
    if (tables.every((t) => t.done)) return undefined; // nothing left: an earlier snapshot delivered every table
    const progress: SnapshotProgress = {
      startedAt: previous && !previous.completedAt ? previous.startedAt : new Date().toISOString(),
      rowsDone: tables.reduce((n, t) => n + t.rowsDone, 0),
      rowsPerSecond: 0,
      resumes: (previous && !previous.completedAt ? previous.resumes : 0) + (resumed ? 1 : 0),
      tables,
    };
    return { progress, shapes, resumed };
  } finally {
    await client.end().catch(() => undefined);
  }
}
