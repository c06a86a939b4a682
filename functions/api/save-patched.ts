import type { JobRecord } from '../../shared/job/job-record.ts';
import { VersionConflict, type JobStore } from '../../shared/storage/job-store.ts';

// A running job's record is rewritten every few seconds by its worker
// (status, position, metrics, snapshot progress). A PATCH is conditional on
// the version it read, so without this it would lose that race often — and
// always when it waits for a precheck of new objects. A conflict caused only
// by the worker's own fields is rebased onto the fresh record; one that
// touched anything a user sets is the user's conflict (409).
const WORKER_FIELDS = ['status', 'ackedLsn', 'error', 'metrics', 'snapshot', 'retry'] as const;

const userFieldsOf = (j: JobRecord) => {
  const copy: Record<string, unknown> = { ...j, version: undefined, updatedAt: undefined, pendingObjects: undefined };
  for (const f of WORKER_FIELDS) copy[f] = undefined;
  return JSON.stringify(copy);
};

/** Saves `next`, built from `base`; undefined when someone else changed what the user sets. */
export async function savePatched(store: JobStore, base: JobRecord, next: JobRecord): Promise<JobRecord | undefined> {
  let attempt = next;
  for (let i = 0; ; i++) {
    try {
      return await store.replace(attempt);
    } catch (err) {
      if (!(err instanceof VersionConflict)) throw err;
      const current = await store.get(base.id);
      if (!current || i >= 10 || userFieldsOf(current) !== userFieldsOf(base)) return undefined;
      const rebased: Record<string, unknown> = { ...attempt, version: current.version };
      for (const f of WORKER_FIELDS) rebased[f] = f === 'status' && next.status !== base.status ? next.status : current[f];
      attempt = rebased as JobRecord;
    }
  }
}
