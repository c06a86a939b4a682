import type { SecretStore } from '../secrets/secret-store.ts';
import type { JobRecord } from './job-record.ts';

// A job has up to two passwords, both in the secret store and referenced from
// the record: the source's and, for a PostgreSQL destination, the
// destination's. Everything that reads or releases them goes through here so
// that neither is forgotten.
export const secretNames = (jobId: string) => ({ source: `${jobId}/source-password`, destination: `${jobId}/destination-password` });

/** Every secret reference the job holds (released with the job). */
export function secretRefsOf(job: Pick<JobRecord, 'source' | 'destination'>): string[] {
  return [job.source.passwordRef, ...(job.destination.type === 'postgresql' ? [job.destination.passwordRef] : [])];
}

/** The destination's password, for a PostgreSQL destination; undefined otherwise. */
export async function destinationPasswordOf(secrets: Pick<SecretStore, 'get'>, job: Pick<JobRecord, 'destination'>): Promise<string | undefined> {
  return job.destination.type === 'postgresql' ? secrets.get(job.destination.passwordRef) : undefined;
}

/** Deletes every secret of the job. */
export async function deleteJobSecrets(secrets: Pick<SecretStore, 'delete'>, job: Pick<JobRecord, 'source' | 'destination'>): Promise<void> {
  for (const ref of secretRefsOf(job)) await secrets.delete(ref);
}
