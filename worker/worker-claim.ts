import type { JobRecord } from '../shared/job/job-record.ts';

// Two workers can run one job for a while: a control plane that restarted
// launches a new one before the orphaned one has noticed and stopped. On
// exactly-once the newer one fences the older (its Kafka transactions fail
// with ProducerFenced, a fatal error), and that failure is not the job's:
// written as the job's status it would mark a healthy job failed. So each
// worker claims the job at start, and its last word (stopped, failed) is
// written only while the claim is still its own.

type Change = (job: JobRecord) => Partial<JobRecord> | undefined;

/** The exit code of a worker that found its job claimed by a newer one: the run that launched it ends without a verdict (classify-exit.ts). */
export const REPLACED_EXIT = 3;

/** `change` applied only if `run` still holds the job (or nobody has claimed it); otherwise no change. */
export function whileClaimed(run: string | undefined, change: Change, onLost?: (holder: string) => void): Change {
  return (job) => {
    if (run !== undefined && job.workerRun !== undefined && job.workerRun !== run) {
      onLost?.(job.workerRun);
      return undefined;
    }
    return change(job);
  };
}
