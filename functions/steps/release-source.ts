import pg from 'pg';
import type { JobRecord } from '../../shared/job/job-record.ts';
import { pgConfig } from '../../shared/source/pg-config.ts';
import { dropReplicationObjects, heartbeatTableOf } from '../../shared/source/replication-objects.ts';
import { ddlCaptureOf } from '../../shared/source/ddl-capture.ts';
import { classify } from '../../shared/errors/classify.ts';
import { parseStepInput, RunState } from './run-state.ts';
import type { StepDeps } from './step-deps.ts';
import { awsStep } from './aws-step.ts';
import { releaseDestination } from './release-destination.ts';
import { destinationPasswordOf } from '../../shared/job/job-secrets.ts';

export type ReleasedObjects = { slot: boolean; publication: boolean; heartbeatTable?: boolean; ddlCapture?: boolean; /** A standby source: statements only the primary can run. */ leftOnPrimary?: string[] };

// Release's source-side step: after the worker has stopped, remove the slot
// (so the source stops retaining WAL for us) and the publication. On a standby
// source only the slot is its own; `leftOnPrimary` says what to drop there.
export async function releaseSource(job: JobRecord, password: string): Promise<ReleasedObjects> {
  const client = new pg.Client(pgConfig(job.source, password));
  try {
    await client.connect();
    return await dropReplicationObjects(client, { slot: job.slotName, publication: job.publicationName, heartbeatTable: heartbeatTableOf(job), ddlCapture: ddlCaptureOf(job) });
  } catch (err) {
    throw classify(err, 'source');
  } finally {
    await client.end().catch(() => undefined);
  }
}

// The ReleaseSource state: the same release, with the job and its password read
// here, inside the one role allowed to read them. A failure throws, so the
// state's Retry runs it again (everything it drops is dropped idempotently).
export async function releaseSourceStep(input: unknown, deps: StepDeps): Promise<ReleasedObjects> {
  const state = parseStepInput(RunState, 'ReleaseSource', input);
  const job = await deps.store.get(state.jobId);
  if (!job) throw new Error(`job ${state.jobId} not found`);
  const removed = await deps.releaseSource(job, await deps.secrets.get(job.source.passwordRef));
  deps.log.info('source objects released', { jobId: job.id, ...removed });
  if (removed.leftOnPrimary?.length) deps.log.warn('the source is a standby: drop the job\'s objects on the primary', { jobId: job.id, statements: removed.leftOnPrimary });
  if (state.action === 'release') await releaseDestination(job, await destinationPasswordOf(deps.secrets, job), deps.log);
  return removed;
}

export const handler = awsStep(releaseSourceStep);
