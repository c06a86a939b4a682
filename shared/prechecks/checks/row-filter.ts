import type pg from 'pg';
import { quoteIdent } from '../../source/pg-config.ts';
import { error, pass, skipped, type Finding, type Precheck, type SourceClient } from '../precheck.ts';
import { listSome, onPrimary, qualified } from '../fix-sql.ts';
import { existing, jobTables, nameOf, selectedTables, type TableInfo } from '../selected-tables.ts';
import { sourceFacts } from '../source-facts.ts';
import { publicationTableList, ROW_FILTER_MIN_VERSION } from '../../source/replication-objects.ts';

// A row filter is SQL, so the source itself judges it: each filter is put in
// a publication built inside a transaction that is rolled back, which applies
// PostgreSQL's own rules (columns exist, boolean, immutable built-ins only).
// Then its columns must be in the replica identity: the publication publishes
// UPDATE and DELETE, and PostgreSQL refuses those statements on the source
// ("cannot update table") when a filter reads a column the old row lacks.
// A standby refuses even a rolled-back CREATE PUBLICATION: there the filters
// are those of the job's publication, which the primary accepted, and only
// their columns are checked (the publication check has made sure it exists).
export const rowFilter: Precheck = {
  id: 'row-filter',
  title: 'Row filters are valid on the source and their columns are in the replica identity',
  requires: ['publication'],
  appliesTo: () => true,
  async run(ctx) {
    const wanted = ctx.job.objects.tables.filter((t) => t.rowFilter);
    if (!wanted.length) return pass('no row filters: every row of the selected tables is synced');
    const facts = await sourceFacts(ctx);
    if (facts.versionNum < ROW_FILTER_MIN_VERSION) {
      return error(
        `row filters need PostgreSQL 15 or later; the source runs ${facts.version}, so the filters on ${listSome(wanted.map(nameOf))} cannot be applied`,
        'Remove rowFilter from those tables in objects.tables (and filter in the consumer), or upgrade the source to PostgreSQL 15+.',
      );
    }
    const infos = new Map(existing(await selectedTables(ctx)).map((t) => [nameOf(t), t]));
    const tables = wanted.filter((t) => infos.has(nameOf(t))); // missing ones are the tables-exist check's finding
    if (facts.inRecovery) return onStandby(await ctx.source(), ctx.job.publicationName, tables.map((t) => infos.get(nameOf(t))!));
    if (!ctx.openSource) return skipped('no separate source connection available to build the test publication');
    const client = await ctx.openSource();
    const invalid: string[] = [];
    const outsideIdentity: Array<{ t: TableInfo; columns: string[] }> = [];
    try {
      await client.query('BEGIN');
      for (const [i, t] of tables.entries()) {
        const name = `tributary_row_filter_check_${i}`; // rolled back with the transaction: never seen by others
        await client.query('SAVEPOINT row_filter');
        try {
          // extended protocol: one statement only, whatever the filter holds
          await client.query({ text: `CREATE PUBLICATION ${quoteIdent(name)} FOR TABLE ${publicationTableList([t])} WITH (publish_via_partition_root = true)`, queryMode: 'extended' } as pg.QueryConfig);
        } catch (err) {
          await client.query('ROLLBACK TO SAVEPOINT row_filter');
          const e = err as { message: string; detail?: string; hint?: string };
          invalid.push(`${qualified(t.schema, t.table)}: ${e.message}${e.detail ? ` (${e.detail})` : ''}`);
          continue;
        }
        const info = infos.get(nameOf(t))!;
        const missing = outside(info, (await filterColumns(client, name)).get(String(info.relation!.oid)) ?? []);
        if (missing.length) outsideIdentity.push({ t: info, columns: missing });
      }
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end().catch(() => undefined);
    }
    const problems = [
      ...invalid.map((p) => `invalid filter on ${p}`),
      ...outsideIdentity.map(({ t, columns }) => `the filter on ${qualified(t.schema, t.table)} reads ${columns.join(', ')}, outside its replica identity: UPDATE and DELETE on the table would fail on the source`),
    ];
    if (!problems.length) return pass(`${tables.length} row filter(s) accepted by the source; their columns are in each table's replica identity`);
    const fixes = [
      ...(invalid.length ? ['-- correct the rowFilter in objects.tables: a boolean expression over the table\'s own columns, built-in immutable functions only'] : []),
      ...outsideIdentity.map(({ t }) => identityFix(t)),
    ];
    return error(problems.join('; '), fixes.join('\n'));
  },
};

const identityFix = (t: TableInfo) => `ALTER TABLE ${qualified(t.schema, t.table)} REPLICA IDENTITY FULL; -- or filter on key columns only`;

async function onStandby(client: SourceClient, publication: string, tables: TableInfo[]): Promise<Finding> {
  const used = await filterColumns(client, publication);
  const outsideIdentity = tables.map((t) => ({ t, columns: outside(t, used.get(String(t.relation!.oid)) ?? []) })).filter((o) => o.columns.length);
  if (!outsideIdentity.length) {
    return pass(`the source is a standby: the row filters are those of publication ${quoteIdent(publication)}, created on the primary; their columns are in each table's replica identity`);
  }
  return error(
    outsideIdentity.map(({ t, columns }) => `the filter of publication ${quoteIdent(publication)} on ${qualified(t.schema, t.table)} reads ${columns.join(', ')}, outside its replica identity: UPDATE and DELETE on the table fail on the primary`).join('; '),
    onPrimary(true, outsideIdentity.map(({ t }) => identityFix(t)).join('\n')),
  );
}

/** The columns each table's row filter in a publication reads (by table oid), from the stored expression tree (Var nodes). */
async function filterColumns(client: SourceClient, publication: string): Promise<Map<string, string[]>> {
  const { rows } = await client.query(
    `SELECT r.prrelid::int8::text AS rel, r.prqual::text AS qual
       FROM pg_publication_rel r JOIN pg_publication p ON p.oid = r.prpubid
      WHERE p.pubname = $1 AND r.prqual IS NOT NULL`,
    [publication],
  );
  const result = new Map<string, string[]>();
  for (const row of rows) {
    const attnums = [...new Set([...(row.qual as string).matchAll(/:varattno (-?\d+)/g)].map((m) => Number(m[1])))];
    const names = await client.query('SELECT attname FROM pg_attribute WHERE attrelid = $1::oid AND attnum = ANY($2::int2[]) ORDER BY attnum', [row.rel, attnums]);
    result.set(row.rel, names.rows.map((r) => r.attname as string));
  }
  return result;
}

function outside(t: TableInfo, used: string[]): string[] {
  const identity = identityColumns(t);
  return identity === 'all' ? [] : used.filter((c) => !identity.includes(c));
}

function identityColumns(t: TableInfo): string[] | 'all' {
  const r = t.relation!;
  if (r.replicaIdentity === 'f') return 'all';
  if (r.replicaIdentity === 'd') return r.indexes.find((i) => i.primary)?.columns ?? [];
  if (r.replicaIdentity === 'i') return r.indexes.find((i) => i.replicaIdentity)?.columns ?? [];
  return [];
}
