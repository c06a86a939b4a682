import { describe, expect, it } from 'vitest';
import type pg from 'pg';
import { ensurePublication, publicationTableList } from '../../../../shared/source/replication-objects.ts';

// The publication statement a job's row filters produce, and the refusal on a
// source older than PostgreSQL 15 (integration tests run 16 and 17 only).
describe('publication row filters', () => {
  it('quotes the table names and wraps each filter in WHERE (…)', () => {
    expect(publicationTableList([{ schema: 'sales', table: 'Orders' }, { schema: 'public', table: 'events', rowFilter: "kind <> 'debug'" }]))
      .toBe(`"sales"."Orders", "public"."events" WHERE (kind <> 'debug')`);
  });

  it('on PostgreSQL 14 a row filter is refused before any statement, naming the tables and the fix', async () => {
    const queries: string[] = [];
    const client = { query: async (q: string) => (queries.push(q), { rows: [], rowCount: 0 }) } as unknown as pg.Client;
    const err = await ensurePublication(client, 'pub', [{ schema: 'public', table: 'a', rowFilter: 'id > 1' }, { schema: 'public', table: 'b' }], 140011).catch((e) => e);
    expect(err).toMatchObject({ code: 'RowFilterUnsupported', message: 'row filters need PostgreSQL 15 or later; the source runs 14: remove rowFilter from public.a' });
    expect(queries).toEqual([]);
  });
});
