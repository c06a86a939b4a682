import { CloudWatchClient, DeleteAlarmsCommand, PutMetricAlarmCommand, ResourceNotFound, type PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import type { JobRecord } from '../job/job-record.ts';
import { ALERT_KINDS, alertingOf, jobAlarmName, wantedAlerts, type Alarms, type AlertKind } from './alarms.ts';
import { METRIC, METRICS_NAMESPACE } from './alarm-metrics.ts';

// The AWS adapter: one CloudWatch metric alarm per alerting setting of a job,
// on the per-job metrics (dimensions Environment + JobId). PutMetricAlarm
// creates or replaces an alarm by name, so applying is idempotent; the names
// derive from the environment and job id. Notifications go to the job's own
// SNS topic if it names one, else to the environment's alarm topic.
const MIB = 1024 * 1024;

export function createCloudWatchAlarms(opts: { client: CloudWatchClient; environment: string; defaultTopicArn: string }): Alarms {
  const { client, environment } = opts;

  const alarmFor = (job: JobRecord, kind: AlertKind): PutMetricAlarmCommandInput => {
    const alerting = alertingOf(job);
    const topic = alerting.notify?.snsTopicArn ?? opts.defaultTopicArn;
    const common = {
      AlarmName: jobAlarmName(environment, job.id, kind),
      Namespace: METRICS_NAMESPACE,
      Dimensions: [{ Name: 'Environment', Value: environment }, { Name: 'JobId', Value: job.id }],
      Period: 60,
      // a stopped or finished job publishes nothing: that is not a breach
      TreatMissingData: 'notBreaching' as const,
      ActionsEnabled: true,
      AlarmActions: [topic],
    };
    const label = `Tributary job ${job.name} (${job.id})`;
    if (kind === 'lag') {
      return {
        ...common,
        AlarmDescription: `${label}: replication lag above ${alerting.lagThresholdSeconds} s (heartbeat commit on the source → delivered) in 2 of 3 minutes`,
        MetricName: METRIC.lag,
        Statistic: 'Maximum',
        Threshold: alerting.lagThresholdSeconds! * 1000, // the worker publishes milliseconds
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        OKActions: [topic],
      };
    }
    if (kind === 'retained-wal') {
      return {
        ...common,
        AlarmDescription: `${label}: its slot ${job.slotName} retains more than ${alerting.retainedWalThresholdMb} MiB of WAL on the source in 2 of 3 minutes`,
        MetricName: METRIC.retainedWal,
        Statistic: 'Maximum',
        Threshold: alerting.retainedWalThresholdMb! * MIB,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        OKActions: [topic],
      };
    }
    // a failure is one event: no OK notification a minute later, which would read as "resolved"
    return {
      ...common,
      AlarmDescription: `${label}: the job failed (fatal error, or past its retry window); see the job's error`,
      MetricName: METRIC.jobFailed,
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
    };
  };

  const remove = async (job: JobRecord, kinds: readonly AlertKind[]) => {
    if (!kinds.length) return;
    try {
      await client.send(new DeleteAlarmsCommand({ AlarmNames: kinds.map((k) => jobAlarmName(environment, job.id, k)) }));
    } catch (err) {
      // names that do not exist are reported, and the existing ones are still deleted (DeleteAlarms API reference)
      if (!(err instanceof ResourceNotFound)) throw err;
    }
  };

  return {
    async apply(job) {
      const wanted = wantedAlerts(alertingOf(job));
      for (const kind of wanted) await client.send(new PutMetricAlarmCommand(alarmFor(job, kind)));
      await remove(job, ALERT_KINDS.filter((k) => !wanted.includes(k)));
    },
    remove: (job) => remove(job, ALERT_KINDS),
    firing: () => undefined,
  };
}
