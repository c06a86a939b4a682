// The job lifecycle (SPEC.md §3) as data: which action is legal in which state.
// The walking skeleton uses a subset; the precheck states arrive with the precheck.
export const JOB_STATUSES = [
  'created', 'prechecking', 'precheck_passed', 'precheck_failed', 'starting', 'snapshotting',
  'streaming', 'retrying', 'stopping', 'stopped', 'failed', 'releasing', 'released',
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export type JobAction = 'precheck' | 'start' | 'stop' | 'release';

// A job starts only after a passed precheck (both seeds); a stopped or failed
// job restarts on its last precheck unless its configuration changed since,
// which PATCH records by clearing the precheck.
const ALLOWED_FROM: Record<JobAction, readonly JobStatus[]> = {
  precheck: ['created', 'precheck_passed', 'precheck_failed', 'stopped', 'failed'],
  start: ['precheck_passed', 'stopped', 'failed'],
  stop: ['starting', 'snapshotting', 'streaming', 'retrying'],
  release: ['created', 'precheck_passed', 'precheck_failed', 'starting', 'snapshotting', 'streaming', 'retrying', 'stopped', 'failed', 'releasing'],
};

export function canApply(action: JobAction, status: JobStatus): boolean {
  return ALLOWED_FROM[action].includes(status);
}

export function allowedFrom(action: JobAction): readonly JobStatus[] {
  return ALLOWED_FROM[action];
}

/** States in which a worker process is expected to be alive. */
export const RUNNING_STATUSES: readonly JobStatus[] = ['starting', 'snapshotting', 'streaming', 'retrying', 'stopping'];
