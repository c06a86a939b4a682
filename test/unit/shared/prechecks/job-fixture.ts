import { JobSpec, type JobSpecInput } from '../../../../shared/job/job-spec.ts';
import { newJobRecord, type JobRecord } from '../../../../shared/job/job-record.ts';

// A job record as storage holds it (password replaced by a reference), built
// through the real schema so defaults match what the API would store.
export function jobRecord(input: Partial<JobSpecInput> & { id?: string; password?: string } = {}): JobRecord {
  const { id = 'jtest0001', password = 'unused', ...rest } = input;
  const spec = JobSpec.parse({
    source: { type: 'postgresql', host: '127.0.0.1', port: 5432, database: 'shop', user: 'cdc', password, sslmode: 'disable' },
    destination: { type: 'kafka', brokers: ['127.0.0.1:9092'] },
    objects: { tables: [{ schema: 'public', table: 'orders' }] },
    ...rest,
  });
  return { ...newJobRecord(spec, { id, tenantId: 'tenant-a', passwordRef: `${id}/source-password`, destinationPasswordRef: `${id}/destination-password` }), name: spec.name ?? `job-${id}` };
}
