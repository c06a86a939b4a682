import { describe, expect, it, beforeEach } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DeleteTaskDefinitionsCommand, DeregisterTaskDefinitionCommand, DescribeTaskDefinitionCommand, ECSClient, ListTaskDefinitionsCommand, RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { jobTaskDefinition, removeJobTaskDefinitions } from '../../../../functions/steps/job-task-definition.ts';
import type { JobRecord } from '../../../../shared/job/job-record.ts';

// No ECS API runs here: the adapter is checked against the exact calls it makes.
const ecs = mockClient(ECSClient);
beforeEach(() => ecs.reset());

const base = {
  taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/tributary-dev-worker:7',
  family: 'tributary-dev-worker', status: 'ACTIVE' as const,
  taskRoleArn: 'arn:aws:iam::123456789012:role/task', executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
  networkMode: 'awsvpc' as const, requiresCompatibilities: ['FARGATE' as const], cpu: '2048', memory: '8192',
  containerDefinitions: [{ name: 'worker', image: 'repo/worker:abc', environment: [{ name: 'TRIBUTARY_RETRY', value: 'exit' }] }],
};
const job = { id: 'j0123456789abcdef', source: { passwordRef: 'tributary/dev/jobs/j0123456789abcdef/source-password' }, destination: { type: 'kafka' } } as unknown as JobRecord;
const opts = { ecs: new ECSClient({ region: 'eu-west-1' }), baseFamily: 'tributary-dev-worker', containerName: 'worker' };

describe('per-job task definitions', () => {
  it('registers the base revision plus the job\'s secret under the job\'s family, with the same roles and size', async () => {
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: 'tributary-dev-worker' }).resolves({ taskDefinition: base });
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: 'tributary-dev-worker-j0123456789abcdef' }).rejects(Object.assign(new Error('Unable to describe task definition.'), { name: 'ClientException' }));
    ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: 'arn:…/tributary-dev-worker-j0123456789abcdef:1' } });
    expect(await jobTaskDefinition(opts, job)).toBe('arn:…/tributary-dev-worker-j0123456789abcdef:1');
    const input = ecs.commandCalls(RegisterTaskDefinitionCommand)[0].args[0].input;
    expect(input).toMatchObject({
      family: 'tributary-dev-worker-j0123456789abcdef', taskRoleArn: base.taskRoleArn, executionRoleArn: base.executionRoleArn, cpu: '2048', memory: '8192',
      tags: [{ key: 'tributary:job-id', value: job.id }],
    });
    expect(input.containerDefinitions![0]).toMatchObject({
      image: 'repo/worker:abc',
      secrets: [{ name: 'TRIBUTARY_SOURCE_PASSWORD', valueFrom: 'tributary/dev/jobs/j0123456789abcdef/source-password' }],
    });
  });

  it('reuses the job\'s latest revision while nothing changed, and registers again for a new worker image', async () => {
    const registered = { ...base, family: 'tributary-dev-worker-j0123456789abcdef', taskDefinitionArn: 'arn:…:3', containerDefinitions: [{ ...base.containerDefinitions[0], secrets: [{ name: 'TRIBUTARY_SOURCE_PASSWORD', valueFrom: job.source.passwordRef }] }] };
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: 'tributary-dev-worker' }).resolves({ taskDefinition: base });
    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: 'tributary-dev-worker-j0123456789abcdef' }).resolves({ taskDefinition: registered });
    expect(await jobTaskDefinition(opts, job)).toBe('arn:…:3');
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);

    ecs.on(DescribeTaskDefinitionCommand, { taskDefinition: 'tributary-dev-worker' }).resolves({ taskDefinition: { ...base, containerDefinitions: [{ ...base.containerDefinitions[0], image: 'repo/worker:def' }] } });
    ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: 'arn:…:4' } });
    expect(await jobTaskDefinition(opts, job)).toBe('arn:…:4');
  });

  it('refuses a base definition without the worker container, naming both', async () => {
    ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { ...base, containerDefinitions: [{ name: 'other' }] } });
    await expect(jobTaskDefinition(opts, job)).rejects.toThrow('task definition tributary-dev-worker has no container named worker');
  });

  it('release deregisters and deletes every revision of the job\'s family only', async () => {
    ecs.on(ListTaskDefinitionsCommand, { familyPrefix: 'tributary-dev-worker-j0123456789abcdef', status: 'ACTIVE' }).resolves({
      taskDefinitionArns: ['arn:aws:ecs:eu-west-1:1:task-definition/tributary-dev-worker-j0123456789abcdef:2', 'arn:aws:ecs:eu-west-1:1:task-definition/tributary-dev-worker-j0123456789abcdef0:1'],
    });
    ecs.on(ListTaskDefinitionsCommand, { familyPrefix: 'tributary-dev-worker-j0123456789abcdef', status: 'INACTIVE' }).resolves({ taskDefinitionArns: ['arn:aws:ecs:eu-west-1:1:task-definition/tributary-dev-worker-j0123456789abcdef:1'] });
    ecs.on(DeregisterTaskDefinitionCommand).resolves({});
    ecs.on(DeleteTaskDefinitionsCommand).resolves({});
    expect(await removeJobTaskDefinitions(opts, job.id)).toBe(2);
    expect(ecs.commandCalls(DeleteTaskDefinitionsCommand)[0].args[0].input.taskDefinitions).toEqual([
      'arn:aws:ecs:eu-west-1:1:task-definition/tributary-dev-worker-j0123456789abcdef:2',
      'arn:aws:ecs:eu-west-1:1:task-definition/tributary-dev-worker-j0123456789abcdef:1',
    ]);
  });
});
