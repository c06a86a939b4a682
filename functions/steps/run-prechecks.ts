import { runPrechecks } from '../../shared/prechecks/run-prechecks.ts';
import { destinationPasswordOf } from '../../shared/job/job-secrets.ts';
import type { PrecheckReport } from '../../shared/prechecks/precheck.ts';
import { parseStepInput, RunState } from './run-state.ts';
import type { StepDeps } from './step-deps.ts';
import { awsStep } from './aws-step.ts';

// The RunPrechecks state: the precheck (SPEC.md §5) needs the source password
// and a network path to the source, which on AWS only the machine's VPC steps
// have; the API starts a "precheck" execution and reads this report from its output.
export async function runPrecheckStep(input: unknown, deps: StepDeps): Promise<PrecheckReport> {
  const state = parseStepInput(RunState, 'RunPrechecks', input);
  const job = await deps.store.get(state.jobId);
  if (!job) throw new Error(`job ${state.jobId} not found`);
  return runPrechecks(job, await deps.secrets.get(job.source.passwordRef), { destinationPassword: await destinationPasswordOf(deps.secrets, job) });
}

export const handler = awsStep(runPrecheckStep);
