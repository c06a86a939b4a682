import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { Stack } from 'aws-cdk-lib';
import { TributaryFunction } from './tributary-function.ts';
import type { JobSteps as JobStepFunctions } from './job-state-machine.ts';
import { clusterArns, jobSecretsArn, jobSecretsPrefix } from '../names.ts';
import { acknowledgeWildcards, nagArn } from '../nag.ts';

export type JobStepsProps = {
  envName: string;
  jobsTable: dynamodb.ITableV2;
  secretsKey: kms.IKey;
  cluster: ecs.ICluster;
  taskDefinitionFamily: string;
  containerName: string;
  /** The worker's task and execution roles: PrepareRun passes them to each job's task definition. */
  workerRoleArns: string[];
  vpc: ec2.IVpc;
  workerSecurityGroup: ec2.ISecurityGroup;
  handOverAfterDays: number;
  logRetention: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
};

// The state machine's task handlers (functions/steps/*.ts), one function each,
// each granted exactly what its step does: reading and writing job records,
// stopping the job's task, reading a job's password (ReleaseSource only, from
// inside the VPC, where sources are reachable: ReleaseSource and RunPrechecks)
// or deleting it (FinishRelease).
export class JobSteps extends Construct {
  readonly functions: JobStepFunctions;

  constructor(scope: Construct, id: string, props: JobStepsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const base = { logRetention: props.logRetention, removalPolicy: props.removalPolicy };
    // TRIBUTARY_ENVIRONMENT: a step that fails a job publishes the job's JobFailed metric (shared/alerting/job-failed-emf.ts)
    const env = { TRIBUTARY_JOBS_TABLE: props.jobsTable.tableName, TRIBUTARY_ENVIRONMENT: props.envName };
    const make = (name: string, entry: string, description: string, extra: Partial<ConstructorParameters<typeof TributaryFunction>[2]> = {}) =>
      new TributaryFunction(this, name, { entry, description, ...base, ...extra, environment: { ...env, ...extra.environment } });

    const prepareRun = make('PrepareRun', 'functions/steps/prepare-run.ts', 'Tributary job machine: decide and size the next worker launch', {
      environment: { TRIBUTARY_HAND_OVER_DAYS: String(props.handOverAfterDays), TRIBUTARY_TASK_DEFINITION: props.taskDefinitionFamily, TRIBUTARY_CONTAINER: props.containerName },
    });
    const classifyExit = make('ClassifyExit', 'functions/steps/classify-exit.ts', 'Tributary job machine: classify a worker exit against the retry windows');
    const stopWorker = make('StopWorker', 'functions/steps/stop-worker.ts', 'Tributary job machine: stop a job\'s worker task and wait for it', {
      timeout: Duration.minutes(3),
      environment: { TRIBUTARY_CLUSTER: props.cluster.clusterArn, TRIBUTARY_TASK_DEFINITION: props.taskDefinitionFamily, TRIBUTARY_CONTAINER: props.containerName },
    });
    const releaseSource = make('ReleaseSource', 'functions/steps/release-source.ts', 'Tributary job machine: drop a job\'s slot, publication and heartbeat table', {
      timeout: Duration.minutes(2),
      vpc: { vpc: props.vpc, securityGroups: [props.workerSecurityGroup] },
      environment: { TRIBUTARY_SECRETS_PREFIX: jobSecretsPrefix(props.envName) },
    });
    const finishRelease = make('FinishRelease', 'functions/steps/finish-release.ts', 'Tributary job machine: mark a job released and delete its secret', {
      environment: { TRIBUTARY_SECRETS_PREFIX: jobSecretsPrefix(props.envName), TRIBUTARY_TASK_DEFINITION: props.taskDefinitionFamily },
    });
    const runPrechecks = make('RunPrechecks', 'functions/steps/run-prechecks.ts', 'Tributary job machine: run a job\'s precheck against its source and destination', {
      timeout: Duration.minutes(2),
      memorySize: 1024,
      vpc: { vpc: props.vpc, securityGroups: [props.workerSecurityGroup] },
      environment: { TRIBUTARY_SECRETS_PREFIX: jobSecretsPrefix(props.envName) },
    });
    const reportLeftovers = make('ReportLeftovers', 'functions/steps/report-leftovers.ts', 'Tributary job machine: record what a failed cleanup left on the source');

    const jobItems = (fn: TributaryFunction, actions: string[]) => fn.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: actions.map((a) => `dynamodb:${a}`),
      resources: [props.jobsTable.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['JOB#*'] } },
    }));
    // PrepareRun lists jobs to find those sharing an endpoint (the shortest window wins)
    prepareRun.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['dynamodb:Scan'], resources: [props.jobsTable.tableArn] }));
    for (const fn of [prepareRun, classifyExit, stopWorker, finishRelease, reportLeftovers]) jobItems(fn, ['GetItem', 'PutItem']);
    jobItems(releaseSource, ['GetItem']);
    jobItems(runPrechecks, ['GetItem']);

    const cluster = clusterArns(this, props.envName);
    stopWorker.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecs:StopTask', 'ecs:DescribeTasks'], resources: [cluster.tasks] }));
    stopWorker.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ecs:ListTasks'],
      resources: [cluster.containerInstances],
      conditions: { ArnEquals: { 'ecs:cluster': props.cluster.clusterArn } },
    }));
    acknowledgeWildcards(stopWorker.role, [cluster.nagTasks, cluster.nagContainerInstances], 'Task ARNs exist only at run time: StopWorker may stop, describe and list only tasks of the worker cluster.');

    // Per-job task definitions (functions/steps/job-task-definition.ts): PrepareRun
    // registers them from the worker family and passes the worker's two roles on;
    // FinishRelease deletes them. ECS's task-definition read, list, register and
    // deregister actions take no resource ARN.
    prepareRun.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeTaskDefinition', 'ecs:RegisterTaskDefinition'], resources: ['*'] }));
    prepareRun.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ecs:TagResource'],
      resources: [stack.formatArn({ service: 'ecs', resource: 'task-definition', resourceName: `${props.taskDefinitionFamily}-*:*` })],
      conditions: { StringEquals: { 'ecs:CreateAction': 'RegisterTaskDefinition' } },
    }));
    prepareRun.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: props.workerRoleArns,
      conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    }));
    finishRelease.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecs:ListTaskDefinitions', 'ecs:DeregisterTaskDefinition'], resources: ['*'] }));
    finishRelease.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ecs:DeleteTaskDefinitions'],
      resources: [stack.formatArn({ service: 'ecs', resource: 'task-definition', resourceName: `${props.taskDefinitionFamily}-*:*` })],
    }));
    for (const fn of [prepareRun, finishRelease]) {
      acknowledgeWildcards(fn.role, ['*', nagArn('ecs', `task-definition/${props.taskDefinitionFamily}-*:*`)], 'ECS DescribeTaskDefinition, RegisterTaskDefinition, ListTaskDefinitions and DeregisterTaskDefinition support no resource-level permissions; tagging and deleting are limited to the per-job worker families, named at run time.');
    }

    const secrets = jobSecretsArn(this, props.envName);
    const viaSecretsManager = { StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` } };
    for (const reader of [releaseSource, runPrechecks]) {
      reader.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secrets] }));
      reader.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [props.secretsKey.keyArn], conditions: viaSecretsManager }));
    }
    finishRelease.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:DeleteSecret'], resources: [secrets] }));
    for (const fn of [releaseSource, runPrechecks, finishRelease]) {
      acknowledgeWildcards(fn.role, [nagArn('secretsmanager', `secret:${jobSecretsPrefix(props.envName)}*`)], 'One secret per job, named at run time under this environment\'s prefix (Secrets Manager adds a random suffix); the step reads or deletes the secret its job record names.');
    }

    this.functions = {
      prepareRun: prepareRun.fn, classifyExit: classifyExit.fn, stopWorker: stopWorker.fn,
      releaseSource: releaseSource.fn, finishRelease: finishRelease.fn, reportLeftovers: reportLeftovers.fn, runPrechecks: runPrechecks.fn,
    };
  }
}
