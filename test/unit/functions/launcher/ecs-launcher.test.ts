import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeTasksCommand, ECSClient, ListTasksCommand, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { createEcsLauncher, STOP_REASON_PREFIX, StillStopping } from '../../../../functions/launcher/ecs-launcher.ts';

const ecs = mockClient(ECSClient);
const JOB = '0d9c1a5e-6f1b-4a57-9a2e-3f7c8e1b2a90';
const TASK = 'arn:aws:ecs:eu-west-1:123456789012:task/tributary-dev/abc';

const launcher = (over: Partial<Parameters<typeof createEcsLauncher>[0]> = {}) => createEcsLauncher({
  client: new ECSClient({ region: 'eu-west-1' }),
  cluster: 'tributary-dev',
  taskDefinition: 'tributary-dev-worker',
  containerName: 'worker',
  subnets: ['subnet-a', 'subnet-b'],
  securityGroups: ['sg-1'],
  sleep: async () => undefined,
  ...over,
});

beforeEach(() => ecs.reset());

describe('ECS launcher', () => {
  it('launch: RunTask with the cluster, family, private network, job id env and startedBy', async () => {
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK }], failures: [] });
    const l = launcher({ sizeOf: async () => ({ cpu: '4096', memoryMiB: '12288', vCpu: 4, memoryGiB: 12 }) });
    await l.launch(JOB);

    expect(ecs.commandCalls(RunTaskCommand)[0].args[0].input).toEqual({
      cluster: 'tributary-dev',
      taskDefinition: 'tributary-dev-worker',
      launchType: 'FARGATE',
      count: 1,
      startedBy: JOB,
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-a', 'subnet-b'], securityGroups: ['sg-1'], assignPublicIp: 'DISABLED' } },
      overrides: { cpu: '4096', memory: '12288', containerOverrides: [{ name: 'worker', environment: [{ name: 'TRIBUTARY_JOB_ID', value: JOB }] }] },
      tags: [{ key: 'tributary:job-id', value: JOB }],
      propagateTags: 'TASK_DEFINITION',
    });
    expect(ecs.commandCalls(ListTasksCommand)[0].args[0].input).toEqual({ cluster: 'tributary-dev', startedBy: JOB, desiredStatus: 'RUNNING' });
    expect(l.isRunning(JOB)).toBe(true);
  });

  it('launch refuses a second worker for a job whose task still runs', async () => {
    ecs.on(ListTasksCommand).resolves({ taskArns: [TASK] });
    await expect(launcher().launch(JOB)).rejects.toThrow(`a worker for job ${JOB} is already running (${TASK})`);
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  it('launch reports ECS failures (capacity, bad subnet) instead of pretending', async () => {
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: 'RESOURCE:ENI', detail: 'no free IPs' }] });
    await expect(launcher().launch(JOB)).rejects.toThrow('ECS could not start a worker for job ' + JOB + ': RESOURCE:ENI (no free IPs)');
  });

  it('stop: StopTask with Tributary\'s reason, then waits until ECS reports STOPPED', async () => {
    ecs.on(ListTasksCommand).resolves({ taskArns: [TASK] });
    ecs.on(StopTaskCommand).resolves({});
    ecs.on(DescribeTasksCommand)
      .resolvesOnce({ tasks: [{ taskArn: TASK, lastStatus: 'DEACTIVATING' }] })
      .resolvesOnce({ tasks: [{ taskArn: TASK, lastStatus: 'STOPPED' }] });
    const l = launcher();
    await l.stop(JOB);
    expect(ecs.commandCalls(StopTaskCommand)[0].args[0].input).toEqual({ cluster: 'tributary-dev', task: TASK, reason: `${STOP_REASON_PREFIX} job ${JOB}` });
    expect(ecs.commandCalls(DescribeTasksCommand)).toHaveLength(2);
    expect(l.isRunning(JOB)).toBe(false);
  });

  it('stop gives up waiting after stopWaitMs with StillStopping (the step retries it)', async () => {
    ecs.on(ListTasksCommand).resolves({ taskArns: [TASK] });
    ecs.on(StopTaskCommand).resolves({});
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: TASK, lastStatus: 'RUNNING' }] });
    await expect(launcher({ stopWaitMs: 0 }).stop(JOB)).rejects.toBeInstanceOf(StillStopping);
  });

  it('stop of a job with no task is a no-op', async () => {
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    await launcher().stop(JOB);
    expect(ecs.commandCalls(StopTaskCommand)).toHaveLength(0);
  });
});
