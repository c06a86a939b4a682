import { describe, expect, it } from 'vitest';
import { describePublicationGap, primaryPublicationSql, publicationUsable, requireStandbyPublication, type PublicationGap } from '../../../../shared/source/standby-publication.ts';

// What a job on a standby source says about its publication, which only the
// primary can create or change (reading it from a real standby: test/integration/standby-source.test.ts).
const fits: PublicationGap = { exists: true, allTables: false, missing: [], filterDiffers: [], viaRootOff: [], extra: 0 };
const tables = [{ schema: 'public', table: 'orders' }, { schema: 'sales', table: 'Lines', rowFilter: "region = 'eu'" }];
const COMMENT = "-- on the primary: the source is a standby (read-only) and the publication replicates to it; as the tables' owner or a superuser";

describe('a standby source\'s publication', () => {
  it('missing: CREATE PUBLICATION for the primary, with the filters and publish_via_partition_root', () => {
    const gap = { ...fits, exists: false };
    expect(publicationUsable(gap)).toBe(false);
    expect(describePublicationGap('pub', gap)).toBe('publication "pub" does not exist on the standby');
    expect(primaryPublicationSql('pub', tables, gap, 170000)).toBe(`${COMMENT}\nCREATE PUBLICATION "pub" FOR TABLE "public"."orders", "sales"."Lines" WHERE (region = 'eu') WITH (publish_via_partition_root = true);`);
  });

  it('a table missing or a filter on one side only: ALTER … SET TABLE; partitions published separately: SET (publish_via_partition_root)', () => {
    const gap = { ...fits, missing: [tables[0]], filterDiffers: [tables[1]], viaRootOff: [{ schema: 'public', table: 'events' }] };
    expect(describePublicationGap('pub', gap)).toBe(
      'publication "pub" does not publish "public"."orders"; has a row filter where the job has none, or none where it has one, on "sales"."Lines"; ' +
        'has publish_via_partition_root off, so changes of "public"."events" would arrive under their partitions\' names',
    );
    expect(primaryPublicationSql('pub', tables, gap, 170000).split('\n')).toEqual([
      COMMENT,
      `ALTER PUBLICATION "pub" SET TABLE "public"."orders", "sales"."Lines" WHERE (region = 'eu');`,
      'ALTER PUBLICATION "pub" SET (publish_via_partition_root = true);',
    ]);
  });

  it('FOR ALL TABLES cannot take a table list: dropped and created again', () => {
    const sql = primaryPublicationSql('pub', [tables[1]], { ...fits, allTables: true, filterDiffers: [tables[1]] }, 160000);
    expect(sql.split('\n').slice(1)).toEqual(['DROP PUBLICATION "pub";', `CREATE PUBLICATION "pub" FOR TABLE "sales"."Lines" WHERE (region = 'eu') WITH (publish_via_partition_root = true);`]);
  });

  it('extra tables do not matter: the job ignores their changes', () => {
    expect(publicationUsable({ ...fits, extra: 3 })).toBe(true);
  });

  it('the worker fails with SourceIsStandby naming the statements, and reads only', async () => {
    const queries: string[] = [];
    const client = { query: async (q: string) => (queries.push(q), { rows: [{ exists: false, all_tables: false, via_root: false, published: [], partitioned: [] }] }) };
    const err = await requireStandbyPublication(client, 'pub', [tables[0]], 170000).catch((e) => e);
    expect(err).toMatchObject({
      code: 'SourceIsStandby',
      errorClass: 'fatal',
      message: 'publication "pub" does not exist on the standby; run on the primary: CREATE PUBLICATION "pub" FOR TABLE "public"."orders" WITH (publish_via_partition_root = true);',
    });
    expect(queries).toHaveLength(1);
    expect(queries[0]).toMatch(/^SELECT /);
  });
});
