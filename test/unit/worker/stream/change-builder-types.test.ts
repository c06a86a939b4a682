import { describe, expect, it } from 'vitest';
import { createChangeBuilder } from '../../../../worker/stream/change-builder.ts';
import type { PgoutputMessage, RelationMessage } from '../../../../worker/replication/decoder/messages.ts';
import type { TypeCatalog } from '../../../../worker/replication/type-catalog.ts';

// How the change builder picks value decoders: from the type catalog loaded
// at setup, by the column types of the Relation message.
const PAIR = 16410;
const LATE = 16500;
const CATALOG: TypeCatalog = new Map([[PAIR, { oid: PAIR, namespace: 'public', name: 'pair', delim: ',', kind: 'composite', fields: [{ name: 'a', type: 23 }, { name: 'b', type: 25 }] }]]);

const relation = (cols: Array<[string, number]>): RelationMessage => ({
  tag: 'relation', xid: undefined, relationId: 1, namespace: 'public', name: 't', replicaIdentity: 'd',
  columns: cols.map(([name, typeOid], i) => ({ name, typeOid, isKey: i === 0, typeMod: -1 })),
});
const begin: PgoutputMessage = { tag: 'begin', xid: 9, finalLsn: 0x500n, commitTime: 0n, commitTimeMs: 1_700_000_000_000 };
const insert = (row: string[]): PgoutputMessage => ({ tag: 'insert', xid: undefined, relationId: 1, new: row });

describe('change builder: column types', () => {
  it('decodes catalog types structurally and a type the catalog lacks as its text, warning once', () => {
    const warnings: Array<[string, Record<string, unknown> | undefined]> = [];
    const b = createChangeBuilder([{ schema: 'public', table: 't', operations: ['INSERT'] }], {
      typeCatalog: CATALOG,
      log: { warn: (msg, fields) => warnings.push([msg, fields]) },
    });
    b.handle({ tag: 'type', xid: undefined, typeOid: LATE, namespace: 'public', name: 'late_t' }, 1n);
    b.handle(relation([['id', 23], ['p', PAIR], ['late', LATE]]), 1n);
    b.handle(begin, 2n);
    expect(b.handle(insert(['1', '(7,"x y")', '(1,a)']), 3n).events[0].after).toEqual({ id: 1, p: { a: 7, b: 'x y' }, late: '(1,a)' });
    expect(b.handle(insert(['2', '(,)', '(2,b)']), 4n).events[0].after).toEqual({ id: 2, p: { a: null, b: null }, late: '(2,b)' });
    b.handle(relation([['id', 23], ['p', PAIR], ['late', LATE]]), 5n); // sent again, e.g. after a TRUNCATE
    expect(warnings).toHaveLength(1);
    expect(warnings[0][0]).toMatch(/not in the type catalog/);
    expect(warnings[0][1]).toEqual({ type: { oid: LATE, namespace: 'public', name: 'late_t' } });
  });

  it('without a catalog, built-in types still decode and others are text', () => {
    const b = createChangeBuilder([{ schema: 'public', table: 't', operations: ['INSERT'] }]);
    b.handle(relation([['id', 23], ['p', PAIR]]), 1n);
    b.handle(begin, 2n);
    expect(b.handle(insert(['1', '(7,x)']), 3n).events[0].after).toEqual({ id: 1, p: '(7,x)' });
  });
});
