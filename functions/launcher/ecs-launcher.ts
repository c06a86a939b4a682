import {
  DescribeTasksCommand, ECSClient, ListTasksCommand, RunTaskCommand, StopTaskCommand, type RunTaskCommandInput,
} from '@aws-sdk/client-ecs';
import type { Launcher } from './launcher.ts';
import type { FargateSize } from '../steps/fargate-size.ts';

// The launcher seam on AWS: one Fargate task per job, found again by
// `startedBy = <job id>` (ECS keeps it on the task, and ListTasks filters on
// it), so neither the API nor a state-machine step has to store task ARNs.
// The state machine launches through its own RunTask .sync state with the same
// shape (infra/constructs/job-state-machine.ts); this adapter stops tasks for
// release and hand-over and launches directly where no machine is involved.
/** Every StopTask this adapter sends carries this reason, so a stop Tributary asked for can be told from one ECS made. */
export const STOP_REASON_PREFIX = 'Tributary: stop';

export type EcsLauncherOptions = {
  cluster: string;
  taskDefinition: string;
  containerName: string;
  subnets: string[];
  securityGroups: string[];
  client?: ECSClient;
  /** The job's Fargate size (cpu/memory overrides); the task definition's default when it returns undefined. */
  sizeOf?: (jobId: string) => Promise<FargateSize | undefined>;
  /** How long stop() waits for the task to reach STOPPED: the container's stopTimeout plus ECS's own delay. */
  stopWaitMs?: number;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
};

/** stop() asked ECS to stop the task, which has not finished stopping within the wait. */
export class StillStopping extends Error {
  constructor(jobId: string, tasks: string[]) {
    super(`job ${jobId}: task ${tasks.join(', ')} is still stopping; try again`);
    this.name = 'StillStopping';
  }
}

export type EcsLauncher = Launcher & {
  /** ARNs of the job's tasks that are not yet stopped, straight from ECS. */
  runningTasks(jobId: string): Promise<string[]>;
};

export function createEcsLauncher(opts: EcsLauncherOptions): EcsLauncher {
  const client = opts.client ?? new ECSClient({});
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const { cluster } = opts;
  // isRunning must answer synchronously (the Launcher contract); it reflects what this process last saw.
  const known = new Map<string, string>();

  const runningTasks = async (jobId: string) => {
    const { taskArns = [] } = await client.send(new ListTasksCommand({ cluster, startedBy: jobId, desiredStatus: 'RUNNING' }));
    if (taskArns.length) known.set(jobId, taskArns[0]);
    else known.delete(jobId);
    return taskArns;
  };

  return {
    runningTasks,
    async launch(jobId) {
      // startedBy holds at most 36 characters: a UUID fits exactly
      if (jobId.length > 36) throw new Error(`job id ${jobId} is longer than ECS's 36-character startedBy`);
      const running = await runningTasks(jobId);
      if (running.length) throw new Error(`a worker for job ${jobId} is already running (${running[0]})`);
      const size = await opts.sizeOf?.(jobId);
      const input: RunTaskCommandInput = {
        cluster,
        taskDefinition: opts.taskDefinition,
        launchType: 'FARGATE',
        count: 1,
        startedBy: jobId,
        networkConfiguration: { awsvpcConfiguration: { subnets: opts.subnets, securityGroups: opts.securityGroups, assignPublicIp: 'DISABLED' } },
        overrides: {
          ...(size ? { cpu: size.cpu, memory: size.memoryMiB } : {}),
          containerOverrides: [{ name: opts.containerName, environment: [{ name: 'TRIBUTARY_JOB_ID', value: jobId }] }],
        },
        tags: [{ key: 'tributary:job-id', value: jobId }],
        propagateTags: 'TASK_DEFINITION',
      };
      const { tasks = [], failures = [] } = await client.send(new RunTaskCommand(input));
      if (failures.length || !tasks[0]?.taskArn) {
        const why = failures.map((f) => `${f.reason ?? 'unknown'}${f.detail ? ` (${f.detail})` : ''}`).join('; ') || 'no task returned';
        throw new Error(`ECS could not start a worker for job ${jobId}: ${why}`);
      }
      known.set(jobId, tasks[0].taskArn);
    },
    async stop(jobId) {
      const arns = await runningTasks(jobId);
      // StopTask sends SIGTERM, then SIGKILL after the container's stopTimeout: the worker flushes, saves and acks in between
      for (const task of arns) await client.send(new StopTaskCommand({ cluster, task, reason: `${STOP_REASON_PREFIX} job ${jobId}` }));
      const deadline = Date.now() + (opts.stopWaitMs ?? 150_000);
      let pending = arns;
      while (pending.length) {
        const { tasks = [] } = await client.send(new DescribeTasksCommand({ cluster, tasks: pending }));
        pending = tasks.filter((t) => t.lastStatus !== 'STOPPED').map((t) => t.taskArn!);
        if (!pending.length) break;
        if (Date.now() >= deadline) throw new StillStopping(jobId, pending);
        await sleep(opts.pollMs ?? 3_000);
      }
      known.delete(jobId);
    },
    isRunning: (jobId) => known.has(jobId),
  };
}
