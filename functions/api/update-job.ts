import { z } from 'zod';
import { JobSpec, type JobSpecInput } from '../../shared/job/job-spec.ts';
import type { JobRecord } from '../../shared/job/job-record.ts';
import { RUNNING_STATUSES } from '../../shared/job/job-status.ts';

// PATCH /jobs/{id}: top-level fields replace the stored ones and the result is
// validated as a whole job. While a job runs its connection cannot change
// (SPEC.md §2: host, port, account, password) and neither can where it
// streams to; its tables can, after a precheck of the new list
// (change-running-objects.ts); the rest (name, tags, environmentTag,
// alerting, retry windows, resources) can. A PATCH of alerting updates the
// job's alarms (routes/jobs.ts).
export const JobPatch = z.record(z.string(), z.unknown());

const IMMUTABLE_WHILE_RUNNING: Array<[string, (job: JobRecord, patch: Record<string, any>) => boolean]> = [
  ['source.host', (j, p) => p.source?.host !== undefined && p.source.host !== j.source.host],
  ['source.port', (j, p) => p.source?.port !== undefined && p.source.port !== j.source.port],
  ['source.database', (j, p) => p.source?.database !== undefined && p.source.database !== j.source.database],
  ['source.user', (j, p) => p.source?.user !== undefined && p.source.user !== j.source.user],
  ['source.password', (_j, p) => p.source?.password !== undefined],
  ['destination', (j, p) => p.destination !== undefined && JSON.stringify({ ...j.destination, ...p.destination }) !== JSON.stringify(j.destination)],
  // a stopping worker would not see a new table list: it is about to exit
  ['objects', (j, p) => j.status === 'stopping' && p.objects !== undefined && JSON.stringify(p.objects) !== JSON.stringify(j.objects)],
  ['slotPrefix', (j, p) => p.slotPrefix !== undefined && p.slotPrefix !== j.slotPrefix],
  ['publicationPrefix', (j, p) => p.publicationPrefix !== undefined && p.publicationPrefix !== j.publicationPrefix],
];

/** Fields the patch may not change now; empty when it may be applied. */
export function refusedWhileRunning(job: JobRecord, patch: Record<string, unknown>): string[] {
  if (!RUNNING_STATUSES.includes(job.status)) return [];
  return IMMUTABLE_WHILE_RUNNING.filter(([, changes]) => changes(job, patch)).map(([field]) => field);
}

/**
 * The job as a user would write it after the patch. The stored job has no
 * password, so a placeholder stands in for validation unless the patch sets one.
 */
export function patchedSpec(job: JobRecord, patch: Record<string, any>): JobSpecInput {
  const { passwordRef: _ref, ...source } = job.source;
  const current = {
    name: job.name, source: { ...source, password: '(unchanged)' }, destination: specDestination(job.destination), objects: job.objects,
    connectionRetryMinutes: job.connectionRetryMinutes, otherRetryMinutes: job.otherRetryMinutes,
    resources: job.resources, slotPrefix: job.slotPrefix, tags: job.tags,
    startMode: job.startMode, syncTypes: job.syncTypes, throttle: job.throttle,
    publicationPrefix: job.publicationPrefix, environmentTag: job.environmentTag, alerting: job.alerting,
  };
  return {
    ...current,
    ...patch,
    source: { ...current.source, ...(patch.source ?? {}) },
    // a destination of another type replaces the stored one instead of merging with it
    destination: patch.destination?.type !== undefined && patch.destination.type !== current.destination.type ? patch.destination : { ...current.destination, ...(patch.destination ?? {}) },
  } as JobSpecInput;
}

/** The stored destination as a user would write it; a placeholder stands in for a PostgreSQL destination's password. */
function specDestination(destination: JobRecord['destination']) {
  if (destination.type !== 'postgresql') return destination;
  const { passwordRef: _ref, ...rest } = destination;
  return { ...rest, password: '(unchanged)' };
}

export function validatePatched(job: JobRecord, patch: Record<string, unknown>) {
  return JobSpec.safeParse(patchedSpec(job, patch));
}

/** Fields a precheck reads: changing any of them makes the last precheck stale (alerting, tags and environmentTag do not). */
export function changesWhatPrecheckSaw(patch: Record<string, unknown>): boolean {
  return ['source', 'destination', 'objects', 'slotPrefix', 'publicationPrefix', 'connectionRetryMinutes'].some((k) => k in patch);
}
