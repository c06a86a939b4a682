import { describe, expect, it } from 'vitest';
import { createChangeBuilder, type SelectedTable } from '../../../../worker/stream/change-builder.ts';
import { UNCHANGED_TOAST } from '../../../../worker/replication/decoder/pgoutput-decoder.ts';
import type { PgoutputMessage, RelationMessage, ReplicaIdentity, TupleData } from '../../../../worker/replication/decoder/messages.ts';
import { TributaryError } from '../../../../shared/errors/tributary-error.ts';

const INT4 = 23;
const TEXT = 25;
const ALL = ['INSERT', 'UPDATE', 'DELETE'] as const;

const relation = (relationId: number, name: string, cols: Array<[string, number, boolean]>, replicaIdentity: ReplicaIdentity = 'd'): RelationMessage => ({
  tag: 'relation', xid: undefined, relationId, namespace: 'public', name, replicaIdentity,
  columns: cols.map(([n, typeOid, isKey]) => ({ name: n, typeOid, isKey, typeMod: -1 })),
});
const begin = (xid: number, finalLsn: bigint): PgoutputMessage => ({ tag: 'begin', xid, finalLsn, commitTime: 0n, commitTimeMs: 1_700_000_000_000 });
const commit = (commitLsn: bigint, endLsn: bigint): PgoutputMessage => ({ tag: 'commit', flags: 0, commitLsn, endLsn, commitTime: 0n, commitTimeMs: 1_700_000_000_000 });
const insert = (relationId: number, row: TupleData): PgoutputMessage => ({ tag: 'insert', xid: undefined, relationId, new: row });
const update = (relationId: number, row: TupleData, extra: { old?: TupleData; key?: TupleData } = {}): PgoutputMessage => ({ tag: 'update', xid: undefined, relationId, new: row, ...extra });
const del = (relationId: number, extra: { old?: TupleData; key?: TupleData }): PgoutputMessage => ({ tag: 'delete', xid: undefined, relationId, ...extra });

// orders(id int4 PK, note text, body text); audit(msg text) has no key; skipped(id) is not selected
const ORDERS = relation(1, 'orders', [['id', INT4, true], ['note', TEXT, false], ['body', TEXT, false]]);
const AUDIT = relation(2, 'audit', [['msg', TEXT, false]], 'n');
const SKIPPED = relation(3, 'skipped', [['id', INT4, true]]);

function builderWith(selected: SelectedTable[], relations: RelationMessage[] = [ORDERS, AUDIT, SKIPPED]) {
  const b = createChangeBuilder(selected);
  for (const r of relations) b.handle(r, 1n);
  return b;
}
const orders = (over: Partial<SelectedTable> = {}): SelectedTable => ({ schema: 'public', table: 'orders', operations: ALL, primaryKey: ['id'], ...over });

