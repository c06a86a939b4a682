import { StateMachine } from 'aws-local-stepfunctions';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteJobStore } from '../../../shared/storage/local/sqlite-job-store.ts';
import { createFileSecretStore } from '../../../shared/secrets/local/file-secret-store.ts';
import { updateJob, type JobStore } from '../../../shared/storage/job-store.ts';
import { createLogger } from '../../../shared/logger.ts';
import type { JobRecord } from '../../../shared/job/job-record.ts';
import type { ReleasedObjects } from '../../../functions/steps/release-source.ts';
import type { PositionTopicRelease } from '../../../functions/steps/release-position-topic.ts';
import { releaseSourceStep } from '../../../functions/steps/release-source.ts';
import { prepareRun } from '../../../functions/steps/prepare-run.ts';
import { classifyExit } from '../../../functions/steps/classify-exit.ts';
import { WORKER_EXIT } from '../../../functions/steps/worker-exit.ts';
import { stopWorker } from '../../../functions/steps/stop-worker.ts';
import { finishRelease } from '../../../functions/steps/finish-release.ts';
import { reportLeftovers } from '../../../functions/steps/report-leftovers.ts';
import { STOP_REASON_PREFIX } from '../../../functions/launcher/ecs-launcher.ts';
import type { StepDeps } from '../../../functions/steps/step-deps.ts';
import type { RunInput } from '../../../functions/steps/run-state.ts';
import { FAKE_ACCOUNT, FAKE_REGION } from './job-machine-asl.ts';
import { sampleJob } from '../../unit/shared/storage/job-store-contract.ts';

// Runs the real job-machine ASL on aws-local-stepfunctions with every Task
// bound to the real step handler (SQLite store, file secrets) except the two
// that touch AWS: RunWorker is a simulated worker, HandOver records the next
// execution's input. Time is simulated: a worker run and each BackoffWait
// advance a fake clock, so a 15-minute outage takes milliseconds.

/** What one simulated worker run does, given the simulated time at launch. */
export type WorkerRun =
  | { kind: 'fail'; errorClass: 'connection' | 'other' | 'fatal'; code?: string; durationMs?: number }
  | { kind: 'stream'; durationMs: number; then: 'stopped-by-user' | WorkerRun }
  /** A newer worker claimed the job (worker/worker-claim.ts): this one writes nothing and exits 3. */
  | { kind: 'replaced' };
export type WorkerScript = (simulatedNow: number, launch: number) => WorkerRun;

export const T0 = Date.parse('2026-03-01T00:00:00.000Z');

export type Harness = {
  store: JobStore;
  job: JobRecord;
  now(): number;
  launches: number[];
  /** The TaskDefinition each RunWorker launch was given. */
  taskDefinitions: string[];
  /** Jobs whose task definitions the release removed. */
  removedTaskDefinitions: string[];
  stops: Array<{ jobId: string }>;
  releases: JobRecord[];
  /** Jobs whose Kafka position topic a user release deleted. */
  positionTopicReleases: string[];
  handOvers: Array<{ StateMachineArn: string; Name: string; Input: RunInput }>;
  run(input: RunInput, opts?: { neverEndingWorker?: () => boolean }): Promise<{ status: 'SUCCEEDED' | 'FAILED'; output?: Record<string, unknown>; error?: string; states: string[] }>;
};

