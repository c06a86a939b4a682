import { describe, expect, it } from 'vitest';
import { JobSpec, phasesOf } from '../../../../shared/job/job-spec.ts';

// A job as small as a user may write it; each test copies and spoils it.
const minimal = () => ({
  source: { type: 'postgresql', host: 'db.internal', database: 'shop', user: 'cdc', password: 's3cret' },
  destination: { type: 'kafka', brokers: ['b1.internal:9092'] },
  objects: { tables: [{ table: 'orders' }] },
});

/** Every issue of one parse as "path: message". */
const issuesOf = (body: unknown) => {
  const r = JobSpec.safeParse(body);
  if (r.success) throw new Error('expected the job to be rejected');
  return r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
};
const pathsOf = (body: unknown) => issuesOf(body).map((i) => i.path);

describe('JobSpec defaults', () => {
  it('a minimal job gets every default', () => {
    expect(JobSpec.parse(minimal())).toEqual({
      source: { type: 'postgresql', host: 'db.internal', port: 5432, database: 'shop', user: 'cdc', password: 's3cret', sslmode: 'prefer' },
      destination: {
        type: 'kafka',
        brokers: ['b1.internal:9092'],
        topicRule: '#{source_db_name}.#{source_schema_name}.#{source_table_name}',
        partitionPolicy: 'hash-primary-key',
        newTopicPartitions: 3,
        deliveryGuarantee: 'at-least-once',
        tombstonesOnDelete: true,
        properties: {},
      },
      objects: { tables: [{ schema: 'public', table: 'orders', operations: ['INSERT', 'UPDATE', 'DELETE'] }] },
      connectionRetryMinutes: 720,
      otherRetryMinutes: 10,
      resources: { cpuCores: 2 },
      slotPrefix: 'tributary_',
      tags: {},
      startMode: { type: 'full+incremental' },
      alerting: { onFailure: true },
    });
  });

  it('accepts the edges of every range and a prefixed producer property', () => {
    const job = minimal() as any;
    job.source.port = 65535;
    job.destination.newTopicPartitions = 1000;
    job.destination.properties = { 'properties.linger.ms': '5' };
    job.resources = { cpuCores: 32 };
    job.connectionRetryMinutes = 10;
    job.otherRetryMinutes = 9;
    expect(JobSpec.safeParse(job).success).toBe(true);
  });
});

describe('JobSpec rejects bad fields', () => {
  it('reports every bad field with its path in one parse', () => {
    const job = minimal() as any;
    job.source.port = 0;
    job.source.database = 'shop+old';
    job.destination.brokers = ['b1.internal:9092', 'b2.internal'];
    job.destination.topicRule = 'cdc.#{source_host}.#{source_table_name}';
    job.destination.newTopicPartitions = 1001;
    job.destination.deliveryGuarantee = 'exactly-twice';
    job.objects.tables = [{ table: 'orders' }, { schema: 'sales', table: 'a.b' }, { schema: 'public', table: 'orders' }];
    job.resources = { cpuCores: 1 };
    job.connectionRetryMinutes = 60;
    job.otherRetryMinutes = 60;
    job.colour = 'blue';
    expect(pathsOf(job).sort()).toEqual(
      [
        'source.port',
        'source.database',
        'destination.brokers.1',
        'destination.topicRule',
        'destination.newTopicPartitions',
        'destination.deliveryGuarantee',
        'objects.tables.1.table',
        'resources.cpuCores',
        '', // unrecognized key "colour" at the top level
        'otherRetryMinutes',
        'objects.tables', // the duplicate, after defaults made both "public.orders"
      ].sort(),
    );
  });

  it.each([
    ['cpuCores 1', (j: any) => (j.resources = { cpuCores: 1 }), 'resources.cpuCores'],
    ['cpuCores 33', (j: any) => (j.resources = { cpuCores: 33 }), 'resources.cpuCores'],
    ['cpuCores 2.5', (j: any) => (j.resources = { cpuCores: 2.5 }), 'resources.cpuCores'],
    ['port 65536', (j: any) => (j.source.port = 65536), 'source.port'],
    ['newTopicPartitions 0', (j: any) => (j.destination.newTopicPartitions = 0), 'destination.newTopicPartitions'],
    ['table name with a quote', (j: any) => (j.objects.tables = [{ table: 'or"ders' }]), 'objects.tables.0.table'],
    ['table name of 64 characters', (j: any) => (j.objects.tables = [{ table: 'x'.repeat(64) }]), 'objects.tables.0.table'],
    ['schema name with <', (j: any) => (j.objects.tables = [{ schema: 'a<b', table: 't' }]), 'objects.tables.0.schema'],
    ['database name with %', (j: any) => (j.source.database = 'a%b'), 'source.database'],
    ['an objects that selects nothing', (j: any) => (j.objects.tables = []), 'objects'],
    ['empty operations', (j: any) => (j.objects.tables = [{ table: 't', operations: [] }]), 'objects.tables.0.operations'],
    ['slotPrefix in capitals', (j: any) => (j.slotPrefix = 'Tributary_'), 'slotPrefix'],
    ['unknown key inside source', (j: any) => (j.source.passwrd = 'x'), 'source'],
    ['otherRetryMinutes above connectionRetryMinutes', (j: any) => (j.otherRetryMinutes = 721), 'otherRetryMinutes'],
  ])('%s', (_what, spoil, path) => {
    const job = minimal();
    spoil(job);
    expect(pathsOf(job)).toEqual([path]);
  });

  it('accepts exactly-once, and at-least-once by default', () => {
    const job = minimal() as any;
    expect(JobSpec.parse(job).destination).toMatchObject({ deliveryGuarantee: 'at-least-once' });
    job.destination.deliveryGuarantee = 'exactly-once';
    expect(JobSpec.parse(job).destination).toMatchObject({ deliveryGuarantee: 'exactly-once' });
  });

  it('names the allowed variables when topicRule uses an unknown one', () => {
    const job = minimal() as any;
    job.destination.topicRule = '#{source_db_name}.#{table}';
    expect(issuesOf(job)).toEqual([{ path: 'destination.topicRule', message: expect.stringContaining('#{source_table_name}') }]);
  });

  it('rejects a producer property without the "properties." prefix, on its key', () => {
    const job = minimal() as any;
    job.destination.properties = { 'properties.acks': 'all', acks: 'all' };
    expect(pathsOf(job)).toEqual(['destination.properties.acks']);
  });

  // zod's own record-key error is a generic "Invalid key in record"; the fix must reach the user.
  it('explains a producer property without the prefix in its message', () => {
    const job = minimal() as any;
    job.destination.properties = { acks: 'all' };
    expect(issuesOf(job)[0].message).toMatch(/properties\.<kafka key>/);
  });

  // One response lists every problem: cross-field rules still run beside a bad field.
  it('still reports the cross-field errors when a properties key is also bad', () => {
    const job = minimal() as any;
    job.destination.properties = { acks: 'all' };
    job.otherRetryMinutes = 720;
    job.objects.tables = [{ table: 'orders' }, { table: 'orders' }];
    expect(pathsOf(job).sort()).toEqual(['destination.properties.acks', 'objects.tables', 'otherRetryMinutes']);
  });
});

