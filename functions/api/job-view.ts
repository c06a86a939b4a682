import type { JobRecord } from '../../shared/job/job-record.ts';

// What the API shows of a job: everything but the secret reference.
export function jobView(job: JobRecord) {
  const { passwordRef: _ref, ...source } = job.source;
  return { ...job, source };
}
