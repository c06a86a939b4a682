import type { JobRecord } from '../../shared/job/job-record.ts';
import type { RetryWindows } from './run-state.ts';

// DTS's rule (SPEC.md §3): where several jobs share a source or a
// destination, the shortest window among them applies to that endpoint. A job
// is held to the shortest window, per class, among the live jobs that share
// its source server, its PostgreSQL destination server or any of its Kafka
// brokers, itself included.
export function effectiveWindows(job: JobRecord, all: readonly JobRecord[]): RetryWindows {
  const mine = new Set(endpointsOf(job));
  const sharing = all.filter((other) => other.id === job.id || (other.status !== 'released' && endpointsOf(other).some((e) => mine.has(e))));
  const jobs = sharing.some((j) => j.id === job.id) ? sharing : [job, ...sharing];
  return {
    connectionRetryMinutes: Math.min(...jobs.map((j) => j.connectionRetryMinutes)),
    otherRetryMinutes: Math.min(...jobs.map((j) => j.otherRetryMinutes)),
  };
}

function endpointsOf(job: JobRecord): string[] {
  const source = `postgresql://${job.source.host.toLowerCase()}:${job.source.port}`;
  const brokers = job.destination.type === 'kafka' ? job.destination.brokers.map((b) => `kafka://${b.toLowerCase()}`) : [];
  // a PostgreSQL destination is a server like a source: jobs reading from or writing to it share its windows
  const destination = job.destination.type === 'postgresql' ? [`postgresql://${job.destination.host.toLowerCase()}:${job.destination.port}`] : [];
  return [source, ...brokers, ...destination];
}
