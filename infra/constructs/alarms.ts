import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { EMF_NAMESPACE } from '../../worker/metrics/emf.ts';

export type AlarmsProps = {
  envName: string;
  lagAlarmSeconds: number;
  retainedWalAlarmGiB: number;
  alarmEmail?: string;
  stateMachine: sfn.IStateMachine;
};

// The environment's alarms (SPEC.md §7) on the metrics workers publish in
// embedded metric format (worker/metrics/emf.ts, dimension Environment), and
// on the job machine: lag above the threshold, a slot retaining too much WAL,
// a job failed. All notify one SNS topic per environment. A dashboard shows
// the same figures.
export class TributaryAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: Record<'lag' | 'retainedWal' | 'jobFailed', cloudwatch.Alarm>;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    // CloudWatch must be allowed to use the topic's key, which an AWS-managed SNS key would not allow
    const key = new kms.Key(this, 'TopicKey', { enableKeyRotation: true, description: `Tributary ${props.envName} alarm topic` });
    key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }));
    this.topic = new sns.Topic(this, 'Topic', { topicName: `tributary-${props.envName}-alarms`, masterKey: key, enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    const workerMetric = (metricName: string) => new cloudwatch.Metric({
      namespace: EMF_NAMESPACE, metricName, dimensionsMap: { Environment: props.envName }, statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(1),
    });
    const lag = workerMetric('ReplicationLag');
    const retainedWal = workerMetric('RetainedWalBytes');
    const failed = props.stateMachine.metricFailed({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM });

    this.alarms = {
      lag: lag.createAlarm(this, 'LagAlarm', {
        alarmDescription: `A job's replication lag is above ${props.lagAlarmSeconds} s (heartbeat commit on the source → delivered)`,
        threshold: props.lagAlarmSeconds * 1000,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      retainedWal: retainedWal.createAlarm(this, 'RetainedWalAlarm', {
        alarmDescription: `A job's slot retains more than ${props.retainedWalAlarmGiB} GiB of WAL on its source`,
        threshold: props.retainedWalAlarmGiB * 2 ** 30,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      jobFailed: failed.createAlarm(this, 'JobFailedAlarm', {
        alarmDescription: 'A job failed (fatal error, past its retry window, or its cleanup could not finish); see the job record',
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    };
    for (const alarm of Object.values(this.alarms)) alarm.addAlarmAction(new actions.SnsAction(this.topic));

    new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `tributary-${props.envName}`,
      widgets: [
        [
          new cloudwatch.GraphWidget({ title: 'Replication lag (max over jobs)', left: [lag], leftAnnotations: [{ value: props.lagAlarmSeconds * 1000, label: 'alarm' }] }),
          new cloudwatch.GraphWidget({ title: 'Retained WAL (max over jobs)', left: [retainedWal] }),
        ],
        [
          new cloudwatch.GraphWidget({ title: 'Rows/s', left: [workerMetric('RowsPerSecond').with({ statistic: cloudwatch.Stats.SUM })] }),
          new cloudwatch.GraphWidget({
            title: 'Worker errors by class',
            left: ['ConnectionErrors', 'OtherErrors', 'FatalErrors'].map((m) => workerMetric(m).with({ statistic: cloudwatch.Stats.SUM })),
          }),
          new cloudwatch.GraphWidget({ title: 'Job executions', left: [props.stateMachine.metricStarted(), props.stateMachine.metricSucceeded(), failed] }),
        ],
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: Object.values(this.alarms) })],
      ],
    });
  }
}
