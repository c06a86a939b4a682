import { updateJob } from '../../shared/storage/job-store.ts';
import type { ErrorReport } from '../../shared/errors/tributary-error.ts';
import type { JobStatus } from '../../shared/job/job-status.ts';
import { fargateSizeFor, FargateSizeError } from './fargate-size.ts';
import { effectiveWindows } from './effective-windows.ts';
import { parseStepInput, RunInput, type RunState } from './run-state.ts';
import type { StepDeps } from './step-deps.ts';
import { awsStep } from './aws-step.ts';

// The machine's first state and the one before every relaunch: decides
// whether to launch the worker, hand the job over to a fresh execution, start
// the release branch, or end (the job was stopped, released or failed while
// the machine waited). It also computes the RunWorker state's parameters.
const LAUNCHABLE: readonly JobStatus[] = ['starting', 'snapshotting', 'streaming', 'retrying'];

export async function prepareRun(input: unknown, deps: StepDeps): Promise<RunState> {
  const given = parseStepInput(RunInput, 'PrepareRun', input);
  const now = deps.now();
  const job = await deps.store.get(given.jobId);
  const base = {
    ...given,
    runId: given.runId ?? `r${now.toString(36)}`,
    windows: given.windows ?? (job ? effectiveWindows(job, await deps.store.list()) : { connectionRetryMinutes: 10, otherRetryMinutes: 1 }),
    handOverAt: given.handOverAt ?? new Date(now + deps.handOverAfterDays * 86_400_000).toISOString(),
  };
  if (!job) {
    deps.log.warn('job not found; ending its execution', { jobId: given.jobId });
    return { ...base, decision: 'end' };
  }
  if (given.action === 'release') return { ...base, decision: job.status === 'released' ? 'end' : 'release' };
  if (given.action === 'precheck') return { ...base, decision: 'precheck' };
  if (!LAUNCHABLE.includes(job.status)) return { ...base, decision: 'end' };

  const next = given.generation + 1;
  const handOver = {
    name: `${job.id}-${base.runId}-g${next}`,
    input: { jobId: job.id, action: 'run', runId: base.runId, windows: base.windows, failures: given.failures, attempt: given.attempt, generation: next },
  };
  if (now >= Date.parse(base.handOverAt)) return { ...base, handOver, decision: 'handover' };

  let size;
  try {
    size = fargateSizeFor(job.resources);
  } catch (err) {
    if (!(err instanceof FargateSizeError)) throw err;
    const error: ErrorReport = { code: 'Internal', class: 'fatal', message: err.message, remedy: 'Lower resources.cpuCores to 16 or less, or split the tables over several jobs.', at: new Date(now).toISOString() };
    await updateJob(deps.store, job.id, () => ({ status: 'failed', error }));
    deps.reportFailed?.(job.id);
    return { ...base, decision: 'end' };
  }
  return {
    ...base,
    handOver,
    decision: 'launch',
    run: { cpu: size.cpu, memoryMiB: size.memoryMiB, ackedLsnAtLaunch: job.ackedLsn ?? null, taskDefinition: await deps.jobTaskDefinition(job) },
  };
}

export const handler = awsStep(prepareRun);
