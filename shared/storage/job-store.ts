import type { JobRecord } from '../job/job-record.ts';

// The storage seam (SPEC.md §1): DynamoDB on AWS, SQLite in the local mode.
// Writes are conditional on the record's version so that the API and a
// worker updating one job at once never lose a write silently.
export interface JobStore {
  create(job: JobRecord): Promise<void>;
  get(id: string): Promise<JobRecord | undefined>;
  list(): Promise<JobRecord[]>;
  /** One tenant's jobs in id order, after `page.after` and at most `page.limit` (an index on DynamoDB: no scan). */
  listByTenant(tenantId: string, page?: { after?: string; limit?: number }): Promise<JobRecord[]>;
  /** Stores `job` if the stored version is still `job.version`; returns it with version + 1. */
  replace(job: JobRecord): Promise<JobRecord>;
  close(): Promise<void>;
}

export class VersionConflict extends Error {
  constructor(id: string, expected: number) {
    super(`job ${id} changed since version ${expected} was read`);
    this.name = 'VersionConflict';
  }
}

/** Read-modify-write with retry on conflict; `change` returns undefined to leave the job as it is. */
export async function updateJob(
  store: JobStore,
  id: string,
  change: (job: JobRecord) => Partial<JobRecord> | undefined,
): Promise<JobRecord> {
  for (let attempt = 0; ; attempt++) {
    const job = await store.get(id);
    if (!job) throw new Error(`job ${id} not found`);
    const patch = change(job);
    if (!patch) return job;
    try {
      return await store.replace({ ...job, ...patch, updatedAt: new Date().toISOString() });
    } catch (err) {
      if (!(err instanceof VersionConflict) || attempt >= 20) throw err;
    }
  }
}
