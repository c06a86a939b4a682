import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config.ts';
import type { WorkerStack } from './worker-stack.ts';
import { JobSteps } from '../constructs/job-steps.ts';
import { JobStateMachine } from '../constructs/job-state-machine.ts';
import { TributaryHttpApi } from '../constructs/http-api.ts';
import { TributaryAlarms } from '../constructs/alarms.ts';
import { stateMachineName } from '../names.ts';

export type ControlPlaneStackProps = StackProps & {
  envName: string;
  config: EnvironmentConfig;
  jobsTable: dynamodb.ITableV2;
  secretsKey: kms.IKey;
  workers: WorkerStack;
};

// The stateless half: the HTTP API, the job state machine with its task
// handlers, the alarms and the dashboard. Safe to destroy and redeploy: all
// state is in the StateStack, all running workers in the WorkerStack's cluster.
export class ControlPlaneStack extends Stack {
  readonly stateMachine: JobStateMachine;
  readonly api: TributaryHttpApi;
  readonly alarms: TributaryAlarms;

  constructor(scope: Construct, id: string, props: ControlPlaneStackProps) {
    super(scope, id, props);
    const { config, envName, workers } = props;
    const common = { logRetention: config.logRetentionDays as logs.RetentionDays, removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY };
    const name = stateMachineName(envName);

    const steps = new JobSteps(this, 'Steps', {
      ...common,
      envName,
      jobsTable: props.jobsTable,
      secretsKey: props.secretsKey,
      cluster: workers.cluster,
      taskDefinitionFamily: workers.taskDefinition.family,
      workerRoleArns: [workers.taskDefinition.taskRole.roleArn, workers.taskDefinition.obtainExecutionRole().roleArn],
      containerName: workers.container.containerName,
      vpc: workers.vpc,
      workerSecurityGroup: workers.securityGroup,
      handOverAfterDays: config.handOverAfterDays,
    });
    this.stateMachine = new JobStateMachine(this, 'JobMachine', {
      ...common,
      envName,
      stateMachineName: name,
      workerRestartDays: config.workerRestartDays,
      steps: steps.functions,
      cluster: workers.cluster,
      taskDefinition: workers.taskDefinition,
      containerName: workers.container.containerName,
      subnets: workers.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnets,
      securityGroup: workers.securityGroup,
    });
    // before the API: the job alarms the API creates notify this environment's topic by default
    this.alarms = new TributaryAlarms(this, 'Alarms', {
      envName,
      lagAlarmSeconds: config.lagAlarmSeconds,
      retainedWalAlarmGiB: config.retainedWalAlarmGiB,
      alarmEmail: config.alarmEmail,
      stateMachine: this.stateMachine.stateMachine,
    });
    this.api = new TributaryHttpApi(this, 'Api', {
      ...common,
      envName,
      jobsTable: props.jobsTable,
      secretsKey: props.secretsKey,
      stateMachine: this.stateMachine.stateMachine,
      stateMachineName: name,
      cluster: workers.cluster,
      alarmTopic: this.alarms.topic,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.api.apiEndpoint });
    new CfnOutput(this, 'StateMachineArn', { value: this.stateMachine.stateMachine.stateMachineArn });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });
  }
}
