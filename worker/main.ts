import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { join } from 'node:path';
import { createSqliteJobStore } from '../shared/storage/local/sqlite-job-store.ts';
import { createFileSecretStore } from '../shared/secrets/local/file-secret-store.ts';
import { updateJob } from '../shared/storage/job-store.ts';
import { REPLACED_EXIT, whileClaimed } from './worker-claim.ts';
import { classify } from '../shared/errors/classify.ts';
import { createLogger } from '../shared/logger.ts';
import { runJob } from './run-job.ts';
import { runWithRetry, type RunAttempt } from './run-with-retry.ts';
import { createObserver } from './heartbeat/observe.ts';
import { watchObjects } from './objects-watch.ts';
import { createMeter } from './metering/meter.ts';
import { formatEmf } from './metrics/emf.ts';
import type { JobMetrics } from '../shared/job/job-record.ts';
import { createSqliteUsageStore } from '../shared/metering/sqlite-usage-store.ts';
import { DESTINATION_PASSWORD_ENV, SOURCE_PASSWORD_ENV } from '../shared/secrets/injected-secrets.ts';

// The worker process: environment → dependencies → run. It exits 0 when
// stopped, and non-zero after writing its classified error to the job, which
// is what the launcher (and later the state machine) reads to decide on retries.
// TRIBUTARY_RETRY: "in-process" (local mode) retries within the job's windows
// here; "exit" (AWS) exits on the first failure with its class, because the
// job state machine owns the windows and relaunches the task.
const Env = z.object({
  TRIBUTARY_JOB_ID: z.string().min(1, 'TRIBUTARY_JOB_ID names the job this worker runs'),
  TRIBUTARY_DATA_DIR: z.string().min(1).optional(),
  TRIBUTARY_JOBS_TABLE: z.string().min(1).optional(),
  TRIBUTARY_SECRETS_PREFIX: z.string().min(1).optional(),
  TRIBUTARY_RETRY: z.enum(['in-process', 'exit']).default('in-process'),
  /** How often the worker looks for a changed table list (tests shorten it). */
  TRIBUTARY_OBJECTS_POLL_MS: z.coerce.number().int().min(100).default(5_000),
}).refine((e) => e.TRIBUTARY_DATA_DIR || e.TRIBUTARY_JOBS_TABLE, {
  message: 'set TRIBUTARY_DATA_DIR (local mode: job store and secrets folder) or TRIBUTARY_JOBS_TABLE (AWS)',
});

const env = Env.parse(process.env);
const log = createLogger({ component: 'worker', jobId: env.TRIBUTARY_JOB_ID });
// The AWS adapters (DynamoDB, Secrets Manager) are imported only on AWS: their SDK clients cost a
// local worker ~28 MB of RSS and a few hundred ms of start-up for nothing (bench/RESULTS.md, idle RSS).
const store = env.TRIBUTARY_DATA_DIR
  ? createSqliteJobStore(join(env.TRIBUTARY_DATA_DIR, 'tributary.db'))
  : (await import('../shared/storage/dynamo/dynamo-job-store.ts')).createDynamoJobStore({ tableName: env.TRIBUTARY_JOBS_TABLE! });
// On AWS the job's passwords arrive as ECS secrets in the environment (its own task
// definition: functions/steps/job-task-definition.ts); they are read once and removed.
const injected = { source: process.env[SOURCE_PASSWORD_ENV], destination: process.env[DESTINATION_PASSWORD_ENV] };
delete process.env[SOURCE_PASSWORD_ENV];
delete process.env[DESTINATION_PASSWORD_ENV];
const secrets = env.TRIBUTARY_DATA_DIR
  ? createFileSecretStore(join(env.TRIBUTARY_DATA_DIR, 'secrets'))
  : env.TRIBUTARY_SECRETS_PREFIX ? (await import('../shared/secrets/aws/secrets-manager-store.ts')).createSecretsManagerStore({ prefix: env.TRIBUTARY_SECRETS_PREFIX }) : undefined;
const passwordOf = async (ref: string, fromEnv: string | undefined) => {
  if (fromEnv !== undefined) return fromEnv;
  if (!secrets) throw new Error(`no password for ${ref}: the task definition must carry it as an ECS secret (${SOURCE_PASSWORD_ENV}), or set TRIBUTARY_SECRETS_PREFIX`);
  return secrets.get(ref);
};
// "exit": one attempt. Its first saved checkpoint clears the error the last run left (the
// machine counts the saved LSN as the success that resets the windows). A stalled Kafka write
// is waited out for a minute (a leader election takes seconds) before the run fails.
const runOnce = (run: RunAttempt) => {
  let recovered = false;
  return run({
    healthy: () => {
      if (recovered) return;
      recovered = true;
      void updateJob(store, env.TRIBUTARY_JOB_ID, (j) => (j.error || j.retry ? { error: undefined, retry: undefined } : undefined)).catch(() => undefined);
    },
    degraded: (error, since) => (Date.now() - since >= 60_000 ? error : undefined),
  });
};

