import type pg from 'pg';
import { quoteIdent } from '../../shared/source/pg-config.ts';
import type { SnapshotTableProgress } from '../../shared/job/job-record.ts';
import { TributaryError } from '../../shared/errors/tributary-error.ts';

// Planning a table's snapshot: its columns as the stream sees them, its
// estimated size, and its split into primary-key range segments that readers
// take in parallel. Boundaries come from a TABLESAMPLE of the key, sorted by
// PostgreSQL itself (so any key type and composite keys order as the index
// does); a skewed sample only makes segments uneven, never wrong, because the
// segments always cover the whole key space: (-∞, b1], (b1, b2], …, (bn, +∞).

export type Column = { name: string; typeOid: number; /** format_type(): usable in a cast */ type: string };
export type TableShape = {
  oid: number; columns: Column[]; primaryKey: Column[]; estimatedRows: number | null; relfilenode: number;
  /** Table bytes (heap and TOAST) per estimated row, from the catalog; null before the table was ever analyzed. */
  rowBytes?: number | null;
  /** the publication's row filter: the snapshot reads the same rows the stream sends */ rowFilter?: string;
};

/** What one chunk of a table may take, as table bytes: wide rows get fewer rows per chunk, so a chunk's memory stays bounded. */
export const CHUNK_BYTES = 8 * 2 ** 20;
const MIN_CHUNK_ROWS = 100;

/** Rows per chunk for a table: `chunkRows`, fewer where rows are wide (CHUNK_BYTES), never under 100. */
export function chunkRowsOf(shape: Pick<TableShape, 'rowBytes'>, chunkRows: number): number {
  if (!shape.rowBytes || shape.rowBytes <= 0) return chunkRows;
  return Math.min(chunkRows, Math.max(Math.min(MIN_CHUNK_ROWS, chunkRows), Math.floor(CHUNK_BYTES / shape.rowBytes)));
}
export type Segment = SnapshotTableProgress['segments'][number];

const SAMPLE_ROWS = 2_000;

/** Columns as pgoutput sends them (PostgreSQL 12–17 leave generated columns out), in attnum order. */
export async function readTableShape(client: pg.Client, t: { schema: string; table: string }, primaryKey: readonly string[]): Promise<TableShape> {
  const rel = await client.query<{ oid: number; reltuples: number; relfilenode: number; bytes: number }>(
    `SELECT c.oid::int8::float8 AS oid, c.reltuples::float8 AS reltuples, c.relfilenode::int8::float8 AS relfilenode, pg_table_size(c.oid)::float8 AS bytes
       FROM pg_class c WHERE c.oid = to_regclass(format('%I.%I', $1::text, $2::text))`,
    [t.schema, t.table],
  );
  if (!rel.rowCount) throw new TributaryError('TableNotFound', `table ${t.schema}.${t.table} not found on the source`);
  const { oid, reltuples, relfilenode, bytes } = rel.rows[0];
  const cols = await client.query<{ name: string; type_oid: number; type: string }>(
    `SELECT attname AS name, atttypid::int8::float8 AS type_oid, format_type(atttypid, atttypmod) AS type
       FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum`,
    [oid],
  );
  const columns = cols.rows.map((r) => ({ name: r.name, typeOid: Number(r.type_oid), type: r.type }));
  if (primaryKey.length === 0) {
    throw new TributaryError('SnapshotNotPossible', `table ${t.schema}.${t.table} has no primary key: full synchronization reads it in key ranges`);
  }
  const key = primaryKey.map((k) => {
    const c = columns.find((col) => col.name === k);
    if (!c) throw new TributaryError('SnapshotNotPossible', `primary-key column ${k} of ${t.schema}.${t.table} is generated or missing`);
    return c;
  });
  return {
    oid: Number(oid), columns, primaryKey: key, estimatedRows: reltuples >= 0 ? Math.round(reltuples) : null, relfilenode: Number(relfilenode),
    rowBytes: reltuples > 0 ? Number(bytes) / reltuples : null,
  };
}

/** How many segments a table gets: one per reader share, none smaller than two chunks. */
export function segmentCount(estimatedRows: number | null, chunkRows: number, concurrency: number): number {
  if (concurrency <= 1 || estimatedRows === null) return 1;
  return Math.max(1, Math.min(concurrency * 2, Math.floor(estimatedRows / (chunkRows * 2)), 64));
}

/** Cuts sorted sample keys into `count` segments covering the whole key space; duplicate cut points are dropped. */
export function splitIntoSegments(sortedKeys: string[][], count: number): Segment[] {
  const cuts: string[][] = [];
  for (let i = 1; i < count; i++) {
    const key = sortedKeys[Math.floor((i * sortedKeys.length) / count)];
    if (key && (cuts.length === 0 || JSON.stringify(cuts.at(-1)) !== JSON.stringify(key))) cuts.push(key);
  }
  const bounds = [null, ...cuts, null];
  return bounds.slice(0, -1).map((from, i) => ({ from, to: bounds[i + 1], done: false }));
}

export async function planTable(
  client: pg.Client,
  t: { schema: string; table: string },
  shape: TableShape,
  opts: { chunkRows: number; concurrency: number },
): Promise<SnapshotTableProgress> {
  const count = segmentCount(shape.estimatedRows, chunkRowsOf(shape, opts.chunkRows), opts.concurrency);
  let segments: Segment[] = [{ from: null, to: null, done: false }];
  if (count > 1) {
    const percent = Math.min(100, (100 * SAMPLE_ROWS) / Math.max(1, shape.estimatedRows ?? 1));
    const keyList = shape.primaryKey.map((c) => quoteIdent(c.name)).join(', ');
    const texts = shape.primaryKey.map((c) => `${quoteIdent(c.name)}::text`).join(', ');
    const sample = await client.query({
      text: `SELECT ${texts} FROM ${quoteIdent(t.schema)}.${quoteIdent(t.table)} TABLESAMPLE SYSTEM ($1) ORDER BY ${keyList}`,
      values: [percent],
      rowMode: 'array',
    });
    segments = splitIntoSegments(sample.rows as string[][], count);
  }
  return {
    schema: t.schema,
    table: t.table,
    estimatedRows: shape.estimatedRows,
    rowsDone: 0,
    chunksDone: 0,
    primaryKey: shape.primaryKey.map((c) => c.name),
    columns: columnSignature(shape),
    segments,
    done: false,
  };
}

/** The shape a table had when planned; a different one at resume means DDL happened. */
export function sameColumns(planned: SnapshotTableProgress, shape: TableShape): boolean {
  return JSON.stringify(planned.columns) === JSON.stringify(columnSignature(shape)) &&
    JSON.stringify(planned.primaryKey) === JSON.stringify(shape.primaryKey.map((c) => c.name));
}

export function columnSignature(shape: Pick<TableShape, 'columns'>): string[] {
  return shape.columns.map((c) => `${c.name} ${c.type}`);
}
