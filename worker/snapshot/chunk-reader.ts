import type pg from 'pg';
import { quoteIdent } from '../../shared/source/pg-config.ts';
import type { Row } from '../change-event.ts';
import type { ValueDecoder } from '../replication/decoder/value-decoder.ts';
import type { TableShape } from './snapshot-plan.ts';

// Reads one chunk: the next `limit` rows of a key range, in key order, in text
// format and converted by the same value decoders as the stream, so a row's
// JSON is the same whichever path delivered it. The read runs in its own
// REPEATABLE READ transaction whose snapshot (txid_current_snapshot: xmin,
// xmax, in-progress xids) is returned for the watermark check.

export type KeyRange = { after: string[] | null; to: string[] | null };
export type ChunkRow = { key: Row; keyText: string; after: Row };
export type XidSnapshot = { xmin: number; xmax: number; /** in progress, 32-bit as pgoutput sends xids */ xip: number[] };
export type Chunk = { rows: ChunkRow[]; lastKey?: string[]; bytes: number; snapshot: XidSnapshot; relfilenode: number };

/** The session settings value-decoder.ts expects; the walsender pins the same ones (wal-stream.ts). */
export const READER_SESSION_OPTIONS = '-c DateStyle=ISO -c IntervalStyle=postgres -c extra_float_digits=3 -c TimeZone=UTC -c bytea_output=hex';

const TEXT = { getTypeParser: () => (v: string) => v };

/** `SELECT cols FROM t WHERE (pk) > ($after) AND (pk) <= ($to) ORDER BY pk LIMIT n`; key values travel as text parameters cast to the column types. */
export function chunkSql(t: { schema: string; table: string }, shape: Pick<TableShape, 'columns' | 'primaryKey' | 'rowFilter'>, range: { after: boolean; to: boolean }, limit: number): string {
  const key = shape.primaryKey.map((c) => quoteIdent(c.name)).join(', ');
  const params = (offset: number) => shape.primaryKey.map((c, i) => `$${offset + i + 1}::text::${c.type}`).join(', ');
  const where: string[] = [];
  if (range.after) where.push(`(${key}) > (${params(0)})`);
  if (range.to) where.push(`(${key}) <= (${params(range.after ? shape.primaryKey.length : 0)})`);
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

export async function readChunk(client: pg.Client, t: { schema: string; table: string }, shape: TableShape, decoders: ValueDecoder[], range: KeyRange, limit: number): Promise<Chunk> {
  const keyIndexes = shape.primaryKey.map((k) => shape.columns.findIndex((c) => c.name === k.name));
  const values = [...(range.after ?? []), ...(range.to ?? [])];
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    // The first statement fixes the transaction's snapshot: the one the rows are read in.
    const head = await client.query<{ snap: string; relfilenode: number }>(
      'SELECT txid_current_snapshot()::text AS snap, relfilenode::int8::float8 AS relfilenode FROM pg_class WHERE oid = $1',
      [shape.oid],
    );
    // extended protocol even without key values: one statement only, whatever the row filter holds
    const result = await client.query({ text: chunkSql(t, shape, { after: range.after !== null, to: range.to !== null }, limit), values, rowMode: 'array', types: TEXT, queryMode: 'extended' } as pg.QueryConfig);
    await client.query('COMMIT');
    const rows: ChunkRow[] = new Array(result.rows.length);
    let bytes = 0;
    const names = shape.columns.map((c) => c.name);
    for (let r = 0; r < result.rows.length; r++) {
      const raw = result.rows[r] as Array<string | null>;
      const after: Row = {};
      for (let i = 0; i < names.length; i++) {
        const v = raw[i];
        if (v === null) after[names[i]] = null;
        else {
          bytes += v.length;
          after[names[i]] = decoders[i](v);
        }
      }
      const key: Row = {};
      for (const i of keyIndexes) key[names[i]] = after[names[i]];
      rows[r] = { key, keyText: JSON.stringify(key), after };
    }
    const last = result.rows.at(-1) as Array<string> | undefined;
    return {
      rows,
      lastKey: last ? keyIndexes.map((i) => last[i]) : undefined,
      bytes,
      snapshot: parseXidSnapshot(head.rows[0].snap),
      relfilenode: Number(head.rows[0].relfilenode),
    };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
