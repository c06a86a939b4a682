import { METRIC, METRICS_NAMESPACE } from './alarm-metrics.ts';

// One embedded-metric-format line (CloudWatch Logs turns it into a metric):
// printed by the state-machine step that marks a job failed, so that a job's
// "failed" alarm watches its own JobFailed metric. The worker cannot publish
// it: a job fails when the machine's retry window closes, after the worker exited.
export function jobFailedEmf(environment: string, jobId: string, at: Date): string {
  return JSON.stringify({
    _aws: { Timestamp: at.getTime(), CloudWatchMetrics: [{ Namespace: METRICS_NAMESPACE, Dimensions: [['Environment', 'JobId']], Metrics: [{ Name: METRIC.jobFailed, Unit: 'Count' }] }] },
    Environment: environment,
    JobId: jobId,
    [METRIC.jobFailed]: 1,
  });
}
