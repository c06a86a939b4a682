import type { JobRecord } from '../job/job-record.ts';
import { RUNNING_STATUSES } from '../job/job-status.ts';
import { alertingOf, type FiringAlert } from './alarms.ts';

const MIB = 1024 * 1024;

// The job's alerting thresholds against its last reported metrics (the worker
// refreshes job.metrics every 5 s) and its status: what CloudWatch alarms do
// on AWS, for the local mode, which has no CloudWatch. Lag and retained WAL
// count only while the job runs: a stopped job's metrics are its last ones.
export function evaluateAlerts(job: JobRecord): FiringAlert[] {
  const alerting = alertingOf(job);
  const firing: FiringAlert[] = [];
  const m = job.metrics;
  const running = RUNNING_STATUSES.includes(job.status);
  if (running && m && alerting.lagThresholdSeconds !== undefined && m.lagSeconds !== undefined && m.lagSeconds > alerting.lagThresholdSeconds) {
    firing.push({
      alert: 'lag',
      message: `replication lag is ${round(m.lagSeconds)} s, above the job's threshold of ${alerting.lagThresholdSeconds} s`,
      value: round(m.lagSeconds),
      threshold: alerting.lagThresholdSeconds,
      at: m.at,
    });
  }
  if (running && m && alerting.retainedWalThresholdMb !== undefined && m.retainedWalBytes !== undefined && m.retainedWalBytes > alerting.retainedWalThresholdMb * MIB) {
    const mib = round(m.retainedWalBytes / MIB);
    firing.push({
      alert: 'retained-wal',
      message: `the slot ${job.slotName} retains ${mib} MiB of WAL on the source, above the job's threshold of ${alerting.retainedWalThresholdMb} MiB`,
      value: mib,
      threshold: alerting.retainedWalThresholdMb,
      at: m.at,
    });
  }
  if (alerting.onFailure && job.status === 'failed') {
    firing.push({ alert: 'failed', message: `the job failed: ${job.error ? `${job.error.code}: ${job.error.message}` : 'see its error'}`, at: job.error?.at ?? job.updatedAt });
  }
  return firing;
}

const round = (n: number) => Math.round(n * 10) / 10;
