import { serve, type ServerType } from '@hono/node-server';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from './app.ts';
import type { JobRecord } from '../../shared/job/job-record.ts';
import { createSqliteJobStore } from '../../shared/storage/local/sqlite-job-store.ts';
import { createFileSecretStore } from '../../shared/secrets/local/file-secret-store.ts';
import { createChildProcessLauncher } from '../launcher/child-process-launcher.ts';
import { releaseSource } from '../steps/release-source.ts';
import { releaseDestination } from '../steps/release-destination.ts';
import { destinationPasswordOf } from '../../shared/job/job-secrets.ts';
import { releasePositionTopic } from '../steps/release-position-topic.ts';
import { createLogger, type Logger } from '../../shared/logger.ts';
import { resumeJobs } from '../launcher/resume-jobs.ts';
import { createSqliteApiKeyStore } from '../../shared/auth/sqlite-api-key-store.ts';
import { localApiKey } from './local-api-key.ts';
import { runPrechecks } from '../../shared/prechecks/run-prechecks.ts';
import { createSqliteUsageStore } from '../../shared/metering/sqlite-usage-store.ts';
import { createSqliteIdempotencyStore } from '../../shared/storage/local/sqlite-idempotency-store.ts';
import { createLocalAlarms } from '../../shared/alerting/local-alarms.ts';

// The local mode: the same Hono app on a local port, SQLite for storage, an
// encrypted file for secrets, workers as child processes. No AWS account.
export type LocalTributary = { url: string; port: number; apiKey: string; launcher: ReturnType<typeof createChildProcessLauncher>; close(): Promise<void> };

export async function startLocalTributary(opts: { dataDir: string; port?: number; log?: Logger }): Promise<LocalTributary> {
  const log = opts.log ?? createLogger({ component: 'api' });
  const store = createSqliteJobStore(join(opts.dataDir, 'tributary.db'));
  const secrets = createFileSecretStore(join(opts.dataDir, 'secrets'));
  const launcher = createChildProcessLauncher({ dataDir: opts.dataDir, store, log });
  await resumeJobs(store, launcher, log);
  const apiKeys = createSqliteApiKeyStore(join(opts.dataDir, 'tributary.db'));
  const apiKey = await localApiKey(opts.dataDir, apiKeys);
  const idempotencyStore = createSqliteIdempotencyStore(join(opts.dataDir, 'tributary.db'));
  const usage = createSqliteUsageStore(join(opts.dataDir, 'tributary.db'));
  // no CloudWatch locally: alerts are evaluated from the jobs' metrics, shown by GET /jobs/{id} and logged
  const alarms = createLocalAlarms(log.child({ component: 'alerts' }));
  const stopWatching = alarms.watch(store);
  // release as the job machine's ReleaseSource step does on AWS: the source, then the destination's bookkeeping
  const release = async (job: JobRecord, password: string) => {
    const removed = await releaseSource(job, password);
    await releaseDestination(job, await destinationPasswordOf(secrets, job), log);
    return removed;
  };
  const app = createApp({ store, secrets, launcher, releaseSource: release, releasePositionTopic: (job) => releasePositionTopic(job, log), log, apiKeys, idempotency: idempotencyStore, runPrechecks, usage, alarms });
  const server: ServerType = await new Promise((ok) => {
    const s = serve({ fetch: app.fetch, port: opts.port ?? 0, hostname: '127.0.0.1' }, () => ok(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port!;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    apiKey,
    launcher,
    async close() {
      stopWatching();
      await launcher.stopAll();
      await new Promise((ok) => server.close(ok));
      apiKeys.close();
      idempotencyStore.close();
      usage.close();
      await store.close();
    },
  };
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '8787' }, data: { type: 'string', default: '.data' } } });
  const tributary = await startLocalTributary({ dataDir: resolve(values.data!), port: Number(values.port) });
  console.log(`Tributary API on ${tributary.url} (data in ${resolve(values.data!)}); API key (tenant "local") in ${join(resolve(values.data!), 'api-key')}`);
  const shutdown = async () => {
    await tributary.close();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}
