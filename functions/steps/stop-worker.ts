import { updateJob } from '../../shared/storage/job-store.ts';
import { parseStepInput, RunState } from './run-state.ts';
import type { StepDeps } from './step-deps.ts';
import { awsStep } from './aws-step.ts';

// Stops the job's worker task and waits until it has exited (SIGTERM: it
// delivers, saves and acknowledges first). Runs before release, so nothing
// holds the slot while it is dropped; before a hand-over, so the next
// execution never finds two workers on one slot; and for the periodic restart.
// A worker writes "stopped" when signalled; for a restart or hand-over that is
// not the user's stop, so the job is put back to "starting" for the next launch
// (unless a real stop or release began meanwhile, which PrepareRun then honours).
export async function stopWorker(input: unknown, deps: StepDeps): Promise<RunState> {
  const state = parseStepInput(RunState, 'StopWorker', input);
  await deps.stopWorker(state.jobId);
  if (state.decision !== 'handover' && state.decision !== 'restart') return state;
  const job = await updateJob(deps.store, state.jobId, (j) => (j.status === 'stopped' || j.status === 'streaming' ? { status: 'starting' } : undefined));
  // a run that saved a checkpoint since its launch was a success: its restart starts with closed windows
  const progressed = state.run !== undefined && job.ackedLsn !== undefined && job.ackedLsn !== (state.run.ackedLsnAtLaunch ?? undefined);
  return progressed ? { ...state, failures: { connection: null, other: null }, attempt: 0 } : state;
}

export const handler = awsStep(stopWorker);
