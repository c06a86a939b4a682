import { parseStepInput, RunState } from './run-state.ts';
import type { StepDeps } from './step-deps.ts';
import { awsStep } from './aws-step.ts';
import { releaseDestination } from './release-destination.ts';
import { releasePositionTopic } from './release-position-topic.ts';
import { destinationPasswordOf } from '../../shared/job/job-secrets.ts';
import type { ReleasedObjects } from './release-source-objects.ts';

export { releaseSource, type ReleasedObjects } from './release-source-objects.ts';

// The ReleaseSource state: the source's release (release-source-objects.ts), with
// the job and its password read here, inside the one role allowed to read them.
// A failure throws, so the state's Retry runs it again (everything it drops is
// dropped idempotently). A user release (not a failed job's cleanup, which may
// be started again) then forgets the job on its destination, best effort: the
// PostgreSQL bookkeeping rows or the Kafka position topic.
export async function releaseSourceStep(input: unknown, deps: StepDeps): Promise<ReleasedObjects> {
  const state = parseStepInput(RunState, 'ReleaseSource', input);
  const job = await deps.store.get(state.jobId);
  if (!job) throw new Error(`job ${state.jobId} not found`);
  const removed = await deps.releaseSource(job, await deps.secrets.get(job.source.passwordRef));
  deps.log.info('source objects released', { jobId: job.id, ...removed });
  if (removed.leftOnPrimary?.length) deps.log.warn('the source is a standby: drop the job\'s objects on the primary', { jobId: job.id, statements: removed.leftOnPrimary });
  if (state.action === 'release') {
    await releaseDestination(job, await destinationPasswordOf(deps.secrets, job), deps.log);
    await deps.releasePositionTopic?.(job);
  }
  return removed;
}

// Set here rather than in aws-step-deps.ts, which every step function bundles: the
// Kafka client (~0.7 MB minified) goes into this function's bundle alone.
// `deps` is this container's own (aws-step.ts builds it once).
export const handler = awsStep((input, deps) => {
  deps.releasePositionTopic ??= (job) => releasePositionTopic(job, deps.log);
  return releaseSourceStep(input, deps);
});
