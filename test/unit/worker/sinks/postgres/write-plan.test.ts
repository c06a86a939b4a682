import { describe, expect, it } from 'vitest';
import { planWrites, type TableWriter, type Step } from '../../../../../worker/sinks/postgres/write-plan.ts';
import { parseAddColumn } from '../../../../../worker/sinks/postgres/apply-ddl.ts';
import { targetOf } from '../../../../../shared/destination/target-names.ts';
import type { ChangeEvent, Row } from '../../../../../worker/change-event.ts';

// The statements a batch becomes: order kept, one statement per run of one
// table and kind, identifiers quoted, every value a parameter.
const writer = (key = ['id'], columns = ['id', 'qty', 'note']): TableWriter => ({
  target: targetOf({ schema: 'public', table: 'orders' }, 'default'),
  key,
  info: { columns: new Map(columns.map((c) => [c, { name: c, cast: c === 'note' ? 'text' : 'integer' }])), uniqueKeys: [key] },
});
let index = 0;
const ev = (op: ChangeEvent['op'], after: Row | null, before: Row | null = null, extra: Partial<ChangeEvent> = {}): ChangeEvent =>
  ({ op, schema: 'public', table: 'orders', key: null, before, after, commitTimeMs: 0, txId: 1, lsn: 1n, commitLsn: 1n, index: index++, snapshot: op === 'r', ...extra });
const sql = (steps: Step[]) => steps.map((s) => ('statement' in s ? s.statement.text : `DDL ${s.ddl.ddl?.statement}`));
const values = (steps: Step[]) => steps.map((s) => ('statement' in s ? s.statement.values : []));

describe('planWrites', () => {
  it('makes one upsert of consecutive inserts and full-row updates, the last row per key winning', () => {
    const w = writer();
    const steps = planWrites([ev('c', { id: '1', qty: '1', note: 'a' }), ev('c', { id: '2', qty: '2', note: null }), ev('u', { id: '1', qty: '5', note: 'b' })], () => w, { keepExisting: false });
    expect(sql(steps)).toEqual([
      'INSERT INTO "public"."orders" ("id", "qty", "note") SELECT v.c0::integer, v.c1::integer, v.c2::text FROM unnest($1::text[], $2::text[], $3::text[]) AS v(c0, c1, c2) ON CONFLICT ("id") DO UPDATE SET "qty" = EXCLUDED."qty", "note" = EXCLUDED."note"',
    ]);
    expect(values(steps)).toEqual([[['2', '1'], ['2', '5'], [null, 'b']]]);
  });

  it('keeps existing rows for snapshot rows under ignore-and-proceed, and overwrites for changes', () => {
    const w = writer();
    const steps = planWrites([ev('r', { id: '1', qty: '1', note: 'a' }), ev('c', { id: '2', qty: '2', note: 'b' })], () => w, { keepExisting: true });
    expect(sql(steps)[0]).toMatch(/ON CONFLICT \("id"\) DO NOTHING$/);
    expect(sql(steps)[1]).toMatch(/DO UPDATE SET/);
  });

  it('keeps order across kinds: insert, delete, insert of one key are three statements', () => {
    const w = writer();
    const steps = planWrites([ev('c', { id: '1', qty: '1', note: 'a' }), ev('d', null, { id: '1' }), ev('c', { id: '1', qty: '2', note: 'b' })], () => w, { keepExisting: false });
    expect(sql(steps).map((s) => s.split(' ')[0])).toEqual(['INSERT', 'DELETE', 'INSERT']);
    expect(sql(steps)[1]).toBe('DELETE FROM "public"."orders" AS t USING unnest($1::text[]) AS v(c0) WHERE t."id" = v.c0::integer');
  });

  it('applies key changes one by one by the old key, with an insert for a row the destination lacks', () => {
    const w = writer();
    const steps = planWrites([ev('u', { id: '3', qty: '1', note: 'x' }, { id: '2', qty: '1', note: 'x' }), ev('u', { id: '2', qty: '1', note: 'y' }, { id: '1', qty: '1', note: 'y' })], () => w, { keepExisting: false });
    expect(sql(steps)).toEqual([
      'UPDATE "public"."orders" SET "id" = $1::text::integer, "qty" = $2::text::integer, "note" = $3::text::text WHERE "id" = $4::text::integer',
      'UPDATE "public"."orders" SET "id" = $1::text::integer, "qty" = $2::text::integer, "note" = $3::text::text WHERE "id" = $4::text::integer',
    ]);
    expect(values(steps)).toEqual([['3', '1', 'x', '2'], ['2', '1', 'y', '1']]);
    expect((steps[0] as { statement: { orElse?: unknown } }).statement.orElse).toBeDefined();
  });

  it('leaves unchanged TOAST columns out of the UPDATE, and splits a run when a key repeats', () => {
    const w = writer();
    const u = (id: string, qty: string) => ev('u', { id, qty }, null, { unchanged: ['note'] });
    const steps = planWrites([u('1', '5'), u('2', '6'), u('1', '7')], () => w, { keepExisting: false });
    expect(sql(steps)).toEqual([
      'UPDATE "public"."orders" AS t SET "qty" = v.c1::integer FROM unnest($1::text[], $2::text[]) AS v(c0, c1) WHERE t."id" = v.c0::integer',
      'UPDATE "public"."orders" AS t SET "qty" = v.c1::integer FROM unnest($1::text[], $2::text[]) AS v(c0, c1) WHERE t."id" = v.c0::integer',
    ]);
    expect(values(steps)).toEqual([[['1', '2'], ['5', '6']], [['1'], ['7']]]);
  });

  it('quotes every identifier and maps names', () => {
    const w: TableWriter = {
      target: targetOf({ schema: 'we"ird', table: 'Ta ble', target: { columns: { id: 'Id"x' } } }, 'default'),
      key: ['id'],
      info: { columns: new Map([['Id"x', { name: 'Id"x', cast: 'bigint' }]]), uniqueKeys: [['Id"x']] },
    };
    const steps = planWrites([ev('d', null, { id: '1' }), ev('t', null)], () => w, { keepExisting: false });
    expect(sql(steps)).toEqual(['DELETE FROM "we""ird"."Ta ble" AS t USING unnest($1::text[]) AS v(c0) WHERE t."Id""x" = v.c0::bigint', 'TRUNCATE "we""ird"."Ta ble"']);
  });

  it('a column the destination lacks fails with DestinationSchemaMismatch naming it', () => {
    expect(() => planWrites([ev('c', { id: '1', extra: 'x' })], () => writer(), { keepExisting: false })).toThrow(/column "extra" of the source has no column "extra"/);
  });

  it('a table without a key takes inserts but refuses updates and deletes clearly', () => {
    const w = writer([]);
    expect(sql(planWrites([ev('c', { id: '1' })], () => w, { keepExisting: false }))).toEqual(['INSERT INTO "public"."orders" ("id") SELECT v.c0::integer FROM unnest($1::text[]) AS v(c0)']);
    expect(() => planWrites([ev('d', null, { id: '1' })], () => w, { keepExisting: false })).toThrow(/no primary key or UNIQUE key/);
  });

  it('hands DDL back in its place', () => {
    const w = writer();
    const ddl = ev('ddl', null, null, { ddl: { commandTag: 'ALTER TABLE', objectType: 'table', schema: 'public', identity: 'public.orders', statement: 'ALTER TABLE orders ADD COLUMN x int' } });
    expect(sql(planWrites([ev('c', { id: '1' }), ddl, ev('c', { id: '2' })], () => w, { keepExisting: false })).map((s) => s.split(' ')[0])).toEqual(['INSERT', 'DDL', 'INSERT']);
  });
});

