import type { JobStore } from '../../shared/storage/job-store.ts';
import type { SecretStore } from '../../shared/secrets/secret-store.ts';
import type { Logger } from '../../shared/logger.ts';
import type { JobRecord } from '../../shared/job/job-record.ts';
import type { ReleasedObjects } from './release-source.ts';
import type { PositionTopicRelease } from './release-position-topic.ts';

// What the state machine's task handlers need, as a seam: on AWS they are
// built from the Lambda's environment (aws-step-deps.ts); the local engine
// tests bind the same handlers to SQLite, a fake launcher and a fake clock.
export type StepDeps = {
  store: JobStore;
  secrets: SecretStore;
  /** Stops the job's worker and waits until it has exited. */
  stopWorker(jobId: string): Promise<void>;
  releaseSource(job: JobRecord, password: string): Promise<ReleasedObjects>;
  /**
   * A user release: deletes a Kafka job's position topic, best effort (release-position-topic.ts); never throws.
   * On AWS only ReleaseSource's handler sets it, so only that function's bundle carries a Kafka client.
   */
  releasePositionTopic?(job: JobRecord): Promise<PositionTopicRelease>;
  /** The task definition the job's worker runs from (its own, carrying its secrets: job-task-definition.ts). */
  jobTaskDefinition(job: JobRecord): Promise<string>;
  /** Release: removes the job's task definitions; returns how many revisions there were. */
  removeJobTaskDefinitions(jobId: string): Promise<number>;
  log: Logger;
  now(): number;
  random(): number;
  /** Publishes the job's JobFailed metric, which its "failed" alarm watches (AWS); absent where nothing watches it. */
  reportFailed?(jobId: string): void;
  /** A Standard execution ends after one year; each execution hands the job over after this many days. */
  handOverAfterDays: number;
};
