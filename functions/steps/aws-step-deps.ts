import { z } from 'zod';
import { createDynamoJobStore } from '../../shared/storage/dynamo/dynamo-job-store.ts';
import { createSecretsManagerStore } from '../../shared/secrets/aws/secrets-manager-store.ts';
import { createLogger } from '../../shared/logger.ts';
import { createEcsLauncher } from '../launcher/ecs-launcher.ts';
import { releaseSource } from './release-source-objects.ts';
import { ECSClient } from '@aws-sdk/client-ecs';
import { jobTaskDefinition, removeJobTaskDefinitions } from './job-task-definition.ts';
import type { StepDeps } from './step-deps.ts';
import { jobFailedEmf } from '../../shared/alerting/job-failed-emf.ts';

// The step handlers' dependencies on AWS, from the Lambda's environment (set
// by infra/constructs/job-steps.ts). Each function gets only the variables and
// the IAM grants its own step uses; a missing one fails on use, by name.
const csv = z.string().transform((s) => s.split(',').filter(Boolean));
export const StepEnv = z.object({
  TRIBUTARY_JOBS_TABLE: z.string().min(1, 'TRIBUTARY_JOBS_TABLE names the DynamoDB jobs table'),
  TRIBUTARY_SECRETS_PREFIX: z.string().min(1).optional(),
  TRIBUTARY_CLUSTER: z.string().min(1).optional(),
  TRIBUTARY_TASK_DEFINITION: z.string().min(1).optional(),
  TRIBUTARY_CONTAINER: z.string().min(1).default('worker'),
  TRIBUTARY_SUBNETS: csv.default([]),
  TRIBUTARY_SECURITY_GROUPS: csv.default([]),
  TRIBUTARY_ENVIRONMENT: z.string().min(1).optional(),
  TRIBUTARY_HAND_OVER_DAYS: z.coerce.number().int().min(1).max(360).default(300),
});

export function awsStepDeps(raw: NodeJS.ProcessEnv): StepDeps {
  const env = StepEnv.parse(raw);
  const need = (value: string | undefined, name: string) => {
    if (!value) throw new Error(`${name} is not set for this step's function`);
    return value;
  };
  const secrets = env.TRIBUTARY_SECRETS_PREFIX ? createSecretsManagerStore({ prefix: env.TRIBUTARY_SECRETS_PREFIX }) : undefined;
  const launcher = env.TRIBUTARY_CLUSTER
    ? createEcsLauncher({
      cluster: env.TRIBUTARY_CLUSTER,
      taskDefinition: need(env.TRIBUTARY_TASK_DEFINITION, 'TRIBUTARY_TASK_DEFINITION'),
      containerName: env.TRIBUTARY_CONTAINER,
      subnets: env.TRIBUTARY_SUBNETS,
      securityGroups: env.TRIBUTARY_SECURITY_GROUPS,
    })
    : undefined;
  let ecs: ECSClient | undefined;
  return {
    store: createDynamoJobStore({ tableName: env.TRIBUTARY_JOBS_TABLE }),
    get secrets() {
      if (!secrets) throw new Error("TRIBUTARY_SECRETS_PREFIX is not set for this step's function");
      return secrets;
    },
    stopWorker: (jobId) => {
      if (!launcher) throw new Error("TRIBUTARY_CLUSTER is not set for this step's function");
      return launcher.stop(jobId);
    },
    releaseSource,
    jobTaskDefinition: (job) => {
      ecs ??= new ECSClient({});
      return jobTaskDefinition({ ecs, baseFamily: need(env.TRIBUTARY_TASK_DEFINITION, 'TRIBUTARY_TASK_DEFINITION'), containerName: env.TRIBUTARY_CONTAINER }, job);
    },
    removeJobTaskDefinitions: (jobId) => {
      ecs ??= new ECSClient({});
      return removeJobTaskDefinitions({ ecs, baseFamily: need(env.TRIBUTARY_TASK_DEFINITION, 'TRIBUTARY_TASK_DEFINITION') }, jobId);
    },
    log: createLogger({ component: 'steps' }),
    now: Date.now,
    random: Math.random,
    handOverAfterDays: env.TRIBUTARY_HAND_OVER_DAYS,
    // an EMF line on stdout: Lambda ships it to CloudWatch Logs, which extracts the metric
    ...(env.TRIBUTARY_ENVIRONMENT ? { reportFailed: (jobId: string) => void process.stdout.write(`${jobFailedEmf(env.TRIBUTARY_ENVIRONMENT!, jobId, new Date())}\n`) } : {}),
  };
}
