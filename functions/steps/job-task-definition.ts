import {
  DeleteTaskDefinitionsCommand, DeregisterTaskDefinitionCommand, DescribeTaskDefinitionCommand, ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand, type ContainerDefinition, type ECSClient, type TaskDefinition,
} from '@aws-sdk/client-ecs';
import type { JobRecord } from '../../shared/job/job-record.ts';

// Each job's worker runs from its own task definition: the deployed worker
// definition's latest revision plus the job's secrets as ECS `secrets`. ECS
// reads them with the execution role when the task starts and hands them to
// the container as environment variables, so the worker's task role reads no
// secret at all, and a worker holds only its own job's passwords. (A task
// role carries no per-task session tags, so scoping the task role itself to
// one job's secret would need a role per job.)
import { DESTINATION_PASSWORD_ENV, SOURCE_PASSWORD_ENV } from '../../shared/secrets/injected-secrets.ts';

export const jobFamily = (baseFamily: string, jobId: string) => `${baseFamily}-${jobId}`;

/** The secrets a job's worker gets, by environment variable; the values are secret names, never values. */
export function jobSecrets(job: JobRecord): Array<{ name: string; valueFrom: string }> {
  const out = [{ name: SOURCE_PASSWORD_ENV, valueFrom: job.source.passwordRef }];
  const destinationRef = (job.destination as { passwordRef?: string }).passwordRef;
  if (destinationRef) out.push({ name: DESTINATION_PASSWORD_ENV, valueFrom: destinationRef });
  return out;
}

export type JobTaskDefinitionOptions = { ecs: ECSClient; baseFamily: string; containerName: string };

/** The ARN of a task definition for this job, registering a revision only when the base or the secrets changed. */
export async function jobTaskDefinition(opts: JobTaskDefinitionOptions, job: JobRecord): Promise<string> {
  const base = (await opts.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: opts.baseFamily }))).taskDefinition;
  if (!base?.containerDefinitions?.some((c) => c.name === opts.containerName)) {
    throw new Error(`task definition ${opts.baseFamily} has no container named ${opts.containerName}`);
  }
  const secrets = jobSecrets(job);
  const containerDefinitions: ContainerDefinition[] = base.containerDefinitions.map((c) =>
    c.name !== opts.containerName ? c : { ...c, secrets: [...(c.secrets ?? []).filter((s) => !secrets.some((x) => x.name === s.name)), ...secrets] });
  const wanted = {
    family: jobFamily(opts.baseFamily, job.id),
    containerDefinitions,
    taskRoleArn: base.taskRoleArn,
    executionRoleArn: base.executionRoleArn,
    networkMode: base.networkMode,
    requiresCompatibilities: base.requiresCompatibilities,
    cpu: base.cpu,
    memory: base.memory,
    runtimePlatform: base.runtimePlatform,
    volumes: base.volumes,
    ephemeralStorage: base.ephemeralStorage,
  };
  const current = await opts.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: wanted.family })).then((o) => o.taskDefinition, (err: Error) => {
    if (err.name === 'ClientException') return undefined; // no revision yet
    throw err;
  });
  if (current?.status === 'ACTIVE' && sameDefinition(current, wanted)) return current.taskDefinitionArn!;
  const out = await opts.ecs.send(new RegisterTaskDefinitionCommand({ ...wanted, tags: [{ key: 'tributary:job-id', value: job.id }] }));
  return out.taskDefinition!.taskDefinitionArn!;
}

const comparable = (d: Partial<TaskDefinition>) => JSON.stringify({
  containerDefinitions: d.containerDefinitions, taskRoleArn: d.taskRoleArn, executionRoleArn: d.executionRoleArn,
  cpu: d.cpu, memory: d.memory, runtimePlatform: d.runtimePlatform,
});
const sameDefinition = (a: Partial<TaskDefinition>, b: Partial<TaskDefinition>) => comparable(a) === comparable(b);

/** Release: deregisters and deletes every revision of the job's task definition; returns how many there were. */
export async function removeJobTaskDefinitions(opts: Pick<JobTaskDefinitionOptions, 'ecs' | 'baseFamily'>, jobId: string): Promise<number> {
  const family = jobFamily(opts.baseFamily, jobId);
  const arns: string[] = [];
  for (const status of ['ACTIVE', 'INACTIVE'] as const) {
    let nextToken: string | undefined;
    do {
      const page = await opts.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family, status, nextToken }));
      // familyPrefix is a prefix: keep this family's revisions only
      for (const arn of page.taskDefinitionArns ?? []) if (arn.endsWith(`/${family}:${arn.split(':').pop()}`)) arns.push(arn);
      nextToken = page.nextToken;
    } while (nextToken);
  }
  for (const arn of arns) {
    await opts.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn })).catch((err: Error) => {
      if (err.name !== 'ClientException') throw err; // already inactive
    });
  }
  for (let i = 0; i < arns.length; i += 10) await opts.ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: arns.slice(i, i + 10) }));
  return arns.length;
}
