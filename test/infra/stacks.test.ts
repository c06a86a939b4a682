import { TENANT_INDEX } from '../../shared/storage/dynamo/create-tables.ts';
import { describe, expect, it } from 'vitest';
import { App, Stack } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Match } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/app.ts';
import { cdkContext, synthApp, templateOf } from './support/synth.ts';

// Template assertions on the resources issue 7 asks for, and on IAM scoping.
// One synthesis of every environment (with cdk-nag: it throws on any finding).
const app = synthApp();
const t = (env: string, stack: 'State' | 'Workers' | 'ControlPlane') => templateOf(app, `Tributary-${env}-${stack}`);
type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };
const statementsOf = (template: ReturnType<typeof t>, roleLogicalIdPrefix: string): Statement[] =>
  Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith(roleLogicalIdPrefix))
    .flatMap(([, p]) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement);
const actionsOf = (statements: Statement[]) => statements.flatMap((s) => [s.Action].flat());

describe('stacks per environment', () => {
  it('builds State, Workers and ControlPlane for dev, staging and prod, cdk-nag clean', () => {
    expect(app.node.children.filter((c) => Stack.isStack(c)).map((c) => c.node.id).sort()).toEqual(
      ['dev', 'prod', 'staging'].flatMap((e) => ['ControlPlane', 'State', 'Workers'].map((s) => `Tributary-${e}-${s}`)).sort(),
    );
  });

  it('cdk-nag fails synthesis on an unacknowledged finding', () => {
    const bad = buildApp(new App({ context: { ...cdkContext, 'tributary:environments': { dev: cdkContext['tributary:environments'].dev }, 'aws:cdk:bundling-stacks': [] } }));
    // an SNS topic without TLS enforcement: AwsSolutions-SNS3
    new Topic(bad.node.findChild('Tributary-dev-State') as Stack, 'Unencrypted');
    expect(() => bad.synth()).toThrow(/Tributary-dev-State\/Unencrypted\/Resource[\s\S]*AwsSolutions-SNS3/);
  });

  it('state: prod keeps its data (PITR, deletion protection, retained table and key); dev can be torn down', () => {
    const prod = t('prod', 'State');
    prod.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        Replicas: [{ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, DeletionProtectionEnabled: true }],
      },
    });
    prod.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true } });
    t('dev', 'State').hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Delete' });
  });

  it('state: the tenant index lists one tenant\'s jobs without a scan, with the key the job store queries', () => {
    t('prod', 'State').hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      GlobalSecondaryIndexes: [{ IndexName: TENANT_INDEX, KeySchema: [{ AttributeName: 'tenantId', KeyType: 'HASH' }, { AttributeName: 'pk', KeyType: 'RANGE' }] }],
    });
  });

  it('a bad environment config fails with the field name', () => {
    const bad = { ...cdkContext, 'tributary:environments': { dev: { ...cdkContext['tributary:environments'].dev, region: 'Europe' } } };
    expect(() => buildApp(new App({ context: bad }))).toThrow(/tributary:environments\.dev\.region: region looks like eu-west-1/);
  });

  it('state: the secrets key serves Secrets Manager only; outputs for the other stacks', () => {
    const s = t('prod', 'State');
    s.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'UseThroughSecretsManagerOnly', Condition: { StringEquals: Match.objectLike({ 'kms:ViaService': Match.anyValue() }) } })]) },
    });
    s.hasOutput('JobsTableName', {});
  });

  it('workers: Fargate task from worker/Dockerfile, 2 vCPU / 8 GB default, stopTimeout, retry mode exit, log retention', () => {
    const w = t('prod', 'Workers');
    w.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Family: 'tributary-prod-worker', Cpu: '2048', Memory: '8192', RequiresCompatibilities: ['FARGATE'],
      ContainerDefinitions: [Match.objectLike({
        Name: 'worker', StopTimeout: 120, ReadonlyRootFilesystem: true,
        Environment: Match.arrayWith([{ Name: 'TRIBUTARY_RETRY', Value: 'exit' }]),
        LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }),
      })],
    });
    w.hasResourceProperties('AWS::ECS::Cluster', { ClusterName: 'tributary-prod', ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }] });
    w.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 365 }, 2); // worker logs, flow logs
    t('dev', 'Workers').resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 7 }, 2);
    // the worker's task role reads only job items and no secret at all: each job's passwords
    // reach its own task as ECS secrets, read by the execution role at task start
    const taskStatements = statementsOf(w, 'WorkerTaskRoleDefaultPolicy');
    expect(actionsOf(taskStatements).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    // UpdateItem only for usage counters (metering), reads and writes only for job items
    expect(taskStatements.find((s) => s.Action === 'dynamodb:UpdateItem')?.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['USAGE#*'] } });
    const execution = statementsOf(w, 'WorkerExecutionRoleDefaultPolicy');
    expect(execution.find((s) => s.Action === 'secretsmanager:GetSecretValue')?.Resource).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':secret:tributary/prod/jobs/*']],
    });
    expect(JSON.stringify(w.findResources('AWS::ECS::TaskDefinition'))).not.toContain('TRIBUTARY_SECRETS_PREFIX');
  });

  it('PrepareRun registers per-job task definitions passing only the worker roles; FinishRelease deletes only those', () => {
    const c = t('prod', 'ControlPlane');
    const prepare = statementsOf(c, 'StepsPrepareRunRoleDefaultPolicy');
    expect(actionsOf(prepare)).toEqual(expect.arrayContaining(['ecs:DescribeTaskDefinition', 'ecs:RegisterTaskDefinition', 'ecs:TagResource', 'iam:PassRole']));
    const pass = prepare.find((s) => s.Action === 'iam:PassRole')!;
    expect(pass.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
    expect(JSON.stringify(pass.Resource)).toMatch(/WorkerTaskRole.*WorkerExecutionRole|WorkerExecutionRole.*WorkerTaskRole/);
    expect(actionsOf(prepare)).not.toContain('secretsmanager:GetSecretValue');
    const finish = statementsOf(c, 'StepsFinishReleaseRoleDefaultPolicy');
    expect(JSON.stringify(finish.find((s) => s.Action === 'ecs:DeleteTaskDefinitions')!.Resource)).toContain(':task-definition/tributary-prod-worker-*:*');
  });

  it('control plane: HTTP API with a Lambda authorizer on every /jobs route, access logs, nodejs24.x functions', () => {
    const c = t('prod', 'ControlPlane');
    c.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { AuthorizerType: 'REQUEST', EnableSimpleResponses: true, IdentitySource: ['$request.header.Authorization'], AuthorizerResultTtlInSeconds: 300 });
    c.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'ANY /{proxy+}', AuthorizationType: 'CUSTOM' });
    c.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /health', AuthorizationType: 'NONE' });
    c.hasResourceProperties('AWS::ApiGatewayV2::Stage', { StageName: '$default', AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }) });
    const functions = Object.values(c.findResources('AWS::Lambda::Function')) as Array<{ Properties: { Runtime: string; Architectures: string[] } }>;
    expect(functions.length).toBe(9); // API, authorizer, 7 steps
    expect(new Set(functions.map((f) => f.Properties.Runtime))).toEqual(new Set(['nodejs24.x']));
  });

  it('the API can write and delete job secrets but never read one', () => {
    const api = actionsOf(statementsOf(t('prod', 'ControlPlane'), 'ApiHandlerRoleDefaultPolicy'));
    expect(api).toEqual(expect.arrayContaining(['secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue', 'secretsmanager:DeleteSecret', 'states:StartExecution']));
    expect(api).not.toContain('secretsmanager:GetSecretValue');
    // every DynamoDB call the API makes: idempotency completes with UpdateItem, GET /jobs queries the tenant index
    expect(api).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query']));
    const dynamo = statementsOf(t('prod', 'ControlPlane'), 'ApiHandlerRoleDefaultPolicy').find((s) => Array.isArray(s.Action) && s.Action.includes('dynamodb:Query'))!;
    expect(JSON.stringify(dynamo.Resource)).toContain('/index/byTenant');
    expect(api.filter((a) => a.startsWith('ecs:')).sort()).toEqual(['ecs:DescribeTasks', 'ecs:ListTasks', 'ecs:StopTask']); // stop only, never RunTask
  });

  it('only ReleaseSource and RunPrechecks may read job secrets; only FinishRelease deletes them', () => {
    const c = t('prod', 'ControlPlane');
    const readers = Object.entries(c.findResources('AWS::IAM::Policy'))
      .filter(([, p]) => JSON.stringify(p).includes('secretsmanager:GetSecretValue')).map(([id]) => id.replace(/RoleDefaultPolicy.*/, ''));
    expect(readers.sort()).toEqual(['StepsReleaseSource', 'StepsRunPrechecks']);
    const deleters = Object.entries(c.findResources('AWS::IAM::Policy'))
      .filter(([, p]) => JSON.stringify(p).includes('secretsmanager:DeleteSecret')).map(([id]) => id.replace(/RoleDefaultPolicy.*/, ''));
    expect(deleters.sort()).toEqual(['ApiHandler', 'StepsFinishRelease']);
  });

  it('the state machine runs only the worker family in its cluster and stops only the cluster\'s tasks', () => {
    const c = t('prod', 'ControlPlane');
    const sm = statementsOf(c, 'JobMachineStateMachineRoleDefaultPolicy');
    const run = sm.find((s) => s.Action === 'ecs:RunTask')!;
    expect(JSON.stringify(run.Resource)).toContain(':task-definition/tributary-prod-worker-*:*'); // the per-job families
    c.hasResourceProperties('AWS::StepFunctions::StateMachine', { DefinitionString: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp('"TaskDefinition.\\$":"\\$.run.taskDefinition"')])]) }) });
    expect(run.Condition).toEqual({ ArnEquals: { 'ecs:cluster': { 'Fn::ImportValue': expect.stringContaining('Tributary-prod-Workers:') } } });
    const stop = sm.find((s) => [s.Action].flat().includes('ecs:StopTask'))!;
    expect(JSON.stringify(stop.Resource)).toContain(':task/tributary-prod/*');
    const pass = sm.find((s) => s.Action === 'iam:PassRole')!;
    expect(pass.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
    for (const s of sm.filter((st) => [st.Action].flat().some((a) => a.startsWith('ecs:')))) expect(s.Resource).not.toBe('*');
    c.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'tributary-prod-job', StateMachineType: 'STANDARD', TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL' }),
    });
  });

  it('alarms on lag, retained WAL and job failures notify the environment\'s encrypted topic; a dashboard', () => {
    const c = t('prod', 'ControlPlane');
    c.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'tributary-prod-alarms', KmsMasterKeyId: Match.anyValue() });
    c.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ReplicationLag', Namespace: 'Tributary', Threshold: 60_000, Dimensions: [{ Name: 'Environment', Value: 'prod' }], AlarmActions: [Match.anyValue()] });
    c.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'RetainedWalBytes', Threshold: 50 * 2 ** 30 });
    c.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ExecutionsFailed', Namespace: 'AWS/States', Threshold: 1 });
    t('dev', 'ControlPlane').hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ReplicationLag', Threshold: 300_000 });
    c.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('the API puts and deletes only this environment\'s job alarms, defaulting to the environment\'s topic; failing steps publish JobFailed', () => {
    const c = t('prod', 'ControlPlane');
    const api = statementsOf(c, 'ApiHandlerRoleDefaultPolicy');
    const alarms = api.filter((s) => actionsOf([s]).some((a) => a.startsWith('cloudwatch:')));
    expect(alarms).toHaveLength(1);
    expect([alarms[0].Action].flat().sort()).toEqual(['cloudwatch:DeleteAlarms', 'cloudwatch:PutMetricAlarm']);
    expect(alarms[0].Resource).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':alarm:tributary-prod-job-*']],
    });
    const topic = Object.keys(c.findResources('AWS::SNS::Topic', { Properties: { TopicName: 'tributary-prod-alarms' } }))[0];
    c.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Tributary API: the Hono app',
      Environment: { Variables: Match.objectLike({ TRIBUTARY_ALARM_TOPIC_ARN: { Ref: topic }, TRIBUTARY_ENVIRONMENT: 'prod' }) },
    });
    for (const description of ['Tributary job machine: classify a worker exit against the retry windows', 'Tributary job machine: decide and size the next worker launch']) {
      c.hasResourceProperties('AWS::Lambda::Function', { Description: description, Environment: { Variables: Match.objectLike({ TRIBUTARY_ENVIRONMENT: 'prod' }) } });
    }
  });

  it('a config that could outlive a Standard execution is refused with the field name', () => {
    const envs = { dev: { ...cdkContext['tributary:environments'].dev, handOverAfterDays: 350, workerRestartDays: 20 } };
    expect(() => buildApp(new App({ context: { ...cdkContext, 'tributary:environments': envs } }))).toThrow(/tributary:environments\.dev\.handOverAfterDays: handOverAfterDays \+ workerRestartDays must stay under 365/);
  });
});
