import type { JobRecord } from '../../shared/job/job-record.ts';

// DTS applies `ALTER TABLE … REPLICA IDENTITY FULL` itself when the user skips
// that precheck item (seed 004), and so does Tributary: a warning the user
// acknowledged whose fix is exactly such statements is applied before the
// publication is set up. Only statements of that one shape, with quoted
// identifiers as the check writes them, are ever run.
const APPLIED_WHEN_ACKNOWLEDGED = ['toast-replica-identity', 'replica-identity'];
const REPLICA_IDENTITY_FULL = /^ALTER TABLE "(?:[^"]|"")+"\."(?:[^"]|"")+" REPLICA IDENTITY FULL;$/;

export function acknowledgedFixes(job: Pick<JobRecord, 'precheck'>): string[] {
  const precheck = job.precheck;
  if (!precheck) return [];
  return precheck.report.results
    .filter((r) => APPLIED_WHEN_ACKNOWLEDGED.includes(r.id) && precheck.acknowledged.includes(r.id) && r.fix)
    .flatMap((r) => r.fix!.split('\n').map((line) => line.trim()))
    .filter((line) => REPLICA_IDENTITY_FULL.test(line));
}
