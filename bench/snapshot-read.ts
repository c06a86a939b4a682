import pg from 'pg';
import { cpus } from 'node:os';
import { startPostgres } from '../scripts/services/postgres.ts';
import { chunkRowBuilder, readChunk, READER_SESSION_OPTIONS, type KeyRange } from '../worker/snapshot/chunk-reader.ts';
import { readTableShape, type TableShape } from '../worker/snapshot/snapshot-plan.ts';
import { createValueDecoders, type ValueDecoder } from '../worker/replication/decoder/value-decoder.ts';

// The snapshot reader's own cost, without watermarks, stream or sink: this
// process's CPU per row while reading the snapshot bench's table in 10,000-row
// keyset chunks and converting the values, once with readChunk (COPY text)
// and once as the reader was before 2026-11-23: a text-format SELECT through
// pg's row parser, rows built by per-column property stores, the key's JSON
// made for every row. BENCH_ROWS
// (default 500,000). Prints a Markdown row per reader.
const ROWS = Number(process.env.BENCH_ROWS ?? 500_000);
const CHUNK = 10_000;
const t = { schema: 'public', table: 'events' };

// The reader as it was (git show 72bba39:worker/snapshot/chunk-reader.ts,
// readChunk verbatim but for the SQL, written out for this table).
const TEXT = { getTypeParser: () => (v: string) => v };
const selectChunk = async (client: pg.Client, shape: TableShape, decoders: ValueDecoder[], range: KeyRange) => {
  const keyIndexes = shape.primaryKey.map((k) => shape.columns.findIndex((c) => c.name === k.name));
  const values = [...(range.after ?? []), ...(range.to ?? [])];
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const head = await client.query<{ snap: string; relfilenode: number }>(
      'SELECT txid_current_snapshot()::text AS snap, relfilenode::int8::float8 AS relfilenode FROM pg_class WHERE oid = $1',
      [shape.oid],
    );
    const text = `SELECT ${shape.columns.map((c) => `"${c.name}"`).join(', ')} FROM "public"."events"${range.after ? ' WHERE ("id") > ($1::text::bigint)' : ''} ORDER BY "id" LIMIT ${CHUNK}`;
    const result = await client.query({ text, values, rowMode: 'array', types: TEXT, queryMode: 'extended' } as pg.QueryConfig);
    await client.query('COMMIT');
    const rows: Array<{ key: Record<string, unknown>; keyText: string; after: Record<string, unknown> }> = new Array(result.rows.length);
    let bytes = 0;
    const names = shape.columns.map((c) => c.name);
    for (let r = 0; r < result.rows.length; r++) {
      const raw = result.rows[r] as Array<string | null>;
      const after: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i++) {
        const v = raw[i];
        if (v === null) after[names[i]] = null;
        else {
          bytes += v.length;
          after[names[i]] = decoders[i](v);
        }
      }
      const key: Record<string, unknown> = {};
      for (const i of keyIndexes) key[names[i]] = after[names[i]];
      rows[r] = { key, keyText: JSON.stringify(key), after };
    }
    const last = result.rows.at(-1) as Array<string> | undefined;
    void head;
    return { count: rows.length, bytes, lastKey: last ? keyIndexes.map((i) => last[i]) : undefined };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
};

const postgres = await startPostgres({ major: 17 });
try {
  await postgres.createDatabase('bench');
  const db = new pg.Client({ connectionString: postgres.connectionString('bench') });
  await db.connect();
  await db.query('CREATE TABLE events (id bigint PRIMARY KEY, account int NOT NULL, kind text NOT NULL, amount numeric(12,2), created_at timestamptz NOT NULL DEFAULT now(), note text)');
  await db.query(`INSERT INTO events (id, account, kind, amount, note) SELECT g, g % 1000, 'purchase', (g % 10000) / 100.0, md5(g::text) FROM generate_series(1, $1::bigint) g`, [ROWS]);
  await db.query('VACUUM ANALYZE events');
  const shape = await readTableShape(db, t, ['id']);
  await db.end();
  const values = createValueDecoders();
  const decoders = shape.columns.map((c) => values.decoderFor(c.typeOid));
  const build = chunkRowBuilder(shape, decoders);
  const client = new pg.Client({ connectionString: postgres.connectionString('bench'), options: READER_SESSION_OPTIONS } as pg.ClientConfig);
  await client.connect();
  const readers = {
    'COPY text (readChunk)': async (range: KeyRange) => {
      const chunk = await readChunk(client, t, shape, build, range, CHUNK);
      return { count: chunk.rows.length, lastKey: chunk.lastKey };
    },
    'SELECT through pg (before)': (range: KeyRange) => selectChunk(client, shape, decoders, range),
  };
  // the second round counts: the first warms up V8 and PostgreSQL's buffers
  for (const round of [1, 2]) {
    for (const [name, read] of Object.entries(readers)) {
      let after: string[] | null = null;
      let rows = 0;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      for (;;) {
        const chunk: { count: number; lastKey?: string[] } = await read({ after, to: null });
        rows += chunk.count;
        if (chunk.count < CHUNK) break;
        after = chunk.lastKey!;
      }
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      if (round === 2) {
        console.log(`| ${new Date().toISOString().slice(0, 10)} | ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'} | ${name} | ${rows.toLocaleString('en-US')} | ${((cpu.user + cpu.system) / rows).toFixed(2)} µs | ${Math.round(rows / seconds).toLocaleString('en-US')} rows/s |`);
      }
    }
  }
  await client.end();
} finally {
  await postgres.stop();
}
