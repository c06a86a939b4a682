import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { createStepFunctionsLauncher } from '../../../../functions/launcher/step-functions-launcher.ts';
import type { EcsLauncher } from '../../../../functions/launcher/ecs-launcher.ts';
import { StillStopping } from '../../../../functions/launcher/ecs-launcher.ts';
import { sampleJob } from '../../shared/storage/job-store-contract.ts';

const sfn = mockClient(SFNClient);
const ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:tributary-dev-job';
const stops: string[] = [];
const ecs: EcsLauncher = {
  launch: async () => { throw new Error('the API never runs tasks itself'); },
  stop: async (id) => { stops.push(id); throw new StillStopping(id, ['t1']); },
  isRunning: () => false,
  runningTasks: async () => [],
};
const launcher = () => createStepFunctionsLauncher({ sfn: new SFNClient({ region: 'eu-west-1' }), stateMachineArn: ARN, ecs, now: () => 1_000_000, sleep: async () => undefined });

beforeEach(() => {
  sfn.reset();
  stops.length = 0;
});

describe('Step Functions launcher (the API on AWS)', () => {
  it('start is an execution of the job machine, named after the job and this start', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${ARN}:x` });
    await launcher().launch('job-1');
    expect(sfn.commandCalls(StartExecutionCommand)[0].args[0].input).toEqual({
      stateMachineArn: ARN, name: 'job-1-rlfls', input: JSON.stringify({ jobId: 'job-1', action: 'run', runId: 'rlfls' }),
    });
  });

  it('stop asks ECS and does not hold the request while the worker flushes', async () => {
    await launcher().stop('job-1');
    expect(stops).toEqual(['job-1']);
  });

  it('release runs the release branch and returns what it removed', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${ARN}:r` });
    sfn.on(DescribeExecutionCommand)
      .resolvesOnce({ status: 'RUNNING' })
      .resolvesOnce({ status: 'SUCCEEDED', output: JSON.stringify({ released: { slot: true, publication: true, heartbeatTable: false } }) });
    const job = sampleJob('job-1', { version: 7 });
    expect(await launcher().release(job)).toEqual({ slot: true, publication: true, heartbeatTable: false });
    expect(sfn.commandCalls(StartExecutionCommand)[0].args[0].input).toMatchObject({ name: 'job-1-release-v7', input: JSON.stringify({ jobId: 'job-1', action: 'release', runId: 'v7' }) });
  });

  it('a release that ends in cleanup failure is an error naming it', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${ARN}:r` });
    sfn.on(DescribeExecutionCommand).resolves({ status: 'FAILED', error: 'CleanupIncomplete' });
    await expect(launcher().release(sampleJob('job-1'))).rejects.toThrow('release of job job-1 ended FAILED: CleanupIncomplete');
  });
});