async function dynamoUsageStore(tableName: string) {
  const [{ createDynamoUsageStore }, { createDynamoClient }] = await Promise.all([
    import('../shared/metering/dynamo-usage-store.ts'),
    import('../shared/storage/dynamo/dynamo-client.ts'),
  ]);
  return createDynamoUsageStore({ client: createDynamoClient(), tableName });
}

const controller = new AbortController();
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    log.info('stop requested', { signal });
    controller.abort();
  });
}

if (process.channel) {
  process.channel.unref();
  process.on('disconnect', () => {
    log.warn('control plane went away; stopping, leaving the job to be resumed');
    controller.abort('orphaned');
    // Nobody is left to SIGKILL a stop that hangs (a write Kafka never answers): exit anyway, as
    // the launcher would have after its stop timeout. Nothing is lost: only delivered commits were acknowledged.
    setTimeout(() => {
      log.error('orphaned worker did not stop within 30 s; exiting');
      process.exit(1);
    }, 30_000).unref();
  });
}

let exitCode = 0;
// This worker's claim on the job (worker-claim.ts): its final status is written only while it holds it.
const workerRun = randomUUID();
let claimed: string | undefined;
let lostClaim = false;
const replaced = (holder: string) => {
  lostClaim = true;
  log.warn('a newer worker runs this job now; leaving the job\'s status to it', { newer: holder });
};
try {
  const job = await updateJob(store, env.TRIBUTARY_JOB_ID, () => ({ workerRun })).catch((err) => {
    throw /not found/.test(String(err)) ? new Error(`job ${env.TRIBUTARY_JOB_ID} not found in ${env.TRIBUTARY_DATA_DIR ?? env.TRIBUTARY_JOBS_TABLE}`) : err;
  });
  claimed = workerRun;
  const password = await passwordOf(job.source.passwordRef, injected.source);
  const destinationPassword = job.destination.type === 'postgresql' ? await passwordOf(job.destination.passwordRef, injected.destination) : undefined;
  const usage = env.TRIBUTARY_DATA_DIR
    ? createSqliteUsageStore(join(env.TRIBUTARY_DATA_DIR, 'tributary.db'))
    : await dynamoUsageStore(env.TRIBUTARY_JOBS_TABLE!);
  const meter = createMeter({ store: usage, tenantId: job.tenantId, jobId: job.id, cpuCores: job.resources.cpuCores, log });
  // On AWS the same figures go to CloudWatch as embedded-metric-format log lines (worker/metrics/emf.ts).
  const environment = process.env.TRIBUTARY_ENVIRONMENT;
  const publish = environment
    ? (m: JobMetrics, bytesPerSecond: number) =>
        process.stdout.write(`${formatEmf({ environment, jobId: job.id, at: new Date(m.at), replicationLagMs: m.lagSeconds === undefined ? undefined : m.lagSeconds * 1000, retainedWalBytes: m.retainedWalBytes, rowsPerSecond: m.eventsPerSecond, bytesPerSecond })}\n`)
    : undefined;
  const observer = createObserver({ store, jobId: job.id, log, meter, publish });
  try {
    // One run per table list: a changed list (worker/objects-watch.ts) ends the run cleanly and starts the next.
    for (let current = job; ; ) {
      const restart = new AbortController();
      const signal = AbortSignal.any([controller.signal, restart.signal]);
      const watch = watchObjects({
        store, job: current, log, intervalMs: env.TRIBUTARY_OBJECTS_POLL_MS,
        onChange: (next) => {
          log.info('table list changed: restarting the stream at a clean checkpoint', { from: current.objects, to: next.objects });
          restart.abort();
        },
      });
      try {
        const attempt: RunAttempt = (hooks) => runJob({ job: current, password, destinationPassword, store, log, signal, hooks, observer });
        await (env.TRIBUTARY_RETRY === 'exit' ? runOnce(attempt) : runWithRetry(attempt, { job: current, store, log, signal }));
      } finally {
        watch.stop();
      }
      if (controller.signal.aborted || !restart.signal.aborted) break;
      const next = await store.get(job.id);
      if (!next) throw new Error(`job ${job.id} disappeared from the job store`);
      current = next;
    }
  } finally {
    await observer.close();
  }
  // An orphaned worker leaves the status as it is: the next control plane resumes the job.
  if (controller.signal.reason !== 'orphaned') await updateJob(store, job.id, whileClaimed(claimed, () => ({ status: 'stopped' }), replaced));
} catch (err) {
  const error = classify(err);
  log.error('worker failed', { code: error.code, class: error.errorClass, error: error.message });
  // in "exit" mode a retriable failure is not the end: the state machine decides, so the job shows "retrying"
  const status = env.TRIBUTARY_RETRY === 'exit' && error.errorClass !== 'fatal' ? 'retrying' : 'failed';
  await updateJob(store, env.TRIBUTARY_JOB_ID, whileClaimed(claimed, () => ({ status, error: error.toReport() }), replaced)).catch(() => undefined);
  exitCode = error.errorClass === 'connection' ? 75 : 1; // 75 = EX_TEMPFAIL: the launcher's hint that a retry may help
} finally {
  await store.close();
}
process.exit(lostClaim ? REPLACED_EXIT : exitCode);
