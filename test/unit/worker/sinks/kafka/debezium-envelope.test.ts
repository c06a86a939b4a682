import { describe, expect, it } from 'vitest';
import { CONNECTOR_VERSION, renderKey, renderValue, valueRenderer } from '../../../../../worker/sinks/kafka/debezium-envelope.ts';
import type { ChangeEvent } from '../../../../../worker/change-event.ts';

const meta = { jobName: 'orders-cdc', database: 'shop' };
const NOW = 1_700_000_123_456;

const event = (over: Partial<ChangeEvent> = {}): ChangeEvent => ({
  op: 'u', schema: 'public', table: 'orders',
  key: { id: 7 }, before: { id: 7, note: 'new' }, after: { id: 7, note: 'paid' },
  commitTimeMs: 1_700_000_000_000, txId: 4242, lsn: 0x16b374d848n, commitLsn: 0x16b374d900n, index: 0, snapshot: false,
  ...over,
});

describe('Debezium envelope: value', () => {
  it('renders the exact JSON of an update', () => {
    expect(renderValue(event(), meta, NOW)).toBe(
      '{"before":{"id":7,"note":"new"},"after":{"id":7,"note":"paid"},' +
        `"source":{"version":"${CONNECTOR_VERSION}","connector":"postgresql","name":"orders-cdc","ts_ms":1700000000000,"snapshot":false,` +
        '"db":"shop","sequence":null,"schema":"public","table":"orders","txId":4242,"lsn":97500059720,"xmin":null},' +
        '"op":"u","ts_ms":1700000123456,"transaction":null}',
    );
  });

  it('writes an LSN above 2^53 as an exact integer', () => {
    const lsn = (1n << 63n) + 1n; // 9223372036854775809, not representable as a double
    const json = renderValue(event({ lsn }), meta, NOW);
    expect(json).toContain('"lsn":9223372036854775809,');
    // read back from the number's own source text: exact, and a number rather than a string
    const exact = JSON.parse(json, (k, v, ctx?: { source?: string }) => (k === 'lsn' ? BigInt(ctx!.source!) : v));
    expect(exact.source.lsn).toBe(lsn);
  });

  it('create and delete carry null on the missing side', () => {
    const c = JSON.parse(renderValue(event({ op: 'c', before: null }), meta, NOW));
    expect([c.op, c.before, c.after]).toEqual(['c', null, { id: 7, note: 'paid' }]);
    const d = JSON.parse(renderValue(event({ op: 'd', after: null }), meta, NOW));
    expect([d.op, d.before, d.after]).toEqual(['d', { id: 7, note: 'new' }, null]);
  });

  it('lists unchanged TOAST columns in source only when there are some', () => {
    expect(JSON.parse(renderValue(event({ unchanged: ['body', 'blob'] }), meta, NOW)).source.unchanged).toEqual(['body', 'blob']);
    expect(JSON.parse(renderValue(event({ unchanged: [] }), meta, NOW)).source).not.toHaveProperty('unchanged');
    expect(JSON.parse(renderValue(event(), meta, NOW)).source).not.toHaveProperty('unchanged');
  });

  it('carries a snapshot flag and a null txId as given', () => {
    const v = JSON.parse(renderValue(event({ op: 'r', snapshot: true, txId: null, before: null }), meta, NOW));
    expect(v.source).toMatchObject({ snapshot: true, txId: null });
    expect(v.op).toBe('r');
  });

  it('escapes names and keeps one renderer per job correct across tables', () => {
    const odd = { jobName: 'job "quoted" \\ \u00e9', database: 'db\nline' };
    const render = valueRenderer(odd);
    for (const e of [event({ schema: 'Sales "EU"', table: 'ordérs' }), event(), event({ table: 'tab\tle', txId: null, snapshot: true, unchanged: ['a"b'] })]) {
      const v = JSON.parse(render(e, NOW));
      expect(v.source).toMatchObject({ name: odd.jobName, db: odd.database, schema: e.schema, table: e.table, txId: e.txId, snapshot: e.snapshot });
      expect(v.source.unchanged).toEqual(e.unchanged);
    }
  });
});

describe('Debezium envelope: key', () => {
  it('is the JSON of the key columns', () => {
    expect(renderKey(event({ key: { tenant: 'acme', id: 7 } }))).toBe('{"tenant":"acme","id":7}');
  });

  it('is null for a table without a key', () => {
    expect(renderKey(event({ key: null }))).toBeNull();
  });

  it('keeps an exact int8 key exact', () => {
    expect(renderKey(event({ key: { id: JSON.rawJSON('9223372036854775807') } }))).toBe('{"id":9223372036854775807}');
  });
});

describe('perTable', () => {
  it('computes once per table and answers the right table when tables alternate', async () => {
    const { perTable } = await import('../../../../../worker/sinks/kafka/debezium-envelope.ts');
    const made: string[] = [];
    const of = perTable((schema, table) => (made.push(`${schema}.${table}`), `${schema}/${table}`));
    const seen = [['a', 'x'], ['a', 'x'], ['b', 'x'], ['a', 'y'], ['a', 'x'], ['b', 'x']].map(([schema, table]) => of({ schema, table }));
    expect(seen).toEqual(['a/x', 'a/x', 'b/x', 'a/y', 'a/x', 'b/x']);
    expect(made).toEqual(['a.x', 'b.x', 'a.y']);
    // a schema and table whose concatenation collides with another pair's stays apart
    expect(of({ schema: 'a.b', table: 'c' })).toBe('a.b/c');
    expect(of({ schema: 'a', table: 'b.c' })).toBe('a/b.c');
  });
});
