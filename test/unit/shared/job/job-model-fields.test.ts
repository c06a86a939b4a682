import { describe, expect, it } from 'vitest';
import { JobSpec } from '../../../../shared/job/job-spec.ts';
import { rowFilterShapeProblem } from '../../../../shared/job/row-filter.ts';
import { newJobRecord } from '../../../../shared/job/job-record.ts';

// SPEC.md §2 fields: objects (whole database, schemas, row filters), alerting,
// environmentTag, publicationPrefix.
const minimal = (): any => ({
  source: { type: 'postgresql', host: 'db.internal', database: 'shop', user: 'cdc', password: 's3cret' },
  destination: { type: 'kafka', brokers: ['b1.internal:9092'] },
});
const issuesOf = (body: unknown) => {
  const r = JobSpec.safeParse(body);
  if (r.success) throw new Error('expected the job to be rejected');
  return r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('objects', () => {
  it('defaults to the whole database (SPEC.md §2)', () => {
    expect(JobSpec.parse(minimal()).objects).toEqual({ wholeDatabase: true, tables: [] });
  });

  it('excludes tables by their names as they are, even names the seed rules refuse', () => {
    expect(JobSpec.parse({ ...minimal(), objects: { wholeDatabase: true, excludeTables: [{ table: 'odd.name' }, { schema: 'x', table: 'no_key' }] } }).objects.excludeTables)
      .toEqual([{ schema: 'public', table: 'odd.name' }, { schema: 'x', table: 'no_key' }]);
  });

  it('takes schemas with their operations, and tables that refine them', () => {
    const job = JobSpec.parse({ ...minimal(), objects: { schemas: [{ schema: 'sales', operations: ['INSERT'] }, { schema: 'crm' }], tables: [{ schema: 'sales', table: 'orders', rowFilter: "region = 'eu'" }] } });
    expect(job.objects).toEqual({
      schemas: [{ schema: 'sales', operations: ['INSERT'] }, { schema: 'crm', operations: ['INSERT', 'UPDATE', 'DELETE'] }],
      tables: [{ schema: 'sales', table: 'orders', operations: ['INSERT', 'UPDATE', 'DELETE'], rowFilter: "region = 'eu'" }],
    });
  });

  it.each([
    ['selects nothing', { tables: [] }, 'objects: objects selects nothing: set "wholeDatabase": true, list "schemas", or list "tables"'],
    ['wholeDatabase false alone', { wholeDatabase: false }, 'objects: objects selects nothing: set "wholeDatabase": true, list "schemas", or list "tables"'],
    ['wholeDatabase with schemas', { wholeDatabase: true, schemas: [{ schema: 'a' }] }, 'objects.schemas: wholeDatabase already selects every schema: remove "schemas" or "wholeDatabase"'],
    ['an empty schema list', { schemas: [] }, 'objects.schemas: list at least one schema, or leave "schemas" out'],
    ['a schema twice', { schemas: [{ schema: 'a' }, { schema: 'a' }] }, 'objects.schemas: each schema may be listed once'],
    ['a bad schema name', { schemas: [{ schema: 'a"b' }] }, 'objects.schemas.0.schema: schema must not contain " \' . < or > (seed naming rules)'],
    ['excludeTables with a table list', { tables: [{ table: 'a' }], excludeTables: [{ table: 'b' }] }, 'objects.excludeTables: excludeTables applies to wholeDatabase or schemas; with a table list, leave the table out of "tables" instead'],
    ['a table listed and excluded', { wholeDatabase: true, tables: [{ table: 'a' }], excludeTables: [{ table: 'a' }] }, 'objects.excludeTables: a table cannot be both listed in "tables" and excluded: remove it from one of them'],
  ])('refuses %s with a message naming the fix', (_name, objects, message) => {
    expect(issuesOf({ ...minimal(), objects })).toContain(message);
  });
});

describe('rowFilter', () => {
  it.each([
    "region = 'eu'",
    "status <> 'a;b' AND note = 'it''s -- fine'",
    '(amount > 100 OR "Weird;Name" IS NOT NULL) AND id % 2 = 0',
    "created_at >= '2026-01-01'::timestamptz",
    'price$ > 0',
  ])('accepts one self-contained expression: %s', (filter) => {
    expect(rowFilterShapeProblem(filter)).toBeUndefined();
  });

  it.each([
    ['true); DROP TABLE orders; --', 'rowFilter has a ")" without its "("'],
    ['true) , public.secrets WHERE (true', 'rowFilter has a ")" without its "("'],
    ['id > 0; SELECT 1', 'rowFilter is one boolean expression: remove the ";"'],
    ['id > 0 -- comment', 'rowFilter must not contain comments (-- or /* */)'],
    ['id > 0 /* x */', 'rowFilter must not contain comments (-- or /* */)'],
    ['(id > 0', 'rowFilter has a "(" without its ")"'],
    ["name = 'open", 'rowFilter has an unterminated string literal'],
    ['"open = 1', 'rowFilter has an unterminated quoted identifier'],
    ["name = E'x'", "rowFilter must not use E'' strings (backslash escapes); write a standard '…' literal"],
    ["name = '\\' OR (') , public.secrets WHERE (true'", "rowFilter must not contain a backslash; write a quote inside a literal as two quotes ('it''s')"],
    ['name = $$x$$', 'rowFilter must not use dollar quoting or parameters ($); write values as literals'],
    ['id = $1', 'rowFilter must not use dollar quoting or parameters ($); write values as literals'],
    ['WHERE id > 0', 'write the condition without the WHERE keyword, e.g. "status <> \'draft\'"'],
  ])('refuses %s', (filter, message) => {
    expect(rowFilterShapeProblem(filter)).toBe(message);
    expect(issuesOf({ ...minimal(), objects: { tables: [{ table: 't', rowFilter: filter }] } })).toContain(`objects.tables.0.rowFilter: ${message}`);
  });

  it('is trimmed, must not be blank, and is at most 4096 characters', () => {
    expect(JobSpec.parse({ ...minimal(), objects: { tables: [{ table: 't', rowFilter: '  id > 0 ' }] } }).objects.tables[0].rowFilter).toBe('id > 0');
    expect(issuesOf({ ...minimal(), objects: { tables: [{ table: 't', rowFilter: '   ' }] } })).toContain('objects.tables.0.rowFilter: rowFilter must not be empty; leave it out to sync every row');
    expect(issuesOf({ ...minimal(), objects: { tables: [{ table: 't', rowFilter: `id > ${'9'.repeat(4096)}` }] } })).toContain('objects.tables.0.rowFilter: rowFilter is at most 4096 characters');
  });
});

describe('alerting', () => {
  it('defaults to failure only (SPEC.md §2)', () => {
    expect(JobSpec.parse(minimal()).alerting).toEqual({ onFailure: true });
  });

  it('takes thresholds and an SNS topic', () => {
    const alerting = { onFailure: false, lagThresholdSeconds: 30, retainedWalThresholdMb: 10240, notify: { snsTopicArn: 'arn:aws:sns:eu-west-1:123456789012:orders-alerts' } };
    expect(JobSpec.parse({ ...minimal(), alerting }).alerting).toEqual(alerting);
    expect(JobSpec.parse({ ...minimal(), alerting: { lagThresholdSeconds: 10 } }).alerting).toEqual({ onFailure: true, lagThresholdSeconds: 10 });
  });

  it.each([
    [{ lagThresholdSeconds: 9 }, 'alerting.lagThresholdSeconds: alerting.lagThresholdSeconds is at least 10 (lag is measured from a heartbeat written every 5 s)'],
    [{ lagThresholdSeconds: 86_401 }, 'alerting.lagThresholdSeconds: alerting.lagThresholdSeconds is at most 86400 (one day)'],
    [{ lagThresholdSeconds: 30.5 }, 'alerting.lagThresholdSeconds: alerting.lagThresholdSeconds is a whole number of seconds, e.g. 300'],
    [{ lagThresholdSeconds: '30' }, 'alerting.lagThresholdSeconds: alerting.lagThresholdSeconds is a whole number of seconds, e.g. 300'],
    [{ retainedWalThresholdMb: 15 }, 'alerting.retainedWalThresholdMb: alerting.retainedWalThresholdMb is at least 16 (one WAL segment)'],
    [{ notify: { snsTopicArn: 'orders-alerts' } }, 'alerting.notify.snsTopicArn: alerting.notify.snsTopicArn is an SNS topic ARN, e.g. "arn:aws:sns:eu-west-1:123456789012:orders-alerts"; leave it out to notify the environment\'s topic'],
    [{ notify: { email: 'a@b.c' } }, 'alerting.notify: Unrecognized key: "email"'],
  ])('refuses %j', (alerting, message) => {
    expect(issuesOf({ ...minimal(), alerting })).toContain(message);
  });
});

describe('environmentTag and publicationPrefix', () => {
  it('environmentTag is trimmed free text of 1–128 characters', () => {
    expect(JobSpec.parse({ ...minimal(), environmentTag: ' production ' }).environmentTag).toBe('production');
    expect(issuesOf({ ...minimal(), environmentTag: ' ' })).toContain('environmentTag: environmentTag must not be empty; leave it out instead');
    expect(issuesOf({ ...minimal(), environmentTag: 'x'.repeat(129) })).toContain('environmentTag: environmentTag is at most 128 characters');
  });

  it('the publication is named by publicationPrefix, else by slotPrefix', () => {
    const at = { id: 'j0123456789abcdef', tenantId: 't', passwordRef: 'ref' };
    const both = newJobRecord(JobSpec.parse({ ...minimal(), slotPrefix: 'cdc_' }), at);
    expect([both.slotName, both.publicationName]).toEqual(['cdc_j0123456789abcdef', 'cdc_j0123456789abcdef']);
    const own = newJobRecord(JobSpec.parse({ ...minimal(), slotPrefix: 'cdc_', publicationPrefix: 'pub_' }), at);
    expect([own.slotName, own.publicationName]).toEqual(['cdc_j0123456789abcdef', 'pub_j0123456789abcdef']);
    expect(issuesOf({ ...minimal(), publicationPrefix: 'Pub-' })).toContain('publicationPrefix: publicationPrefix is lower-case letters, digits and _, at most 40 characters');
  });
});
