import { z } from 'zod';
import { join } from 'node:path';
import { createSqliteJobStore } from '../shared/storage/local/sqlite-job-store.ts';
import { createFileSecretStore } from '../shared/secrets/local/file-secret-store.ts';
import { updateJob } from '../shared/storage/job-store.ts';
import { classify } from '../shared/errors/classify.ts';
import { createLogger } from '../shared/logger.ts';
import { runJob } from './run-job.ts';
import { runWithRetry } from './run-with-retry.ts';
import { createObserver } from './heartbeat/observe.ts';

// The worker process: environment → dependencies → run. It exits 0 when
// stopped, and non-zero after writing its classified error to the job, which
// is what the launcher (and later the state machine) reads to decide on retries.
const Env = z.object({
  TRIBUTARY_JOB_ID: z.string().min(1, 'TRIBUTARY_JOB_ID names the job this worker runs'),
  TRIBUTARY_DATA_DIR: z.string().min(1, 'TRIBUTARY_DATA_DIR is the local-mode data folder (job store and secrets)'),
});

const env = Env.parse(process.env);
const log = createLogger({ component: 'worker', jobId: env.TRIBUTARY_JOB_ID });
const store = createSqliteJobStore(join(env.TRIBUTARY_DATA_DIR, 'tributary.db'));
const secrets = createFileSecretStore(join(env.TRIBUTARY_DATA_DIR, 'secrets'));

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
  });
}

let exitCode = 0;
try {
  const job = await store.get(env.TRIBUTARY_JOB_ID);
  if (!job) throw new Error(`job ${env.TRIBUTARY_JOB_ID} not found in ${env.TRIBUTARY_DATA_DIR}`);
  const password = await secrets.get(job.source.passwordRef);
  const observer = createObserver({ store, jobId: job.id, log });
  try {
    await runWithRetry((hooks) => runJob({ job, password, store, log, signal: controller.signal, hooks, observer }), { job, store, log, signal: controller.signal });
  } finally {
    await observer.close();
  }
  // An orphaned worker leaves the status as it is: the next control plane resumes the job.
  if (controller.signal.reason !== 'orphaned') await updateJob(store, job.id, () => ({ status: 'stopped' }));
} catch (err) {
  const error = classify(err);
  log.error('worker failed', { code: error.code, class: error.errorClass, error: error.message });
  await updateJob(store, env.TRIBUTARY_JOB_ID, () => ({ status: 'failed', error: error.toReport() })).catch(() => undefined);
  exitCode = error.errorClass === 'connection' ? 75 : 1; // 75 = EX_TEMPFAIL: the launcher's hint that a retry may help
} finally {
  await store.close();
}
process.exit(exitCode);
