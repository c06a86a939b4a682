import { describe, expect, it } from 'vitest';
import { createChangeBuilder } from '../../../../worker/stream/change-builder.ts';
import { createSnapshotWindows, type ChunkOutcome } from '../../../../worker/snapshot/snapshot-windows.ts';
import type { Chunk } from '../../../../worker/snapshot/chunk-reader.ts';
import type { PgoutputMessage, TupleData } from '../../../../worker/replication/decoder/messages.ts';
import type { ChangeEvent } from '../../../../worker/change-event.ts';
import { copyToJson } from '../../../../worker/snapshot/copy-json.ts';
import { rowLayout } from '../../../../worker/json/row-json.ts';
import { valueDecoderFor } from '../../../../worker/replication/decoder/value-decoder.ts';

// The watermark rules on hand-made pgoutput messages: chunk rows come out at
// the high watermark, minus every key the stream changed inside the window.
const PREFIX = 'tributary.snapshot.j1';
const INT4 = 23;
const TEXT = 25;
const ITEMS = {
  tag: 'relation', xid: undefined, relationId: 1, namespace: 'public', name: 'items', replicaIdentity: 'd',
  columns: [{ name: 'id', typeOid: INT4, isKey: true, typeMod: -1 }, { name: 'v', typeOid: TEXT, isKey: false, typeMod: -1 }],
} as const satisfies PgoutputMessage;

type Mode = 'row objects' | 'JSON rows';

/** An event with its rendered rows parsed back into objects, so both modes are asserted alike. */
const plain = (e: ChangeEvent): ChangeEvent => {
  const j = e.json;
  if (!j) return e;
  const parse = (at: number, length: number) => (length < 0 ? null : JSON.parse(j.data.toString('utf8', at, at + length)));
  return { ...e, key: parse(j.keyAt, j.keyLength), before: parse(j.beforeAt, j.beforeLength), after: parse(j.afterAt, j.afterLength), json: undefined };
};

function harness(mode: Mode) {
  const committed: Array<[string, bigint]> = [];
  const windows = createSnapshotWindows({ prefix: PREFIX, onChunkCommitted: (id, lsn) => committed.push([id, lsn]) });
  const builder = windows.wrap(createChangeBuilder([{ schema: 'public', table: 'items', operations: ['INSERT', 'UPDATE', 'DELETE'], primaryKey: ['id'] }]));
  builder.handle(ITEMS, 1n);
  let lsn = 0x1000n;
  let xid = 100;
  const out: ChangeEvent[] = [];
  /** One committed transaction of `messages`; returns its events. */
  const tx = (...messages: PgoutputMessage[]) => {
    const finalLsn = (lsn += 0x100n);
    const events: ChangeEvent[] = [];
    builder.handle({ tag: 'begin', xid: ++xid, finalLsn, commitTime: 0n, commitTimeMs: 1_700_000_000_000 }, finalLsn - 0x80n);
    for (const m of messages) events.push(...builder.handle(m, finalLsn - 0x40n).events);
    builder.handle({ tag: 'commit', flags: 0, commitLsn: finalLsn, endLsn: finalLsn + 8n, commitTime: 0n, commitTimeMs: 1_700_000_000_000 }, finalLsn);
    out.push(...events);
    return events;
  };
  const mark = (id: string, w: 'low' | 'high'): PgoutputMessage => ({ tag: 'message', xid: undefined, transactional: true, lsn: 0n, prefix: PREFIX, content: Buffer.from(JSON.stringify({ id, w })) });
  const insert = (id: number, v: string): PgoutputMessage => ({ tag: 'insert', xid: undefined, relationId: 1, new: [String(id), v] });
  const update = (id: number, v: string, oldId?: number): PgoutputMessage => ({ tag: 'update', xid: undefined, relationId: 1, new: [String(id), v], ...(oldId ? { key: [String(oldId), null] as TupleData } : {}) });
  const del = (id: number): PgoutputMessage => ({ tag: 'delete', xid: undefined, relationId: 1, key: [String(id), null] });
  const layout = rowLayout(['id', 'v'], [valueDecoderFor(INT4), valueDecoderFor(TEXT)], [0]);
  const chunk = (rows: Array<[number, string]>, xip: number[] = []): Chunk => {
    const copy = Buffer.from(rows.map(([id, v]) => `${id}\t${v}\n`).join(''));
    return {
      count: rows.length,
      ...(mode === 'JSON rows' ? { rows: [], json: copyToJson(copy, copy.length, layout).rows } : { rows: rows.map(([id, v]) => ({ key: { id }, after: { id, v } })) }),
      lastKey: [String(rows.at(-1)?.[0])],
      bytes: 0,
      snapshot: { xmin: 1, xmax: 1_000, xip },
      relfilenode: 1,
    };
  };
  const open = (id: string) => windows.open(id, { schema: 'public', table: 'items', primaryKey: ['id'] });
  return { windows, tx: (...m: PgoutputMessage[]) => tx(...m).map(plain), mark, insert, update, del, chunk, open, committed, out: () => out.map(plain), xid: () => xid };
}