describe('parseAddColumn (the DDL applied on a PostgreSQL destination)', () => {
  it.each([
    ['ALTER TABLE orders ADD COLUMN email text', { column: 'email', type: 'text' }],
    ['alter table public.orders add "Mixed ""Case""" varchar(20)[];', { column: 'Mixed "Case"', type: 'varchar(20)[]' }],
    ['ALTER TABLE IF EXISTS ONLY "s"."t" ADD COLUMN IF NOT EXISTS Amount numeric(12, 2)', { column: 'amount', type: 'numeric(12, 2)' }],
    ['ALTER TABLE t ADD COLUMN at timestamp with time zone', { column: 'at', type: 'timestamp with time zone' }],
  ])('applies %s', (statement, expected) => {
    expect(parseAddColumn(statement)).toEqual(expected);
  });

  it.each([
    'ALTER TABLE t ADD COLUMN n int DEFAULT 5',
    'ALTER TABLE t ADD COLUMN n int NOT NULL',
    'ALTER TABLE t ADD COLUMN n int REFERENCES x',
    'ALTER TABLE t DROP COLUMN n',
    'ALTER TABLE t ADD COLUMN a int, ADD COLUMN b int',
    'ALTER TABLE t ADD COLUMN a int; DROP TABLE t',
    'ALTER TABLE t ADD CONSTRAINT c UNIQUE (a)',
    "ALTER TABLE t ADD COLUMN a text COLLATE \"C\"",
    'ALTER TABLE t RENAME COLUMN a TO b',
  ])('skips %s', (statement) => {
    expect(parseAddColumn(statement)).toBeUndefined();
  });
});
