import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchClient, DeleteAlarmsCommand, PutMetricAlarmCommand, ResourceNotFound } from '@aws-sdk/client-cloudwatch';
import { createCloudWatchAlarms } from '../../../../shared/alerting/cloudwatch-alarms.ts';
import { formatEmf } from '../../../../worker/metrics/emf.ts';
import { jobFailedEmf } from '../../../../shared/alerting/job-failed-emf.ts';
import { jobRecord } from '../prechecks/job-fixture.ts';

// No CloudWatch emulator runs here: the exact PutMetricAlarm / DeleteAlarms
// inputs are asserted instead, and checked against the EMF lines the worker
// and the steps print (same namespace, metric names and dimensions).
const cw = mockClient(CloudWatchClient);
const ENV_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:tributary-prod-alarms';
const alarms = () => createCloudWatchAlarms({ client: new CloudWatchClient({ region: 'eu-west-1' }), environment: 'prod', defaultTopicArn: ENV_TOPIC });
const DIMENSIONS = [{ Name: 'Environment', Value: 'prod' }, { Name: 'JobId', Value: 'j0123456789abcdef' }];
const job = (alerting: Record<string, unknown>) => jobRecord({ id: 'j0123456789abcdef', name: 'orders', alerting } as never);
const puts = () => cw.commandCalls(PutMetricAlarmCommand).map((c) => c.args[0].input);
const deletes = () => cw.commandCalls(DeleteAlarmsCommand).map((c) => c.args[0].input);

beforeEach(() => {
  cw.reset();
  cw.on(PutMetricAlarmCommand).resolves({});
  cw.on(DeleteAlarmsCommand).resolves({});
});

describe('CloudWatch job alarms', () => {
  it('every setting becomes one alarm on the per-job metric, notifying the environment topic by default', async () => {
    await alarms().apply(job({ onFailure: true, lagThresholdSeconds: 30, retainedWalThresholdMb: 10240 }));
    expect(puts()).toEqual([
      {
        AlarmName: 'tributary-prod-job-j0123456789abcdef-lag',
        AlarmDescription: 'Tributary job orders (j0123456789abcdef): replication lag above 30 s (heartbeat commit on the source → delivered) in 2 of 3 minutes',
        Namespace: 'Tributary', MetricName: 'ReplicationLag', Dimensions: DIMENSIONS,
        Statistic: 'Maximum', Period: 60, EvaluationPeriods: 3, DatapointsToAlarm: 2,
        Threshold: 30_000, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching',
        ActionsEnabled: true, AlarmActions: [ENV_TOPIC], OKActions: [ENV_TOPIC],
      },
      {
        AlarmName: 'tributary-prod-job-j0123456789abcdef-retained-wal',
        AlarmDescription: 'Tributary job orders (j0123456789abcdef): its slot tributary_j0123456789abcdef retains more than 10240 MiB of WAL on the source in 2 of 3 minutes',
        Namespace: 'Tributary', MetricName: 'RetainedWalBytes', Dimensions: DIMENSIONS,
        Statistic: 'Maximum', Period: 60, EvaluationPeriods: 3, DatapointsToAlarm: 2,
        Threshold: 10240 * 1024 * 1024, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching',
        ActionsEnabled: true, AlarmActions: [ENV_TOPIC], OKActions: [ENV_TOPIC],
      },
      {
        AlarmName: 'tributary-prod-job-j0123456789abcdef-failed',
        AlarmDescription: "Tributary job orders (j0123456789abcdef): the job failed (fatal error, or past its retry window); see the job's error",
        Namespace: 'Tributary', MetricName: 'JobFailed', Dimensions: DIMENSIONS,
        Statistic: 'Sum', Period: 60, EvaluationPeriods: 1,
        Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching',
        ActionsEnabled: true, AlarmActions: [ENV_TOPIC],
      },
    ]);
    expect(deletes()).toEqual([]);
  });

  it('a job\'s own topic replaces the environment topic', async () => {
    const own = 'arn:aws:sns:eu-west-1:123456789012:orders-alerts';
    await alarms().apply(job({ onFailure: true, lagThresholdSeconds: 30, notify: { snsTopicArn: own } }));
    expect(puts().map((p) => [p.AlarmName, p.AlarmActions, p.OKActions])).toEqual([
      ['tributary-prod-job-j0123456789abcdef-lag', [own], [own]],
      ['tributary-prod-job-j0123456789abcdef-failed', [own], undefined],
    ]);
  });

  it('settings no longer asked for are deleted; the default (failure only) keeps one alarm', async () => {
    await alarms().apply(job({ onFailure: true }));
    expect(puts().map((p) => p.AlarmName)).toEqual(['tributary-prod-job-j0123456789abcdef-failed']);
    expect(deletes()).toEqual([{ AlarmNames: ['tributary-prod-job-j0123456789abcdef-lag', 'tributary-prod-job-j0123456789abcdef-retained-wal'] }]);
  });

  it('a record without alerting (written before it existed) gets the failure alarm', async () => {
    const old = job({});
    delete (old as { alerting?: unknown }).alerting;
    await alarms().apply(old);
    expect(puts().map((p) => p.AlarmName)).toEqual(['tributary-prod-job-j0123456789abcdef-failed']);
  });

  it('remove deletes all three; names that never existed are not an error, other failures are', async () => {
    cw.on(DeleteAlarmsCommand).rejectsOnce(new ResourceNotFound({ message: 'no such alarm', $metadata: {} }));
    await alarms().remove(job({ onFailure: false }));
    expect(deletes()).toEqual([{ AlarmNames: ['lag', 'retained-wal', 'failed'].map((k) => `tributary-prod-job-j0123456789abcdef-${k}`) }]);
    cw.on(DeleteAlarmsCommand).rejects(new Error('AccessDenied'));
    await expect(alarms().remove(job({}))).rejects.toThrow('AccessDenied');
  });

  it('a PutMetricAlarm failure reaches the caller (the API refuses to pretend)', async () => {
    cw.on(PutMetricAlarmCommand).rejects(new Error('Throttling'));
    await expect(alarms().apply(job({ onFailure: true }))).rejects.toThrow('Throttling');
  });

  it('the alarms watch what is published: the worker\'s EMF lines and the steps\' JobFailed line', async () => {
    await alarms().apply(job({ onFailure: true, lagThresholdSeconds: 30, retainedWalThresholdMb: 16 }));
    const worker = JSON.parse(formatEmf({ environment: 'prod', jobId: 'j0123456789abcdef', at: new Date(), replicationLagMs: 1, retainedWalBytes: 1 }));
    const failed = JSON.parse(jobFailedEmf('prod', 'j0123456789abcdef', new Date()));
    for (const line of [worker, failed]) {
      const directive = line._aws.CloudWatchMetrics[0];
      expect(directive.Dimensions).toContainEqual(['Environment', 'JobId']);
      for (const m of directive.Metrics) {
        const alarm = puts().find((p) => p.MetricName === m.Name);
        if (!alarm) continue;
        expect(alarm.Namespace).toBe(directive.Namespace);
        expect(alarm.Dimensions).toEqual([{ Name: 'Environment', Value: line.Environment }, { Name: 'JobId', Value: line.JobId }]);
      }
    }
    expect(puts().map((p) => p.MetricName).sort()).toEqual(['JobFailed', 'ReplicationLag', 'RetainedWalBytes']);
    const published = [worker, failed].flatMap((l) => l._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name));
    for (const p of puts()) expect(published).toContain(p.MetricName);
  });
});