describe.each<Mode>(['row objects', 'JSON rows'])('snapshot windows, chunks as %s', (mode) => {
  it('emits the chunk at its high watermark as op "r", in the watermark transaction', async () => {
    const h = harness(mode);
    h.open('c1');
    h.tx(h.mark('c1', 'low'));
    const outcome = h.windows.supply('c1', h.chunk([[1, 'a'], [2, 'b']]));
    const events = h.tx(h.mark('c1', 'high'));
    expect(await outcome).toEqual({ kind: 'emitted', emitted: 2, dropped: 0 });
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ op: 'r', snapshot: true, schema: 'public', table: 'items', key: { id: 1 }, before: null, after: { id: 1, v: 'a' }, index: 0 });
    expect(events[1]).toMatchObject({ key: { id: 2 }, index: 1, commitLsn: events[0].commitLsn });
    expect(h.committed).toEqual([['c1', events[0].commitLsn + 8n]]);
  });

  it('drops keys the stream changed between the watermarks, keeps those changed before or after', async () => {
    const h = harness(mode);
    h.open('c1');
    h.tx(h.update(1, 'before-low'));
    h.tx(h.mark('c1', 'low'));
    h.tx(h.update(2, 'in-window'), h.del(3));
    h.tx(h.insert(9, 'new'), h.update(5, 'moved', 4)); // a key update: the old key 4 is gone too
    const outcome = h.windows.supply('c1', h.chunk([[1, 'before-low'], [2, 'old'], [3, 'old'], [4, 'old'], [6, 'f']]));
    const events = h.tx(h.mark('c1', 'high'));
    h.tx(h.update(6, 'after-high'));
    expect(await outcome).toEqual({ kind: 'emitted', emitted: 2, dropped: 3 });
    expect(events.map((e) => e.key)).toEqual([{ id: 1 }, { id: 6 }]);
    // per key, the stream's order holds: 6 is read, then updated
    expect(h.out().filter((e) => (e.key as { id: number }).id === 6).map((e) => e.op)).toEqual(['r', 'u']);
  });

  it('a truncate inside the window drops the whole chunk', async () => {
    const h = harness(mode);
    h.open('c1');
    h.tx(h.mark('c1', 'low'));
    h.tx({ tag: 'truncate', xid: undefined, relationIds: [1], cascade: false, restartIdentity: false });
    const outcome = h.windows.supply('c1', h.chunk([[1, 'a']]));
    expect(h.tx(h.mark('c1', 'high'))).toEqual([]);
    expect(await outcome).toEqual({ kind: 'emitted', emitted: 0, dropped: 1 });
  });

  it('reads a chunk again when its snapshot missed a transaction committed before the low watermark', async () => {
    const h = harness(mode);
    h.open('c1');
    h.tx(h.update(1, 'committed, not yet visible'));
    const invisible = h.xid();
    h.tx(h.mark('c1', 'low'));
    const outcome = h.windows.supply('c1', h.chunk([[1, 'stale']], [invisible]));
    expect(h.tx(h.mark('c1', 'high'))).toEqual([]);
    expect(((await outcome) as Extract<ChunkOutcome, { kind: 'retry' }>).kind).toBe('retry');
    expect(h.committed).toEqual([]);
  });

  it('an in-progress transaction that commits inside the window only drops its keys', async () => {
    const h = harness(mode);
    h.open('c1');
    h.tx(h.mark('c1', 'low'));
    h.tx(h.update(1, 'new'));
    const outcome = h.windows.supply('c1', h.chunk([[1, 'old'], [2, 'b']], [h.xid()]));
    h.tx(h.mark('c1', 'high'));
    expect(await outcome).toEqual({ kind: 'emitted', emitted: 1, dropped: 1 });
  });

  it('ignores watermarks of other runs and other jobs, and ends every wait on close', async () => {
    const h = harness(mode);
    expect(h.tx(h.mark('old-run.7', 'low'), h.mark('old-run.7', 'high'))).toEqual([]);
    expect(h.tx({ tag: 'message', xid: undefined, transactional: true, lsn: 0n, prefix: 'tributary.snapshot.other', content: Buffer.from('{"id":"c1","w":"high"}') })).toEqual([]);
    h.open('c1');
    h.tx(h.mark('c1', 'low'));
    const outcome = h.windows.supply('c1', h.chunk([[1, 'a']]));
    h.windows.close();
    expect(await outcome).toEqual({ kind: 'closed' });
    expect(await h.windows.supply('c2', h.chunk([[1, 'a']]))).toEqual({ kind: 'closed' });
  });
});