describe('change builder', () => {
  it('insert, update and delete become c, u and d events keyed by the primary key', () => {
    const b = builderWith([orders()]);
    expect(b.handle(begin(42, 0x500n), 0x100n)).toEqual({ events: [] });
    expect(b.inTransaction).toBe(true);
    const [c] = b.handle(insert(1, ['7', 'new', 'x']), 0x110n).events;
    const [u] = b.handle(update(1, ['7', 'paid', 'x']), 0x120n).events;
    const [d] = b.handle(del(1, { key: ['7', null, null] }), 0x130n).events;
    expect(c).toEqual({
      op: 'c', schema: 'public', table: 'orders', key: { id: 7 }, before: null, after: { id: 7, note: 'new', body: 'x' },
      commitTimeMs: 1_700_000_000_000, txId: 42, lsn: 0x110n, commitLsn: 0x500n, index: 0, snapshot: false,
    });
    expect(u).toMatchObject({ op: 'u', key: { id: 7 }, before: null, after: { id: 7, note: 'paid', body: 'x' }, lsn: 0x120n, index: 1 });
    expect(u).not.toHaveProperty('unchanged');
    expect(d).toMatchObject({ op: 'd', key: { id: 7 }, before: { id: 7, note: null, body: null }, after: null, lsn: 0x130n, index: 2 });
    expect(b.handle(commit(0x500n, 0x508n), 0x500n)).toEqual({ events: [], commitEndLsn: 0x508n });
    expect(b.inTransaction).toBe(false);
  });

  it('an update that changes the key carries the old key as before', () => {
    const b = builderWith([orders()]);
    b.handle(begin(1, 0x500n), 0x100n);
    const [u] = b.handle(update(1, ['8', 'n', 'b'], { key: ['7', null, null] }), 0x110n).events;
    expect(u).toMatchObject({ key: { id: 8 }, before: { id: 7, note: null, body: null }, after: { id: 8, note: 'n', body: 'b' } });
  });

  it('tables the job did not select produce nothing, and their relations do not throw', () => {
    const b = builderWith([orders()]);
    b.handle(begin(1, 0x500n), 0x100n);
    expect(b.handle(insert(3, ['1']), 0x110n).events).toEqual([]);
    expect(b.handle(update(3, ['1']), 0x120n).events).toEqual([]);
    expect(b.handle(del(3, { key: ['1'] }), 0x130n).events).toEqual([]);
    expect(b.handle(insert(1, ['1', 'a', 'b']), 0x140n).events[0].index).toBe(0); // skipped changes take no index
  });

  it('a table selected for INSERT only ignores its updates and deletes', () => {
    const b = builderWith([orders({ operations: ['INSERT'] })]);
    b.handle(begin(1, 0x500n), 0x100n);
    expect(b.handle(insert(1, ['1', 'a', 'b']), 0x110n).events.map((e) => e.op)).toEqual(['c']);
    expect(b.handle(update(1, ['1', 'z', 'b']), 0x120n).events).toEqual([]);
    expect(b.handle(del(1, { key: ['1', null, null] }), 0x130n).events).toEqual([]);
  });

  it('REPLICA IDENTITY FULL: the key is the catalog primary key, not every column', () => {
    const full = relation(1, 'orders', [['id', INT4, true], ['note', TEXT, true], ['body', TEXT, true]], 'f');
    const b = builderWith([orders()], [full]);
    b.handle(begin(1, 0x500n), 0x100n);
    const [d] = b.handle(del(1, { old: ['7', 'n', 'b'] }), 0x110n).events;
    expect(d.key).toEqual({ id: 7 });
    expect(d.before).toEqual({ id: 7, note: 'n', body: 'b' });
  });

  it('REPLICA IDENTITY FULL without a known primary key has no key', () => {
    const full = relation(1, 'orders', [['id', INT4, true], ['note', TEXT, true], ['body', TEXT, true]], 'f');
    const b = builderWith([orders({ primaryKey: undefined })], [full]);
    b.handle(begin(1, 0x500n), 0x100n);
    expect(b.handle(insert(1, ['7', 'n', 'b']), 0x110n).events[0].key).toBeNull();
  });

  it('unchanged TOAST with the old row (FULL): the old value is used and nothing is listed', () => {
    const full = relation(1, 'orders', [['id', INT4, true], ['note', TEXT, true], ['body', TEXT, true]], 'f');
    const b = builderWith([orders()], [full]);
    b.handle(begin(1, 0x500n), 0x100n);
    const [u] = b.handle(update(1, ['7', 'paid', UNCHANGED_TOAST], { old: ['7', 'new', 'big text'] }), 0x110n).events;
    expect(u.after).toEqual({ id: 7, note: 'paid', body: 'big text' });
    expect(u.before).toEqual({ id: 7, note: 'new', body: 'big text' });
    expect(u).not.toHaveProperty('unchanged');
  });

  it('unchanged TOAST without the old row: the column is left out of after and listed in unchanged', () => {
    const b = builderWith([orders()]);
    b.handle(begin(1, 0x500n), 0x100n);
    const [u] = b.handle(update(1, ['7', 'paid', UNCHANGED_TOAST]), 0x110n).events;
    expect(u.after).toEqual({ id: 7, note: 'paid' });
    expect(u.after).not.toHaveProperty('body');
    expect(u.unchanged).toEqual(['body']);
  });

  it('index counts changes within a transaction and restarts at 0 in the next one', () => {
    const b = builderWith([orders()]);
    const idx: number[][] = [];
    for (const [xid, final] of [[1, 0x500n], [2, 0x600n]] as const) {
      b.handle(begin(xid, final), final - 0x100n);
      const tx = [0, 1, 2].map((i) => b.handle(insert(1, [String(i), 'a', 'b']), final - 0x50n + BigInt(i)).events[0]);
      idx.push(tx.map((e) => e.index));
      expect(tx.every((e) => e.commitLsn === final && e.txId === xid)).toBe(true);
      b.handle(commit(final, final + 8n), final);
    }
    expect(idx).toEqual([[0, 1, 2], [0, 1, 2]]);
  });

  it('a change for a relation never described throws DecodeFailed', () => {
    const b = builderWith([orders()]);
    b.handle(begin(1, 0x500n), 0x100n);
    let err: unknown;
    try {
      b.handle(insert(99, ['1']), 0x110n);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TributaryError);
    expect(err).toMatchObject({ code: 'DecodeFailed', message: expect.stringContaining('relation 99') });
  });

  it('truncate yields one t event per selected relation', () => {
    const b = builderWith([orders(), { schema: 'public', table: 'audit', operations: ALL }]);
    b.handle(begin(1, 0x500n), 0x100n);
    const { events } = b.handle({ tag: 'truncate', xid: undefined, relationIds: [1, 3, 2], cascade: false, restartIdentity: false }, 0x110n);
    expect(events.map((e) => [e.op, e.table, e.key, e.before, e.after, e.index])).toEqual([
      ['t', 'orders', null, null, null, 0],
      ['t', 'audit', null, null, null, 1],
    ]);
  });

  it('a table without a primary key gets key null', () => {
    const b = builderWith([{ schema: 'public', table: 'audit', operations: ALL }]);
    b.handle(begin(1, 0x500n), 0x100n);
    const [c] = b.handle(insert(2, ['hello']), 0x110n).events;
    expect(c).toMatchObject({ op: 'c', key: null, after: { msg: 'hello' } });
  });

  it('a re-sent Relation message (a column added) replaces the cached one', () => {
    const b = builderWith([orders()]);
    b.handle(relation(1, 'orders', [['id', INT4, true], ['note', TEXT, false], ['body', TEXT, false], ['qty', INT4, false]]), 0x90n);
    b.handle(begin(1, 0x500n), 0x100n);
    expect(b.handle(insert(1, ['1', 'a', 'b', '5']), 0x110n).events[0].after).toEqual({ id: 1, note: 'a', body: 'b', qty: 5 });
  });
});

