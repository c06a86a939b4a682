import { updateJob } from '../../shared/storage/job-store.ts';
import { deleteJobSecrets } from '../../shared/job/job-secrets.ts';
import { parseStepInput, RunState } from './run-state.ts';
import type { StepDeps } from './step-deps.ts';
import { awsStep } from './aws-step.ts';

// After the source is clean. A release asked for by the user ends the job:
// its secret is deleted and it becomes "released". A job that failed past its
// window stays "failed" (it may be started again, with a new slot), and its
// record says its source objects are gone so the user knows WAL is not piling up.
export async function finishRelease(input: unknown, deps: StepDeps): Promise<RunState> {
  const state = parseStepInput(RunState, 'FinishRelease', input);
  const job = await deps.store.get(state.jobId);
  if (!job) return state;
  if (state.action === 'release') {
    await deleteJobSecrets(deps.secrets, job);
    const revisions = await deps.removeJobTaskDefinitions(job.id);
    deps.log.info('job released', { jobId: job.id, taskDefinitionRevisionsRemoved: revisions });
    await updateJob(deps.store, job.id, () => ({ status: 'released', error: undefined, retry: undefined }));
  } else {
    const removed = [state.released?.slot && `slot ${job.slotName}`, state.released?.publication && `publication ${job.publicationName}`].filter(Boolean).join(' and ');
    await updateJob(deps.store, job.id, (j) => (j.error ? { error: { ...j.error, message: `${j.error.message}; removed from the source${removed ? `: ${removed}` : ' (nothing was left)'}` } } : undefined));
  }
  return state;
}

export const handler = awsStep(finishRelease);