export async function jobMachineHarness(opts: {
  definition: Record<string, unknown>;
  stateMachineName: string;
  worker: WorkerScript;
  job?: Partial<JobRecord>;
  releaseSource?: (job: JobRecord, password: string) => Promise<ReleasedObjects>;
  /** The real one (release-position-topic.ts) for a test against real Kafka; recorded either way. */
  releasePositionTopic?: (job: JobRecord) => Promise<PositionTopicRelease>;
  password?: string;
  /** Runs after each simulated worker exit has been written to the job (e.g. a user's stop meanwhile). */
  afterExit?: (store: JobStore, jobId: string) => Promise<void>;
}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-machine-'));
  const store = createSqliteJobStore(join(dir, 'tributary.db'));
  const secrets = createFileSecretStore(join(dir, 'secrets'));
  const id = '5f0c7c1e-2b7d-4a1e-9d61-0c3a7b9e4f21';
  const passwordRef = await secrets.put(`${id}/source-password`, opts.password ?? 'pw');
  const base = sampleJob(id);
  const job: JobRecord = { ...base, status: 'starting', ...opts.job, source: { ...base.source, ...opts.job?.source, passwordRef } };
  await store.create(job);

  let clock = T0;
  let lsn = 0x1000;
  const h: Omit<Harness, 'run'> = { store, job, now: () => clock, launches: [], taskDefinitions: [], removedTaskDefinitions: [], stops: [], releases: [], positionTopicReleases: [], handOvers: [] };
  const deps: StepDeps = {
    store,
    secrets,
    stopWorker: async (jobId) => void h.stops.push({ jobId }),
    releaseSource: async (j, password) => {
      h.releases.push(j);
      return opts.releaseSource ? opts.releaseSource(j, password) : { slot: true, publication: true, heartbeatTable: true };
    },
    releasePositionTopic: async (j) => {
      h.positionTopicReleases.push(j.id);
      return opts.releasePositionTopic ? opts.releasePositionTopic(j) : 'deleted';
    },
    jobTaskDefinition: async (j) => `tributary-dev-worker-${j.id}`,
    removeJobTaskDefinitions: async (jobId) => (h.removedTaskDefinitions.push(jobId), 1),
    log: createLogger({}, () => undefined),
    now: () => clock,
    random: () => 0.5,
    handOverAfterDays: 300,
  };

  const task = (exitCode: number, reason: string) => ({ TaskArn: `arn:aws:ecs:${FAKE_REGION}:${FAKE_ACCOUNT}:task/tributary-dev/t${h.launches.length}`, StoppedReason: reason, Containers: [{ Name: 'worker', ExitCode: exitCode }] });

  // The simulated worker writes to the job what worker/main.ts writes in "exit" mode.
  const simulate = async (run: WorkerRun): Promise<unknown> => {
    if (run.kind === 'stream') {
      clock += run.durationMs;
      lsn += 0x100;
      await updateJob(store, id, () => ({ status: 'streaming', ackedLsn: `0/${lsn.toString(16).toUpperCase()}`, error: undefined, retry: undefined }));
      if (run.then === 'stopped-by-user') {
        await updateJob(store, id, () => ({ status: 'stopped' }));
        return task(0, `${STOP_REASON_PREFIX} job ${id}`);
      }
      return simulate(run.then);
    }
    if (run.kind === 'replaced') {
      clock += 10_000;
      throw Object.assign(new Error(JSON.stringify(task(WORKER_EXIT.replaced, 'Essential container in task exited'))), { name: 'States.TaskFailed' });
    }
    clock += run.durationMs ?? 10_000;
    const code = run.code ?? (run.errorClass === 'connection' ? 'SourceUnreachable' : run.errorClass === 'other' ? 'SinkRejected' : 'SourceAuthFailed');
    await updateJob(store, id, () => ({
      status: run.errorClass === 'fatal' ? 'failed' : 'retrying',
      error: { code: code as never, class: run.errorClass, message: `simulated ${code}`, remedy: 'none', at: new Date(clock).toISOString() },
    }));
    await opts.afterExit?.(store, id);
    // ECS .sync fails the state when a container exits non-zero; the Cause is the task as JSON
    throw Object.assign(new Error(JSON.stringify(task(run.errorClass === 'connection' ? 75 : 1, 'Essential container in task exited'))), { name: 'States.TaskFailed' });
  };

  const machine = new StateMachine(opts.definition as never, { validationOptions: { checkArn: true, checkPaths: true } });
  const step = <T>(fn: (input: unknown, deps: StepDeps) => Promise<T>) => (input: unknown) => fn(input, deps);

  return {
    ...h,
    async run(input, runOpts = {}) {
      const states: string[] = [];
      const execution = machine.run(input, {
        overrides: {
          // the engine types handlers over JSONValue; each of ours parses its input with zod, as on Lambda
          taskResourceLocalHandlers: ({
            PrepareRun: (input: { wait?: { seconds: number } }) => {
              clock += (input.wait?.seconds ?? 0) * 1000; // the BackoffWait that just ended, in simulated time
              return prepareRun(input, deps);
            },
            RunWorker: (input: { TaskDefinition?: string }) => {
              h.launches.push(clock);
              h.taskDefinitions.push(String(input.TaskDefinition));
              if (runOpts.neverEndingWorker?.()) return new Promise(() => undefined);
              return simulate(opts.worker(clock, h.launches.length));
            },
            ClassifyExit: step(classifyExit),
            StopWorker: step(stopWorker),
            ReleaseSource: step(releaseSourceStep),
            FinishRelease: step(finishRelease),
            ReportLeftovers: step(reportLeftovers),
            RunPrechecks: async () => ({ verdict: 'passed' }),
            HandOver: async (params: Harness['handOvers'][number]) => {
              h.handOvers.push(params);
              return { ExecutionArn: `arn:aws:states:${FAKE_REGION}:${FAKE_ACCOUNT}:execution:${opts.stateMachineName}:${params.Name}` };
            },
          }) as never,
          waitTimeOverrides: { BackoffWait: 0 },
          retryIntervalOverrides: { StopWorker: 0, ReleaseSource: 0, HandOver: 0 },
        },
        context: {
          StateMachine: { Id: `arn:aws:states:${FAKE_REGION}:${FAKE_ACCOUNT}:stateMachine:${opts.stateMachineName}`, Name: opts.stateMachineName },
          Execution: { Id: `arn:aws:states:${FAKE_REGION}:${FAKE_ACCOUNT}:execution:${opts.stateMachineName}:test`, Input: input, StartTime: new Date(clock).toISOString() },
        },
      });
      const collect = (async () => {
        for await (const event of execution.eventLogs) {
          if (event.type === 'StateEntered') states.push((event as { state: { name: string } }).state.name);
        }
      })();
      try {
        const output = await execution.result;
        await collect;
        return { status: 'SUCCEEDED', output: output as Record<string, unknown>, states };
      } catch (err) {
        await collect.catch(() => undefined);
        const cause = (err as { cause?: { name?: string; message?: string } }).cause;
        return { status: 'FAILED', error: cause?.name ?? String(err), states };
      }
    },
  };
}
