// The CloudWatch namespace and metric names the job alarms watch: the worker
// publishes ReplicationLag and RetainedWalBytes (worker/metrics/emf.ts), the
// state-machine step that fails a job publishes JobFailed (job-failed-emf.ts),
// all with the dimensions Environment and JobId.
export const METRICS_NAMESPACE = 'Tributary';
export const METRIC = { lag: 'ReplicationLag', retainedWal: 'RetainedWalBytes', jobFailed: 'JobFailed' } as const;
