import { describe, expect, it } from 'vitest';
import { createChangeBuilder, type SelectedTable } from '../../../../worker/stream/change-builder.ts';
import { createPgoutputDecoder } from '../../../../worker/replication/decoder/pgoutput-decoder.ts';
import type { ChangeEvent } from '../../../../worker/change-event.ts';
import { bytes, cell, type TupleCell } from '../../../support/pgoutput-bytes.ts';

// The JSON-bytes path (rawTuples decoder + jsonRows builder, a Kafka job's)
// against the row-object path on the same pgoutput bytes: every event must
// carry the same key, before and after, as the same JSON text, and the
// same everything else.
const t = cell.text;
const N = cell.null;
// items(id int8 PK, note text, price numeric, paid bool, at timestamptz, tags text[], doc jsonb, "__proto__" int4)
const COLUMNS: Array<[string, number]> = [['id', 20], ['note', 25], ['price', 1700], ['paid', 16], ['at', 1184], ['tags', 1009], ['doc', 3802], ['__proto__', 23]];
const relation = (id: number, name: string, identity: string, cols: Array<[string, number]>, keys: number[]) => {
  let b = bytes().tag('R').i32(id).cstr('public').cstr(name).tag(identity).i16(cols.length);
  cols.forEach(([n, oid], i) => (b = b.u8(keys.includes(i) ? 1 : 0).cstr(n).i32(oid).i32(-1)));
  return b.build();
};
const row = (id: string, note: TupleCell = t('plain')): TupleCell[] => [t(id), note, t('12.50'), t('t'), t('2024-01-02 03:04:05.5+00'), t('{a,"b c"}'), t('{"k": [1, "x"]}'), t('7')];

const MESSAGES: Buffer[] = [
  relation(1, 'items', 'd', COLUMNS, [0]),
  relation(2, 'audit', 'n', [['msg', 25]], []),
  relation(3, 'wide', 'f', [['id', 23], ['body', 25]], [0, 1]),
  bytes().tag('B').i64(0x500n).i64(0n).i32(42).build(),
  bytes().tag('I').i32(1).tag('N').tuple(row('9223372036854775807', t('tab\t "quoted" \\ é ✓ 𝄞'))).build(),
  bytes().tag('I').i32(1).tag('N').tuple(row('2', N)).build(),
  bytes().tag('U').i32(1).tag('N').tuple(row('2', t('updated'))).build(),
  bytes().tag('U').i32(1).tag('K').tuple([t('2'), N, N, N, N, N, N, N]).tag('N').tuple(row('3')).build(), // a key change
  bytes().tag('U').i32(1).tag('N').tuple([t('3'), cell.unchanged, t('1'), t('f'), t('infinity'), t('{}'), N, N]).build(), // unchanged TOAST: the object path
  bytes().tag('D').i32(1).tag('K').tuple([t('3'), N, N, N, N, N, N, N]).build(),
  bytes().tag('I').i32(2).tag('N').tuple([t('no key')]).build(),
  bytes().tag('I').i32(3).tag('N').tuple([t('1'), t('x'.repeat(100_000))]).build(), // larger than a slab's share
  bytes().tag('U').i32(3).tag('O').tuple([t('1'), t('x'.repeat(100_000))]).tag('N').tuple([t('1'), t('y')]).build(), // REPLICA IDENTITY FULL: the old row
  bytes().tag('D').i32(3).tag('O').tuple([t('1'), t('y')]).build(),
  bytes().tag('C').u8(0).i64(0x500n).i64(0x508n).i64(0n).build(),
];

const SELECTED: SelectedTable[] = [
  { schema: 'public', table: 'items', operations: ['INSERT', 'UPDATE', 'DELETE'], primaryKey: ['id'] },
  { schema: 'public', table: 'audit', operations: ['INSERT'] },
  { schema: 'public', table: 'wide', operations: ['INSERT', 'UPDATE', 'DELETE'], primaryKey: ['id'] },
];

function run(json: boolean): ChangeEvent[] {
  const decoder = createPgoutputDecoder({ rawTuples: json });
  const builder = createChangeBuilder(SELECTED, { jsonRows: json });
  return MESSAGES.flatMap((m, i) => builder.handle(decoder.decode(m), BigInt(0x100 + i)).events);
}

/** The event with key and rows as JSON text, from whichever form it carries. */
function asText(e: ChangeEvent) {
  const { json, key, before, after, ...rest } = e;
  const text = (o: unknown, at?: number, length?: number) => (json ? (length! < 0 ? null : json.data.toString('utf8', at!, at! + length!)) : o === null ? null : JSON.stringify(o));
  return { ...rest, key: text(key, json?.keyAt, json?.keyLength), before: text(before, json?.beforeAt, json?.beforeLength), after: text(after, json?.afterAt, json?.afterLength) };
}

describe('change builder: rows rendered as JSON bytes', () => {
  it('gives every event the same key, rows and fields as the row-object path', () => {
    const objects = run(false);
    const rendered = run(true);
    expect(rendered.map(asText)).toEqual(objects.map(asText));
    expect(objects).toHaveLength(10);
  });

  it('renders inserts, updates and deletes as bytes; a tuple with an unchanged TOAST value keeps the row-object path', () => {
    const rendered = run(true);
    expect(rendered.map((e) => (e.json ? 'json' : 'objects'))).toEqual(['json', 'json', 'json', 'json', 'objects', 'json', 'json', 'json', 'json', 'json']);
    expect(rendered[4]).toMatchObject({ op: 'u', unchanged: ['note'] });
  });

  it('keeps rendered rows intact while later changes fill and replace the shared buffer', () => {
    const decoder = createPgoutputDecoder({ rawTuples: true });
    const builder = createChangeBuilder(SELECTED, { jsonRows: true });
    for (const m of MESSAGES.slice(0, 4)) builder.handle(decoder.decode(m), 1n);
    const events: ChangeEvent[] = [];
    for (let i = 0; i < 3000; i++) {
      const m = bytes().tag('I').i32(1).tag('N').tuple(row(String(i), t('n'.repeat(i % 700)))).build();
      events.push(...builder.handle(decoder.decode(m), 1n).events);
    }
    events.forEach((e, i) => {
      const after = JSON.parse(e.json!.data.toString('utf8', e.json!.afterAt, e.json!.afterAt + e.json!.afterLength));
      expect(after).toMatchObject({ id: i, note: 'n'.repeat(i % 700) });
    });
  });
});
