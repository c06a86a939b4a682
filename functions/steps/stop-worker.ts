import { updateJob } from '../../shared/storage/job-store.ts';
import { parseStepInput, RunState } from './run-state.ts';
import type { StepDeps } from './step-deps.ts';
import { awsStep } from './aws-step.ts';

// Stops the job's worker task and waits until it has exited (SIGTERM: it
// delivers, saves and acknowledges first). Runs before release, so nothing
// holds the slot while it is dropped, and before a hand-over, so the next
// execution never finds two workers on one slot. A worker writes "stopped" when
// signalled; for a hand-over that is not the user's stop, so the job is put
// back to "starting" for the next execution (unless a real stop or release
// began meanwhile, which the next execution then honours).
export async function stopWorker(input: unknown, deps: StepDeps): Promise<RunState> {
  const state = parseStepInput(RunState, 'StopWorker', input);
  await deps.stopWorker(state.jobId);
  if (state.decision === 'handover') {
    await updateJob(deps.store, state.jobId, (j) => (j.status === 'stopped' || j.status === 'streaming' ? { status: 'starting' } : undefined));
  }
  return state;
}

export const handler = awsStep(stopWorker);
