import { Stack, ArnFormat } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

// Names shared by several stacks and by the code the stacks configure.

/** Job secrets live under this prefix (shared/secrets/aws/secrets-manager-store.ts). */
export const jobSecretsPrefix = (envName: string) => `tributary/${envName}/jobs/`;

/** Every job secret of the environment; Secrets Manager appends a random 6-character suffix to each name. */
export function jobSecretsArn(scope: Construct, envName: string): string {
  return Stack.of(scope).formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${jobSecretsPrefix(envName)}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}

export const stateMachineName = (envName: string) => `tributary-${envName}-job`;
export const workerClusterName = (envName: string) => `tributary-${envName}`;
export const workerFamily = (envName: string) => `tributary-${envName}-worker`;

/** ARNs of the worker cluster's tasks and container instances, by name (no cross-stack token in the policy). */
export function clusterArns(scope: Construct, envName: string) {
  const stack = Stack.of(scope);
  const cluster = workerClusterName(envName);
  return {
    tasks: stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${cluster}/*` }),
    containerInstances: stack.formatArn({ service: 'ecs', resource: 'container-instance', resourceName: `${cluster}/*` }),
    nagTasks: `arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task/${cluster}/*`,
    nagContainerInstances: `arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:container-instance/${cluster}/*`,
  };
}