describe('a column named __proto__', () => {
  it('is a field of the row and the key, not the prototype', () => {
    const b = createChangeBuilder([{ schema: 'public', table: 'odd', operations: ['INSERT'], primaryKey: ['__proto__'] }]);
    b.handle({ tag: 'relation', relationId: 9, namespace: 'public', name: 'odd', replicaIdentity: 'd', columns: [{ name: '__proto__', isKey: true, typeOid: 25, typeMod: -1 }, { name: 'v', isKey: false, typeOid: 23, typeMod: -1 }] } as never, 1n);
    b.handle({ tag: 'begin', finalLsn: 5n, commitTime: 0n, commitTimeMs: 0, xid: 1 } as never, 2n);
    const { events } = b.handle({ tag: 'insert', relationId: 9, new: ['x', '1'] } as never, 3n);
    expect(JSON.stringify(events[0].after)).toBe('{"__proto__":"x","v":1}');
    expect(JSON.stringify(events[0].key)).toBe('{"__proto__":"x"}');
  });
});

describe('captured DDL messages', () => {
  const relation = { tag: 'relation', relationId: 1, namespace: 'public', name: 't', replicaIdentity: 'd', columns: [{ name: 'id', isKey: true, typeOid: 23, typeMod: -1 }] };
  const message = (prefix: string) => ({ tag: 'message', transactional: true, lsn: 7n, prefix, content: Buffer.from(JSON.stringify({ commandTag: 'ALTER TABLE', objectType: 'table', schema: 'public', identity: 'public.t', statement: 'ALTER TABLE t ADD c int' })) });

  it("become 'ddl' events for this job's prefix only, in the transaction's order", () => {
    const b = createChangeBuilder([{ schema: 'public', table: 't', operations: ['INSERT'] }], { ddlPrefix: 'tributary.ddl.j1' });
    b.handle(relation as never, 1n);
    b.handle({ tag: 'begin', finalLsn: 9n, commitTime: 0n, commitTimeMs: 5, xid: 3 } as never, 2n);
    expect(b.handle(message('tributary.ddl.j2') as never, 3n).events).toEqual([]);
    const [e] = b.handle(message('tributary.ddl.j1') as never, 4n).events;
    expect(e).toMatchObject({ op: 'ddl', schema: 'public', table: 't', key: null, txId: 3, index: 0, ddl: { commandTag: 'ALTER TABLE', statement: 'ALTER TABLE t ADD c int' } });
    expect(b.handle({ tag: 'insert', relationId: 1, new: ['1'] } as never, 5n).events[0].index).toBe(1);
  });
});