describe('JobSpec start mode, sync types and throttle', () => {
  it('incremental from a timestamp or an LSN; full+incremental takes neither', () => {
    expect(JobSpec.parse({ ...minimal(), startMode: { type: 'incremental', fromTimestamp: '2026-11-23T10:00:00+01:00' } }).startMode).toEqual({ type: 'incremental', fromTimestamp: '2026-11-23T10:00:00+01:00' });
    expect(JobSpec.parse({ ...minimal(), startMode: { type: 'incremental', fromLsn: '16/B374D848' } }).startMode.fromLsn).toBe('16/B374D848');
    expect(pathsOf({ ...minimal(), startMode: { fromLsn: '0/1' } })).toEqual(['startMode']);
    expect(pathsOf({ ...minimal(), startMode: { type: 'incremental', fromLsn: '0/1', fromTimestamp: '2026-11-23T10:00:00Z' } })).toEqual(['startMode']);
    expect(issuesOf({ ...minimal(), startMode: { type: 'incremental', fromTimestamp: 'yesterday' } })[0].message).toMatch(/ISO 8601/);
    expect(pathsOf({ ...minimal(), startMode: { type: 'incremental', fromLsn: '123' } })).toEqual(['startMode.fromLsn']);
  });

  it('syncTypes follow startMode unless set, and must leave something to do', () => {
    expect(phasesOf(JobSpec.parse(minimal()))).toEqual({ full: true, incremental: true });
    expect(phasesOf(JobSpec.parse({ ...minimal(), startMode: { type: 'incremental' } }))).toEqual({ full: false, incremental: true });
    expect(phasesOf(JobSpec.parse({ ...minimal(), syncTypes: { incremental: false } }))).toEqual({ full: true, incremental: false });
    expect(pathsOf({ ...minimal(), syncTypes: { full: false, incremental: false } })).toEqual(['syncTypes']);
    expect(pathsOf({ ...minimal(), startMode: { type: 'incremental' }, syncTypes: { full: true } })).toEqual(['syncTypes.full']);
  });

  it('throttle.full caps are positive numbers', () => {
    expect(JobSpec.parse({ ...minimal(), throttle: { full: { rowsPerSecond: 10_000, mbPerSecond: 2.5 } } }).throttle).toEqual({ full: { rowsPerSecond: 10_000, mbPerSecond: 2.5 } });
    expect(pathsOf({ ...minimal(), throttle: { full: { queriesPerSecond: 0 } } })).toEqual(['throttle.full.queriesPerSecond']);
    expect(pathsOf({ ...minimal(), throttle: { full: { rows: 5 } } })).toEqual(['throttle.full']);
  });

  it('throttle.incremental caps rows/s and MB/s, each a positive number', () => {
    expect(JobSpec.parse({ ...minimal(), throttle: { incremental: { rowsPerSecond: 500 } } }).throttle).toEqual({ incremental: { rowsPerSecond: 500 } });
    expect(JobSpec.parse({ ...minimal(), throttle: { full: { rowsPerSecond: 1 }, incremental: { mbPerSecond: 0.5 } } }).throttle).toEqual({ full: { rowsPerSecond: 1 }, incremental: { mbPerSecond: 0.5 } });
    expect(pathsOf({ ...minimal(), throttle: { incremental: { rowsPerSecond: -1, mbPerSecond: 0 } } })).toEqual(['throttle.incremental.rowsPerSecond', 'throttle.incremental.mbPerSecond']);
    expect(pathsOf({ ...minimal(), throttle: { incremental: { queriesPerSecond: 5 } } })).toEqual(['throttle.incremental']); // a full-phase cap only
  });
});
