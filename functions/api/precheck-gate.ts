import type { JobRecord } from '../../shared/job/job-record.ts';

/** Why the job may not start on its last precheck; empty when it may. */
export function startBlockers(job: JobRecord): string[] {
  const precheck = job.precheck;
  if (!precheck) return [`run the precheck first: POST /jobs/${job.id}/precheck`];
  const reasons: string[] = [];
  if (precheck.report.blocking.length) reasons.push(`the last precheck failed: ${precheck.report.blocking.join(', ')}; fix them and run the precheck again`);
  const unacknowledged = precheck.report.needsAcknowledgement.filter((id) => !precheck.acknowledged.includes(id));
  if (unacknowledged.length) reasons.push(`acknowledge the warnings ${unacknowledged.join(', ')} with POST /jobs/${job.id}/precheck/ack, or fix them and run the precheck again`);
  return reasons;
}
