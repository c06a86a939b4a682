import { quoteIdent } from './pg-config.ts';
import { publicationTableList, type PublishedTable, type TableName } from './replication-objects.ts';
import { TributaryError } from '../errors/tributary-error.ts';

// A standby is read-only ("cannot execute CREATE PUBLICATION in a read-only
// transaction"), so for a standby source the publication is created on the
// primary, from where it replicates (pg_publication is an ordinary catalog),
// and the job uses it as it finds it. What matters is what would make it
// stream the wrong rows: a selected table not published, a row filter on one
// side only, or a partitioned table published per partition (its changes
// would arrive under names the job did not select). Filters are compared by
// presence only: PostgreSQL stores them deparsed, not as the job wrote them.
// Extra tables are harmless: the change builder ignores unselected relations.

type Queryable = { query(text: string, values?: unknown[]): Promise<{ rows: any[] }> };

export type PublicationGap = {
  exists: boolean;
  allTables: boolean;
  missing: TableName[];
  /** Tables with a row filter in the job but not in the publication, or the reverse. */
  filterDiffers: TableName[];
  /** publish_via_partition_root is off while a selected table is partitioned. */
  viaRootOff: TableName[];
  /** How many published tables the job did not select. */
  extra: number;
};

const key = (t: TableName) => `${t.schema}.${t.table}`;
const names = (ts: TableName[]) => ts.map((t) => `${quoteIdent(t.schema)}.${quoteIdent(t.table)}`).join(', ');

export async function readPublicationGap(client: Queryable, name: string, tables: PublishedTable[], serverVersion: number): Promise<PublicationGap> {
  const filtered = serverVersion >= 150000 ? 'rowfilter IS NOT NULL' : 'false';
  const { rows } = await client.query(
    `SELECT p.oid IS NOT NULL AS exists, coalesce(p.puballtables, false) AS all_tables, coalesce(p.pubviaroot, false) AS via_root,
            coalesce((SELECT json_agg(json_build_object('schema', schemaname, 'table', tablename, 'filtered', ${filtered}))
                        FROM pg_publication_tables WHERE pubname = $1), '[]') AS published,
            coalesce((SELECT json_agg(json_build_object('schema', t.schema, 'table', t.table))
                        FROM unnest($2::text[], $3::text[]) AS t(schema, "table")
                        JOIN pg_class c ON c.oid = to_regclass(format('%I.%I', t.schema, t.table)) AND c.relkind = 'p'), '[]') AS partitioned
       FROM (SELECT 1) AS one LEFT JOIN pg_publication p ON p.pubname = $1`,
    [name, tables.map((t) => t.schema), tables.map((t) => t.table)],
  );
  const r = rows[0];
  const published = new Map((r.published as Array<TableName & { filtered: boolean }>).map((t) => [key(t), t.filtered]));
  const selected = new Set(tables.map(key));
  return {
    exists: r.exists,
    allTables: r.all_tables,
    missing: r.exists ? tables.filter((t) => !published.has(key(t))) : [],
    filterDiffers: tables.filter((t) => published.has(key(t)) && published.get(key(t)) !== Boolean(t.rowFilter)),
    viaRootOff: r.exists && !r.via_root ? (r.partitioned as TableName[]) : [],
    extra: [...published.keys()].filter((k) => !selected.has(k)).length,
  };
}

export const publicationUsable = (gap: PublicationGap) => gap.exists && !gap.missing.length && !gap.filterDiffers.length && !gap.viaRootOff.length;

export function describePublicationGap(name: string, gap: PublicationGap): string {
  if (!gap.exists) return `publication ${quoteIdent(name)} does not exist on the standby`;
  const problems = [
    gap.missing.length && `does not publish ${names(gap.missing)}`,
    gap.filterDiffers.length && `has a row filter where the job has none, or none where it has one, on ${names(gap.filterDiffers)}`,
    gap.viaRootOff.length && `has publish_via_partition_root off, so changes of ${names(gap.viaRootOff)} would arrive under their partitions' names`,
  ].filter(Boolean);
  return `publication ${quoteIdent(name)} ${problems.join('; ')}`;
}

/** The statements that make the publication fit the job, to run on the primary. */
export function primaryPublicationSql(name: string, tables: PublishedTable[], gap: PublicationGap, serverVersion: number): string {
  const pub = quoteIdent(name);
  // publish_via_partition_root exists from PostgreSQL 13 (decoding on a standby needs 16)
  const create = `CREATE PUBLICATION ${pub} FOR TABLE ${publicationTableList(tables)}${serverVersion >= 130000 ? ' WITH (publish_via_partition_root = true)' : ''};`;
  const lines = ['-- on the primary: the source is a standby (read-only) and the publication replicates to it; as the tables\' owner or a superuser'];
  // a FOR ALL TABLES publication cannot be given a table list
  if (!gap.exists || gap.allTables) lines.push(...(gap.exists ? [`DROP PUBLICATION ${pub};`] : []), create);
  else {
    if (gap.missing.length || gap.filterDiffers.length) lines.push(`ALTER PUBLICATION ${pub} SET TABLE ${publicationTableList(tables)};`);
    if (gap.viaRootOff.length) lines.push(`ALTER PUBLICATION ${pub} SET (publish_via_partition_root = true);`);
  }
  return lines.join('\n');
}

/** The worker's side on a standby: use the publication as it is, or fail naming the statements for the primary. */
export async function requireStandbyPublication(client: Queryable, name: string, tables: PublishedTable[], serverVersion: number): Promise<void> {
  const gap = await readPublicationGap(client, name, tables, serverVersion);
  if (publicationUsable(gap)) return;
  throw new TributaryError('SourceIsStandby', `${describePublicationGap(name, gap)}; run on the primary: ${primaryPublicationSql(name, tables, gap, serverVersion).split('\n').slice(1).join(' ')}`);
}
