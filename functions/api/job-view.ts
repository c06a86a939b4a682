import type { JobRecord } from '../../shared/job/job-record.ts';

// What the API shows of a job: everything but the secret references and the worker's claim.
export function jobView(job: JobRecord) {
  const { passwordRef: _ref, ...source } = job.source;
  const { workerRun: _run, ...shown } = job;
  return { ...shown, source, destination: destinationView(job.destination) };
}

function destinationView(destination: JobRecord['destination']) {
  if (destination.type !== 'postgresql') return destination;
  const { passwordRef: _ref, ...rest } = destination;
  return rest;
}
