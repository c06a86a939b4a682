import { DescribeExecutionCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { Launcher } from './launcher.ts';
import { StillStopping, type EcsLauncher } from './ecs-launcher.ts';
import type { JobRecord } from '../../shared/job/job-record.ts';
import type { ReleasedObjects } from '../steps/release-source.ts';
import type { PrecheckReport } from '../../shared/prechecks/precheck.ts';

// The API's launcher on AWS: starting a job starts an execution of the job
// state machine, which runs the worker and owns the retry windows; stopping
// stops the job's task (the machine sees a requested stop and ends); release
// runs the machine's release branch, whose steps alone may read the password,
// and waits for it as long as an API request can.
export type StepFunctionsLauncherOptions = {
  sfn: SFNClient;
  stateMachineArn: string;
  ecs: EcsLauncher;
  /** How long release() waits for the release execution (API Gateway ends a request at 30 s). */
  releaseWaitMs?: number;
  pollMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
};

export type StepFunctionsLauncher = Launcher & {
  release(job: JobRecord): Promise<ReleasedObjects>;
  precheck(job: JobRecord): Promise<PrecheckReport>;
};

export function createStepFunctionsLauncher(opts: StepFunctionsLauncherOptions): StepFunctionsLauncher {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const start = async (name: string, input: object) => {
    const { executionArn } = await opts.sfn.send(new StartExecutionCommand({ stateMachineArn: opts.stateMachineArn, name, input: JSON.stringify(input) }));
    return executionArn!;
  };

  // Starts a short execution (release, precheck) and waits for its output within one API request.
  const runToEnd = async (job: JobRecord, action: 'release' | 'precheck', runId: string, meanwhile: string) => {
    const arn = await start(`${job.id}-${action}-${runId}`, { jobId: job.id, action, runId });
    const deadline = now() + (opts.releaseWaitMs ?? 20_000);
    for (;;) {
      const out = await opts.sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
      if (out.status === 'SUCCEEDED') return JSON.parse(out.output ?? '{}') as Record<string, unknown>;
      if (out.status !== 'RUNNING' && out.status !== 'PENDING_REDRIVE') {
        throw new Error(`${action} of job ${job.id} ended ${out.status}: ${out.cause ?? out.error ?? 'see the job record'}`);
      }
      if (now() >= deadline) throw new Error(`${action} of job ${job.id} is still running in ${arn}; ${meanwhile}`);
      await sleep(opts.pollMs ?? 1_000);
    }
  };

  return {
    async launch(jobId) {
      const runId = `r${now().toString(36)}`;
      await start(`${jobId}-${runId}`, { jobId, action: 'run', runId });
    },
    async stop(jobId) {
      try {
        await opts.ecs.stop(jobId);
      } catch (err) {
        // the worker is flushing within its stopTimeout; it records "stopped" itself when it exits
        if (!(err instanceof StillStopping)) throw err;
      }
    },
    isRunning: (jobId) => opts.ecs.isRunning(jobId),
    async release(job) {
      // one name per job version: a retried request joins the execution already running
      const output = await runToEnd(job, 'release', `v${job.version}`, 'the job becomes "released" when it ends');
      return (output.released ?? { slot: false, publication: false }) as ReleasedObjects;
    },
    async precheck(job) {
      const output = await runToEnd(job, 'precheck', `p${now().toString(36)}`, 'run the precheck again');
      return output.precheck as PrecheckReport;
    },
  };
}
