import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { acknowledge, acknowledgeWildcards, nagArn } from '../nag.ts';
import type { EnvironmentConfig } from '../config.ts';
import { fargateSizeFor } from '../../functions/steps/fargate-size.ts';
import { REPO_ROOT } from '../constructs/tributary-function.ts';
import { jobSecretsArn, jobSecretsPrefix, workerClusterName, workerFamily } from '../names.ts';

export type WorkerStackProps = StackProps & {
  envName: string;
  config: EnvironmentConfig;
  jobsTable: dynamodb.ITableV2;
  secretsKey: kms.IKey;
};

// Where workers run: a VPC whose private subnets reach sources and brokers
// through NAT, an ECS cluster, and the Fargate task definition built from
// worker/Dockerfile. The state machine runs one task per job, sized per job
// by RunTask overrides; the definition's own size is the default job's.
export class WorkerStack extends Stack {
  readonly vpc: ec2.Vpc;
  readonly cluster: ecs.Cluster;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly container: ecs.ContainerDefinition;
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: WorkerStackProps) {
    super(scope, id, props);
    const { config, envName } = props;
    const removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const retention = config.logRetentionDays as logs.RetentionDays;

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: config.natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'workers', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      ],
      flowLogs: {
        rejected: { destination: ec2.FlowLogDestination.toCloudWatchLogs(new logs.LogGroup(this, 'FlowLogs', { retention, removalPolicy })), trafficType: ec2.FlowLogTrafficType.REJECT },
      },
    });
    // Workers only connect out (PostgreSQL, Kafka, AWS APIs); nothing connects in.
    this.securityGroup = new ec2.SecurityGroup(this, 'WorkerSg', { vpc: this.vpc, description: 'Tributary workers: egress only', allowAllOutbound: true });

    this.cluster = new ecs.Cluster(this, 'Cluster', { clusterName: workerClusterName(envName), vpc: this.vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });

    const size = fargateSizeFor({ cpuCores: 2 });
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Worker', {
      family: workerFamily(envName),
      cpu: Number(size.cpu),
      memoryLimitMiB: Number(size.memoryMiB),
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    const logGroup = new logs.LogGroup(this, 'WorkerLogs', { retention, removalPolicy });
    this.container = this.taskDefinition.addContainer('worker', {
      containerName: 'worker',
      image: ecs.ContainerImage.fromAsset(REPO_ROOT, { file: 'worker/Dockerfile' }),
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'worker' }),
      // SIGTERM → SIGKILL: the worker delivers what it read, saves and acknowledges before it exits
      stopTimeout: Duration.seconds(config.workerStopTimeoutSeconds),
      readonlyRootFilesystem: true,
      environment: {
        TRIBUTARY_JOBS_TABLE: props.jobsTable.tableName,
        TRIBUTARY_RETRY: 'exit',
        TRIBUTARY_ENVIRONMENT: envName,
      },
    });

    const taskRole = this.taskDefinition.taskRole;
    taskRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      resources: [props.jobsTable.tableArn],
      // only job partitions: never API keys or idempotency records kept in the same table
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['JOB#*'] } },
    }));
    // metering: usage records are idempotent counters (shared/metering/dynamo-usage-store.ts), written with UpdateItem
    taskRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['dynamodb:UpdateItem'],
      resources: [props.jobsTable.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['USAGE#*'] } },
    }));
    // The passwords: each job runs from its own task definition whose `secrets`
    // ECS reads with the execution role at task start and hands to that job's
    // container (functions/steps/job-task-definition.ts). The task role, which
    // the worker's code holds for the task's whole life, reads no secret.
    const executionRole = this.taskDefinition.obtainExecutionRole();
    executionRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [jobSecretsArn(this, envName)] }));
    executionRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [props.secretsKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${this.region}.amazonaws.com` } },
    }));

    acknowledgeWildcards(executionRole, [nagArn('secretsmanager', `secret:${jobSecretsPrefix(envName)}*`)], 'The ECS agent injects each job\'s secrets into that job\'s task only (per-job task definitions); secret names are per job under this environment\'s prefix, with the random suffix Secrets Manager adds.');
    acknowledge(this.taskDefinition, 'AwsSolutions-ECS2', 'The environment holds names only (table, retry mode, environment); passwords arrive as ECS secrets from Secrets Manager.');
    acknowledge(executionRole, 'AwsSolutions-IAM5[Resource::*]', 'CDK\'s execution role: ecr:GetAuthorizationToken supports no resource-level permission.');
  }
}
