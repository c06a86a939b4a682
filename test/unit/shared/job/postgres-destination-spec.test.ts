import { describe, expect, it } from 'vitest';
import { JobSpec } from '../../../../shared/job/job-spec.ts';
import { newJobRecord } from '../../../../shared/job/job-record.ts';
import { secretRefsOf } from '../../../../shared/job/job-secrets.ts';
import { targetOf } from '../../../../shared/destination/target-names.ts';

// The PostgreSQL destination as a user writes it (SPEC.md §2): a union with
// Kafka on `type`, the connection "as source", conflictMode, nameCase, and
// per-table target names.
const pgJob = () => ({
  source: { type: 'postgresql', host: 'db.internal', database: 'shop', user: 'cdc', password: 'src-secret' },
  destination: { type: 'postgresql', host: 'dw.internal', database: 'warehouse', user: 'loader', password: 'dst-secret' },
  objects: { tables: [{ table: 'orders' }] },
});
const issuesOf = (body: unknown) => {
  const r = JobSpec.safeParse(body);
  if (r.success) throw new Error('expected the job to be rejected');
  return r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
};

describe('a PostgreSQL destination', () => {
  it('gets the connection defaults of a source plus conflictMode and nameCase', () => {
    expect(JobSpec.parse(pgJob()).destination).toEqual({
      type: 'postgresql', host: 'dw.internal', port: 5432, database: 'warehouse', user: 'loader', password: 'dst-secret', sslmode: 'prefer',
      conflictMode: 'precheck-and-report', nameCase: 'default',
    });
  });

  it.each([
    ['conflictMode', { conflictMode: 'overwrite' }, 'destination.conflictMode', /"precheck-and-report" \(default\) or "ignore-and-proceed"/],
    ['nameCase', { nameCase: 'camel' }, 'destination.nameCase', /"default", "source", "lower" or "upper"/],
    ['a missing password', { password: undefined }, 'destination.password', /./],
    ['port 0', { port: 0 }, 'destination.port', /./],
    ['a Kafka field', { brokers: ['b:9092'] }, 'destination', /brokers/],
    ['database with %', { database: 'a%b' }, 'destination.database', /must not contain/],
  ])('rejects %s, naming the field and the fix', (_what, change, path, message) => {
    const job = pgJob() as any;
    job.destination = { ...job.destination, ...change };
    expect(issuesOf(job)).toEqual([{ path, message: expect.stringMatching(message) }]);
  });

  it('an unknown destination type names both choices', () => {
    const job = pgJob() as any;
    job.destination = { type: 'mysql', host: 'x' };
    expect(issuesOf(job)).toEqual([{ path: 'destination.type', message: expect.stringMatching(/"kafka" .* or "postgresql"/) }]);
  });

  it('maps tables and columns; two tables on one target are refused', () => {
    const job = pgJob() as any;
    job.objects.tables = [{ table: 'orders', target: { schema: 'dw', table: 'orders_v2', columns: { id: 'order_id' } } }];
    expect(JobSpec.parse(job).objects.tables[0].target).toEqual({ schema: 'dw', table: 'orders_v2', columns: { id: 'order_id' } });
    job.objects.tables = [{ table: 'a', target: { table: 'same' } }, { table: 'b', target: { table: 'same' } }];
    expect(issuesOf(job)).toEqual([{ path: 'objects.tables', message: expect.stringMatching(/same target table/) }]);
    job.objects.tables = [{ table: 'a', target: { table: 'x'.repeat(64), columns: { id: '' } } }];
    expect(issuesOf(job).map((i) => i.path).sort()).toEqual(['objects.tables.0.target.columns.id', 'objects.tables.0.target.table']);
  });

  it('target is refused for a Kafka destination, pointing at topicRule', () => {
    const job = pgJob() as any;
    job.destination = { type: 'kafka', brokers: ['b1:9092'] };
    job.objects.tables = [{ table: 'orders', target: { table: 'x' } }];
    expect(issuesOf(job)).toEqual([{ path: 'objects.tables.0.target', message: expect.stringMatching(/topicRule/) }]);
  });

  it('the stored record keeps a secret reference, never the password', () => {
    const record = newJobRecord(JobSpec.parse(pgJob()), { id: 'j1', tenantId: 't', passwordRef: 'ref-src', destinationPasswordRef: 'ref-dst' });
    expect(JSON.stringify(record)).not.toContain('dst-secret');
    expect(JSON.stringify(record)).not.toContain('src-secret');
    expect(record.destination).toMatchObject({ type: 'postgresql', passwordRef: 'ref-dst' });
    expect(secretRefsOf(record)).toEqual(['ref-src', 'ref-dst']);
    expect(() => newJobRecord(JobSpec.parse(pgJob()), { id: 'j1', tenantId: 't', passwordRef: 'ref-src' })).toThrow(/secret reference/);
  });
});

describe('target names', () => {
  it('follow nameCase unless mapped explicitly', () => {
    const ref = { schema: 'Sales', table: 'Orders', target: { columns: { ID: 'Order Id' } } };
    expect(targetOf(ref, 'default')).toMatchObject({ schema: 'Sales', table: 'Orders' });
    expect(targetOf(ref, 'lower')).toMatchObject({ schema: 'sales', table: 'orders' });
    expect(targetOf(ref, 'upper').column('Amount')).toBe('AMOUNT');
    expect(targetOf(ref, 'upper').column('ID')).toBe('Order Id');
    expect(targetOf({ schema: 'S', table: 'T', target: { schema: 'Dw' } }, 'lower')).toMatchObject({ schema: 'Dw', table: 't' });
    expect(targetOf({ schema: 's', table: 't', target: { columns: {} } }, 'source').column('__proto__')).toBe('__proto__');
  });
});
