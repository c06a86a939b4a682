import type { ErrorClass } from '../../shared/errors/error-codes.ts';
import { METRICS_NAMESPACE } from '../../shared/alerting/alarm-metrics.ts';

// CloudWatch embedded metric format (EMF): one JSON log line that CloudWatch
// Logs turns into metrics, so the worker needs no PutMetricData permission and
// no extra call per sample (the Fargate task's awslogs driver ships the line).
// Spec: AWS CloudWatch docs, "Embedded metric format specification".
// Published twice per sample: per job (Environment, JobId), for the job's own
// alarms and the dashboard, and per environment (Environment), for the alarms
// across all jobs (Maximum over the jobs' values).
export const EMF_NAMESPACE = METRICS_NAMESPACE; // the job alarms watch these metrics (shared/alerting/)

export type WorkerMetricsSample = {
  environment: string;
  jobId: string;
  at: Date;
  /** Heartbeat commit on the source → delivered to the sink; absent until one is measured. */
  replicationLagMs?: number;
  /** pg_current_wal_lsn − the slot's restart_lsn. */
  retainedWalBytes?: number;
  rowsPerSecond?: number;
  bytesPerSecond?: number;
  /** Failures in this sample's interval, by class (SPEC.md §3, §7). */
  errors?: Partial<Record<ErrorClass, number>>;
};

type Unit = 'Milliseconds' | 'Bytes' | 'Count/Second' | 'Bytes/Second' | 'Count';

const ERROR_METRIC: Record<ErrorClass, string> = { connection: 'ConnectionErrors', other: 'OtherErrors', fatal: 'FatalErrors' };

export function formatEmf(sample: WorkerMetricsSample, namespace = EMF_NAMESPACE): string {
  const metrics: Array<{ Name: string; Unit: Unit }> = [];
  const values: Record<string, number> = {};
  const add = (name: string, unit: Unit, value: number | undefined) => {
    // CloudWatch rejects NaN and infinities; an unmeasured figure is left out rather than sent as 0
    if (value === undefined || !Number.isFinite(value)) return;
    metrics.push({ Name: name, Unit: unit });
    values[name] = value;
  };
  add('ReplicationLag', 'Milliseconds', sample.replicationLagMs);
  add('RetainedWalBytes', 'Bytes', sample.retainedWalBytes);
  add('RowsPerSecond', 'Count/Second', sample.rowsPerSecond);
  add('BytesPerSecond', 'Bytes/Second', sample.bytesPerSecond);
  for (const cls of Object.keys(ERROR_METRIC) as ErrorClass[]) add(ERROR_METRIC[cls], 'Count', sample.errors?.[cls]);

  return JSON.stringify({
    _aws: {
      Timestamp: sample.at.getTime(),
      CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [['Environment', 'JobId'], ['Environment']], Metrics: metrics }],
    },
    Environment: sample.environment,
    JobId: sample.jobId,
    ...values,
  });
}
