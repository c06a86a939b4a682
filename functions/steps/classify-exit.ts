import { updateJob } from '../../shared/storage/job-store.ts';
import { backoffMs, retryWindowMs } from '../../shared/errors/retry-policy.ts';
import type { ErrorClass } from '../../shared/errors/error-codes.ts';
import type { ErrorReport } from '../../shared/errors/tributary-error.ts';
import { parseStepInput, RunState } from './run-state.ts';
import { readWorkerExit, WORKER_EXIT } from './worker-exit.ts';
import { STOP_REASON_PREFIX } from '../launcher/ecs-launcher.ts';
import type { StepDeps } from './step-deps.ts';
import { awsStep } from './aws-step.ts';

// After the worker task ends: was it stopped, or did it fail, and with which
// class (SPEC.md §3)? The worker says so itself: exit 75 for a connection
// failure, 1 otherwise with its classified error written to the job. Each
// class is retried for its own window from its first failure; a run that
// saved a checkpoint (the job's ackedLsn moved) was a success and resets both
// windows. Past the window the job is failed and the machine cleans up.
export const WORKER_CONTAINER = 'worker';
const BACKOFF_BASE_MS = 5_000; // a Fargate task takes ~30-60 s to start anyway
const BACKOFF_CAP_MS = 300_000;

export async function classifyExit(input: unknown, deps: StepDeps): Promise<RunState> {
  const { exit: rawExit, wait: _wait, ...state } = parseStepInput(RunState, 'ClassifyExit', input);
  const now = deps.now();
  const job = await deps.store.get(state.jobId);
  if (!job || job.status === 'releasing' || job.status === 'released') return { ...state, decision: 'end' };

  const exit = readWorkerExit(rawExit, WORKER_CONTAINER);
  if (exit.exitCode === WORKER_EXIT.replaced) {
    // Another run's worker holds the job now: its own run decides; this one neither retries nor fails it.
    deps.log.warn('worker found a newer worker running the job; this run ends', { jobId: job.id });
    return { ...state, decision: 'end' };
  }
  const stoppedByUs = exit.stoppedReason?.startsWith(STOP_REASON_PREFIX) ?? false;
  if (job.status === 'stopping' || (job.status === 'stopped' && stoppedByUs)) return { ...state, decision: 'stopped' };

  const progressed = job.ackedLsn !== undefined && job.ackedLsn !== (state.run?.ackedLsnAtLaunch ?? undefined);
  const failures = progressed ? { connection: null, other: null } : state.failures;
  const attempt = progressed ? 0 : state.attempt;

  if (exit.exitCode === WORKER_EXIT.stopped) {
    // A clean exit nobody here asked for: ECS retired the task (Fargate patching,
    // Spot, maintenance) and the worker stopped gracefully. Not a failure: relaunch.
    deps.log.info('worker stopped without a stop request; relaunching', { jobId: job.id, reason: exit.stoppedReason });
    await updateJob(deps.store, job.id, (j) => (j.status === 'stopped' ? { status: 'starting' } : undefined));
    return { ...state, failures, attempt, decision: 'retry', wait: { seconds: 1 } };
  }

  const errorClass: ErrorClass = exit.exitCode === WORKER_EXIT.connection ? 'connection'
    : exit.exitCode === WORKER_EXIT.failed ? (job.error?.class ?? 'other') : 'other';
  const reported = exit.exitCode === WORKER_EXIT.connection || exit.exitCode === WORKER_EXIT.failed ? job.error : undefined;
  const error: ErrorReport = reported ?? {
    code: 'WorkerCrashed',
    class: 'other',
    message: `the worker task ended ${exit.exitCode === undefined ? 'without an exit code' : `with exit code ${exit.exitCode}`}${exit.stateError ? ` (${exit.stateError})` : ''}${exit.stoppedReason ? `: ${exit.stoppedReason}` : ''}`,
    remedy: 'See the worker log group for the task; it resumes from the last acknowledged LSN.',
    at: new Date(now).toISOString(),
  };

  const fail = async (message: string) => {
    await updateJob(deps.store, job.id, () => ({ status: 'failed', retry: undefined, error: { ...error, message, at: new Date(now).toISOString() } }));
    deps.log.error('job failed', { jobId: job.id, code: error.code, class: errorClass });
    deps.reportFailed?.(job.id);
    return { ...state, failures, attempt, decision: 'failed' as const };
  };
  if (errorClass === 'fatal') return fail(error.message);

  const since = Date.parse(failures[errorClass] ?? new Date(now).toISOString());
  const until = since + retryWindowMs(errorClass, state.windows);
  if (now >= until) {
    const minutes = errorClass === 'connection' ? state.windows.connectionRetryMinutes : state.windows.otherRetryMinutes;
    return fail(`${error.message} (failing since ${new Date(since).toISOString()}: past the ${errorClass} retry window of ${minutes} min)`);
  }
  const seconds = Math.max(1, Math.min(Math.ceil(backoffMs(attempt, deps.random, BACKOFF_BASE_MS, BACKOFF_CAP_MS) / 1000), Math.ceil((until - now) / 1000)));
  const nextFailures = { ...failures, [errorClass]: new Date(since).toISOString() };
  await updateJob(deps.store, job.id, (j) => (j.status === 'stopping' || j.status === 'stopped' ? undefined : {
    status: 'retrying',
    error,
    retry: { errorClass: errorClass as 'connection' | 'other', since: new Date(since).toISOString(), until: new Date(until).toISOString(), attempt: attempt + 1 },
  }));
  deps.log.warn('worker failed; relaunching after backoff', { jobId: job.id, code: error.code, class: errorClass, waitSeconds: seconds });
  return { ...state, failures: nextFailures, attempt: attempt + 1, decision: 'retry', wait: { seconds } };
}

export const handler = awsStep(classifyExit);
