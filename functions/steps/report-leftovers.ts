import { updateJob } from '../../shared/storage/job-store.ts';
import { heartbeatTableOf } from '../../shared/source/replication-objects.ts';
import type { ErrorReport } from '../../shared/errors/tributary-error.ts';
import { parseStepInput, RunState } from './run-state.ts';
import type { StepDeps } from './step-deps.ts';
import { awsStep } from './aws-step.ts';

// Cleanup gave up (its retries ran out): say exactly what may still be on
// the source, with the last error, so that nobody has to guess which slot pins
// WAL. A release stays "releasing" so that the user can run it again; a failed
// job stays "failed".
export async function reportLeftovers(input: unknown, deps: StepDeps): Promise<RunState> {
  const state = parseStepInput(RunState, 'ReportLeftovers', input);
  const job = await deps.store.get(state.jobId);
  if (!job) return state;
  const hb = heartbeatTableOf(job);
  const left = `replication slot "${job.slotName}", publication "${job.publicationName}" and heartbeat table "${hb.schema}"."${hb.table}"`;
  const error: ErrorReport = {
    code: 'SourceUnreachable',
    class: 'connection',
    message: `release did not finish; these may still exist on ${job.source.host}:${job.source.port}/${job.source.database}: ${left}. Last error: ${lastError(state)}`,
    remedy: 'Make the source reachable and run release again, or drop them by hand (SELECT pg_drop_replication_slot(…); DROP PUBLICATION …; DROP TABLE …).',
    at: new Date(deps.now()).toISOString(),
  };
  await updateJob(deps.store, job.id, () => ({ status: state.action === 'release' ? 'releasing' : 'failed', error }));
  deps.log.error('release incomplete', { jobId: job.id, slot: job.slotName, publication: job.publicationName });
  return state;
}

function lastError(state: RunState): string {
  const cause = state.cleanupError?.Cause ?? '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    if (parsed.errorMessage) return parsed.errorMessage; // a Lambda error's Cause is {errorType, errorMessage, trace}
  } catch { /* a plain string */ }
  return cause || state.cleanupError?.Error || 'unknown';
}

export const handler = awsStep(reportLeftovers);
