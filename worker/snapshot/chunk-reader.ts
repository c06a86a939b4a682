import type pg from 'pg';
import { quoteIdent } from '../../shared/source/pg-config.ts';
import type { ValueDecoder } from '../replication/decoder/value-decoder.ts';
import type { TableShape } from './snapshot-plan.ts';
import { copyOut, type CopyOutResult } from './copy-out.ts';
import { parseCopyText } from './copy-text.ts';
import { copyToJson, type JsonRows } from './copy-json.ts';
import { rowBuilder, type BuiltRow, type RowBuilder } from './row-builder.ts';
import { rowLayout, type RowLayout } from '../json/row-json.ts';

// Reads one chunk: the next `limit` rows of a key range, in key order, as
// `COPY (SELECT …) TO STDOUT` text (copy-out.ts, parsed by copy-text.ts: the
// same text a SELECT returns, at a fraction of the client's per-row cost) and
// converted by the same value decoders as the stream, so a row's JSON is the
// same whichever path delivered it: rendered to JSON bytes at once for a
// Kafka destination (copy-json.ts), built as row objects of text values for
// a PostgreSQL one. The read runs in its own REPEATABLE READ
// transaction whose snapshot (txid_current_snapshot: xmin, xmax, in-progress
// xids) is returned for the watermark check.

export type KeyRange = { after: string[] | null; to: string[] | null };
/** The key's JSON text, which the watermark check compares with the stream's, is built only when that check needs it. */
export type ChunkRow = BuiltRow;
export type XidSnapshot = { xmin: number; xmax: number; /** in progress, 32-bit as pgoutput sends xids */ xip: number[] };
/** `rows` are the row objects (a RowBuilder read them) or, with `json`, empty: a RowLayout rendered them. */
export type Chunk = { count: number; rows: ChunkRow[]; json?: JsonRows; lastKey?: string[]; bytes: number; snapshot: XidSnapshot; relfilenode: number };
/** How a table's chunks become rows: objects (RowBuilder) or JSON bytes (RowLayout). */
export type ChunkRows = RowBuilder | RowLayout;

/** The session settings value-decoder.ts expects; the walsender pins the same ones (wal-stream.ts). */
export const READER_SESSION_OPTIONS = '-c DateStyle=ISO -c IntervalStyle=postgres -c extra_float_digits=3 -c TimeZone=UTC -c bytea_output=hex';

/**
 * A string literal read the same under either standard_conforming_strings:
 * COPY takes no parameters, so key values are written into the statement.
 */
export function quoteLiteral(text: string): string {
  const body = text.replaceAll("'", "''");
  return text.includes('\\') ? `E'${body.replaceAll('\\', '\\\\')}'` : `'${body}'`;
}

/** `SELECT cols FROM t WHERE (pk) > (after) AND (pk) <= (to) ORDER BY pk LIMIT n`; key values are text literals cast to the column types. */
export function chunkSql(t: { schema: string; table: string }, shape: Pick<TableShape, 'columns' | 'primaryKey' | 'rowFilter'>, range: KeyRange, limit: number): string {
  const key = shape.primaryKey.map((c) => quoteIdent(c.name)).join(', ');
  const values = (texts: string[]) => shape.primaryKey.map((c, i) => `${quoteLiteral(texts[i])}::text::${c.type}`).join(', ');
  const where: string[] = [];
  if (range.after) where.push(`(${key}) > (${values(range.after)})`);
  if (range.to) where.push(`(${key}) <= (${values(range.to)})`);
  // the publication's own filter text, which PostgreSQL accepted as a row filter when the publication was built
  if (shape.rowFilter) where.push(`(${shape.rowFilter})`);
  const cols = shape.columns.map((c) => quoteIdent(c.name)).join(', ');
  return `SELECT ${cols} FROM ${quoteIdent(t.schema)}.${quoteIdent(t.table)}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${key} LIMIT ${limit}`;
}

export function parseXidSnapshot(text: string): XidSnapshot {
  const [xmin, xmax, xip] = text.split(':');
  const low32 = (x: string) => Number(BigInt(x) & 0xffffffffn);
  return { xmin: low32(xmin), xmax: low32(xmax), xip: xip ? xip.split(',').map(low32) : [] };
}

/** Builds a table's rows from its chunks' fields; made once per table, so V8 optimizes it once. */
export function chunkRowBuilder(shape: Pick<TableShape, 'columns' | 'primaryKey'>, decoders: readonly ValueDecoder[]): RowBuilder {
  const names = shape.columns.map((c) => c.name);
  return rowBuilder(names, decoders, shape.primaryKey.map((k) => names.indexOf(k.name)));
}

/** Renders a table's chunks as JSON rows; the same JSON as JSON.stringify of chunkRowBuilder's rows. */
export function chunkRowLayout(shape: Pick<TableShape, 'columns' | 'primaryKey'>, decoders: readonly ValueDecoder[]): RowLayout {
  const names = shape.columns.map((c) => c.name);
  return rowLayout(names, decoders, shape.primaryKey.map((k) => names.indexOf(k.name)));
}

export async function readChunk(client: pg.Client, t: { schema: string; table: string }, shape: TableShape, build: ChunkRows, range: KeyRange, limit: number): Promise<Chunk> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  let copied: CopyOutResult;
  let head: { snap: string; relfilenode: number };
  try {
    // The first statement fixes the transaction's snapshot: the one the rows are read in.
    head = (await client.query<{ snap: string; relfilenode: number }>(
      'SELECT txid_current_snapshot()::text AS snap, relfilenode::int8::float8 AS relfilenode FROM pg_class WHERE oid = $1',
      [shape.oid],
    )).rows[0];
    copied = await copyOut(client, `COPY (${chunkSql(t, shape, range, limit)}) TO STDOUT`);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  const snapshot = parseXidSnapshot(head.snap);
  const relfilenode = Number(head.relfilenode);
  if (typeof build !== 'function') {
    const json = copyToJson(copied.data, copied.bytes, build);
    return { count: json.rows.count, rows: [], json: json.rows, lastKey: json.lastKey, bytes: json.bytes, snapshot, relfilenode };
  }
  const width = shape.columns.length;
  const fields = parseCopyText(copied.data.toString('utf8', 0, copied.bytes), width);
  const count = fields.length / width;
  const rows: ChunkRow[] = new Array(count);
  for (let r = 0; r < count; r++) rows[r] = build(fields, r * width);
  let bytes = 0;
  for (const v of fields) if (v !== null) bytes += v.length;
  const last = (count - 1) * width;
  const keyIndexes = shape.primaryKey.map((k) => shape.columns.findIndex((c) => c.name === k.name));
  return { count, rows, lastKey: count > 0 ? keyIndexes.map((i) => fields[last + i] as string) : undefined, bytes, snapshot, relfilenode };
}
