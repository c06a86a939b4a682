import { describe, expect, it } from 'vitest';
import type { PrecheckContext } from '../../../../shared/prechecks/precheck.ts';
import { rowFilter } from '../../../../shared/prechecks/checks/row-filter.ts';
import { objectsSelected } from '../../../../shared/prechecks/checks/objects-selected.ts';
import { jobRecord } from './job-fixture.ts';

// The row-filter check's answers that need no catalog: the integration tests
// run PostgreSQL 16 and 17 only, so the refusal below 15 is checked here with
// the server facts a PostgreSQL 14 source would report.
const ctx = (job = jobRecord(), versionNum = 140011): PrecheckContext => ({
  job,
  options: { longTransactionSeconds: 300, walSampleMs: 1000 },
  source: () => Promise.reject(new Error('no source in unit tests')),
  openReplication: () => Promise.reject(new Error('no source in unit tests')),
  destination: () => Promise.reject(new Error('no destination in unit tests')),
  kafka: () => {
    throw new Error('no kafka in unit tests');
  },
  kafkaAdmin: () => Promise.reject(new Error('no kafka in unit tests')),
  memo: (key, load) => (key === 'source-facts' ? Promise.resolve({ versionNum, version: '14.11' } as never) : load()),
});

describe('row-filter precheck', () => {
  it('on PostgreSQL 14 a row filter is an error naming the tables and both fixes', async () => {
    const job = jobRecord({ objects: { tables: [{ table: 'orders', rowFilter: "region = 'eu'" }, { table: 'events' }] } });
    expect(await rowFilter.run(ctx(job))).toEqual({
      status: 'error',
      detail: 'row filters need PostgreSQL 15 or later; the source runs 14.11, so the filters on public.orders cannot be applied',
      fix: 'Remove rowFilter from those tables in objects.tables (and filter in the consumer), or upgrade the source to PostgreSQL 15+.',
      ignorable: false,
    });
  });

  it('without filters it passes at once, on any version', async () => {
    expect(await rowFilter.run(ctx())).toMatchObject({ status: 'pass', detail: 'no row filters: every row of the selected tables is synced' });
  });

  it('a plain table list needs no catalog read to be counted', async () => {
    expect(await objectsSelected.run(ctx(jobRecord({ objects: { tables: [{ table: 'a' }, { table: 'b' }] } })))).toMatchObject({ status: 'pass', detail: '2 tables listed (objects.tables)' });
  });
});
