import { ArnFormat, Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { jobAlarmPrefix } from '../../shared/alerting/alarms.ts';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeWildcards, nagArn } from '../nag.ts';
import { TributaryFunction } from './tributary-function.ts';
import { clusterArns, jobSecretsArn, jobSecretsPrefix } from '../names.ts';

export type HttpApiProps = {
  envName: string;
  jobsTable: dynamodb.ITableV2;
  secretsKey: kms.IKey;
  stateMachine: sfn.IStateMachine;
  stateMachineName: string;
  cluster: ecs.ICluster;
  logRetention: logs.RetentionDays;
  removalPolicy: RemovalPolicy;
  /** The environment's alarm topic: where job alarms notify unless the job names its own. */
  alarmTopic: sns.ITopic;
};

// The HTTP API: API Gateway v2 → one Lambda running the Hono app
// (functions/api/handler.ts). Authorization is a Lambda authorizer over the
// same API keys the local mode uses (functions/api/authorizer.ts), chosen over
// IAM because tenants are API-key holders, not AWS principals, and the key is
// what names the tenant; API Gateway caches its verdict per key for 5 minutes.
// The API may create, replace and delete job secrets but never read them.
export class TributaryHttpApi extends Construct {
  readonly api: apigw.HttpApi;
  readonly handler: TributaryFunction;

  constructor(scope: Construct, id: string, props: HttpApiProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const base = { logRetention: props.logRetention, removalPolicy: props.removalPolicy };
    const tableEnv = { TRIBUTARY_JOBS_TABLE: props.jobsTable.tableName };

    const authorizerFn = new TributaryFunction(this, 'Authorizer', { ...base, entry: 'functions/api/authorizer.ts', description: 'Tributary API: API key to tenant', environment: tableEnv, timeout: Duration.seconds(5) });
    authorizerFn.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['dynamodb:GetItem'], resources: [props.jobsTable.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['APIKEY#*'] } },
    }));

    this.handler = new TributaryFunction(this, 'Handler', {
      ...base,
      entry: 'functions/api/handler.ts',
      description: 'Tributary API: the Hono app',
      memorySize: 1024,
      environment: {
        ...tableEnv,
        TRIBUTARY_SECRETS_PREFIX: jobSecretsPrefix(props.envName),
        TRIBUTARY_SECRETS_KEY: props.secretsKey.keyArn,
        TRIBUTARY_STATE_MACHINE_ARN: props.stateMachine.stateMachineArn,
        TRIBUTARY_CLUSTER: props.cluster.clusterArn,
        TRIBUTARY_ENVIRONMENT: props.envName,
        TRIBUTARY_ALARM_TOPIC_ARN: props.alarmTopic.topicArn,
      },
    });
    const role = this.handler.role;
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      // UpdateItem: the idempotency store completes a request record; the index: GET /jobs queries byTenant
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Scan', 'dynamodb:Query'],
      resources: [props.jobsTable.tableArn, `${props.jobsTable.tableArn}/index/byTenant`],
    }));
    // write-only secrets: no GetSecretValue (a test asserts it stays that way)
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue', 'secretsmanager:DeleteSecret', 'secretsmanager:TagResource'],
      resources: [jobSecretsArn(this, props.envName)],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [props.secretsKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.amazonaws.com` } },
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [props.stateMachine.stateMachineArn] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['states:DescribeExecution'],
      resources: [stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${props.stateMachineName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
    }));
    const cluster = clusterArns(this, props.envName);
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecs:StopTask', 'ecs:DescribeTasks'], resources: [cluster.tasks] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ecs:ListTasks'],
      resources: [cluster.containerInstances],
      conditions: { ArnEquals: { 'ecs:cluster': props.cluster.clusterArn } },
    }));

    // each job's alarms (shared/alerting/cloudwatch-alarms.ts), by name prefix; CloudWatch publishes to the
    // topic itself (the topic's key policy allows it), so the API needs no sns:Publish
    const jobAlarms = `alarm:${jobAlarmPrefix(props.envName)}*`;
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms'],
      resources: [stack.formatArn({ service: 'cloudwatch', resource: jobAlarms, arnFormat: ArnFormat.NO_RESOURCE_NAME })],
    }));

    const authorizer = new HttpLambdaAuthorizer('ApiKey', authorizerFn.fn, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      resultsCacheTtl: Duration.minutes(5),
    });
    this.api = new apigw.HttpApi(this, 'Api', { apiName: `tributary-${props.envName}`, createDefaultStage: false, defaultAuthorizer: authorizer });
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: props.logRetention, removalPolicy: props.removalPolicy });
    new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      accessLogSettings: { destination: new apigw.LogGroupLogDestination(accessLogs), format: AccessLogFormat.jsonWithStandardFields() },
      throttle: { rateLimit: 50, burstLimit: 100 },
    });
    const integration = new HttpLambdaIntegration('Hono', this.handler.fn);
    this.api.addRoutes({ path: '/{proxy+}', methods: [apigw.HttpMethod.ANY], integration });
    const open = this.api.addRoutes({ path: '/health', methods: [apigw.HttpMethod.GET], integration, authorizer: new apigw.HttpNoneAuthorizer() })
      .concat(this.api.addRoutes({ path: '/openapi.json', methods: [apigw.HttpMethod.GET], integration, authorizer: new apigw.HttpNoneAuthorizer() }));
    for (const route of open) {
      acknowledge(route, 'AwsSolutions-APIG4', 'Health check and the public OpenAPI document are served without a key on purpose; every /jobs route requires one.');
    }
    acknowledgeWildcards(role, [
      nagArn('secretsmanager', `secret:${jobSecretsPrefix(props.envName)}*`),
      cluster.nagTasks,
      cluster.nagContainerInstances,
      nagArn('states', `execution:${props.stateMachineName}:*`),
      nagArn('cloudwatch', `alarm:${jobAlarmPrefix(props.envName)}*`),
    ], 'Named at run time, each scoped as tight as the service allows: this environment\'s job secrets (prefix; write and delete only), tasks of the worker cluster (stop), executions of the job machine (describe), this environment\'s job alarms (put and delete, by name prefix).');
  }
}
