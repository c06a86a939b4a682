import { handle } from 'hono/aws-lambda';
import { z } from 'zod';
import { SFNClient } from '@aws-sdk/client-sfn';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { createApp } from './app.ts';
import { createDynamoClient } from '../../shared/storage/dynamo/dynamo-client.ts';
import { createDynamoJobStore } from '../../shared/storage/dynamo/dynamo-job-store.ts';
import { createDynamoUsageStore } from '../../shared/metering/dynamo-usage-store.ts';
import { createDynamoIdempotencyStore } from '../../shared/storage/dynamo/dynamo-idempotency-store.ts';
import { createDynamoApiKeyStore } from '../../shared/auth/dynamo-api-key-store.ts';
import { createSecretsManagerStore } from '../../shared/secrets/aws/secrets-manager-store.ts';
import { createEcsLauncher } from '../launcher/ecs-launcher.ts';
import { createStepFunctionsLauncher } from '../launcher/step-functions-launcher.ts';
import type { SecretStore } from '../../shared/secrets/secret-store.ts';
import { createLogger } from '../../shared/logger.ts';
import { createCloudWatchAlarms } from '../../shared/alerting/cloudwatch-alarms.ts';

// The API on Lambda: the same Hono app as the local mode (functions/api/local.ts)
// with the AWS adapters. Environment set by infra/constructs/http-api.ts.
const Env = z.object({
  TRIBUTARY_JOBS_TABLE: z.string().min(1),
  TRIBUTARY_SECRETS_PREFIX: z.string().min(1),
  TRIBUTARY_SECRETS_KEY: z.string().min(1),
  TRIBUTARY_STATE_MACHINE_ARN: z.string().startsWith('arn:'),
  TRIBUTARY_CLUSTER: z.string().min(1),
  TRIBUTARY_ENVIRONMENT: z.string().min(1),
  TRIBUTARY_ALARM_TOPIC_ARN: z.string().startsWith('arn:', 'TRIBUTARY_ALARM_TOPIC_ARN is the environment\'s alarm topic (infra/constructs/alarms.ts)'),
});
const env = Env.parse(process.env);
const dynamo = createDynamoClient();
const tableName = env.TRIBUTARY_JOBS_TABLE;
const stored = createSecretsManagerStore({ prefix: env.TRIBUTARY_SECRETS_PREFIX, kmsKeyId: env.TRIBUTARY_SECRETS_KEY, tags: { 'tributary:environment': env.TRIBUTARY_ENVIRONMENT } });

// The API role may write and delete passwords but never read them (SPEC.md §8;
// the IAM policy enforces it). Routes that need one (precheck, release) hand
// it to a dependency; on AWS those run as state-machine executions whose steps
// read the secret themselves, so the API passes the reference along, not a value.
const secrets: SecretStore = { put: stored.put, delete: stored.delete, get: async (ref) => ref };

const launcher = createStepFunctionsLauncher({
  sfn: new SFNClient({}),
  stateMachineArn: env.TRIBUTARY_STATE_MACHINE_ARN,
  // stop only: the API never launches tasks itself, so subnets are not needed here
  ecs: createEcsLauncher({ cluster: env.TRIBUTARY_CLUSTER, taskDefinition: '', containerName: 'worker', subnets: [], securityGroups: [], stopWaitMs: 15_000 }),
});


const app = createApp({
  store: createDynamoJobStore({ tableName, client: dynamo }),
  secrets,
  launcher,
  releaseSource: (job) => launcher.release(job),
  runPrechecks: (job) => launcher.precheck(job),
  log: createLogger({ component: 'api', environment: env.TRIBUTARY_ENVIRONMENT }),
  apiKeys: createDynamoApiKeyStore({ client: dynamo, tableName }),
  idempotency: createDynamoIdempotencyStore({ client: dynamo, tableName }),
  usage: createDynamoUsageStore({ client: dynamo, tableName }),
  alarms: createCloudWatchAlarms({ client: new CloudWatchClient({}), environment: env.TRIBUTARY_ENVIRONMENT, defaultTopicArn: env.TRIBUTARY_ALARM_TOPIC_ARN }),
});

export const handler = handle(app);
