import { Hono } from 'hono';
import type { JobStore } from '../../shared/storage/job-store.ts';
import type { SecretStore } from '../../shared/secrets/secret-store.ts';
import type { Launcher } from '../launcher/launcher.ts';
import type { JobRecord } from '../../shared/job/job-record.ts';
import type { Logger } from '../../shared/logger.ts';
import { jobRoutes } from './routes/jobs.ts';
import { jobActionRoutes } from './routes/job-actions.ts';
import { precheckRoutes } from './routes/prechecks.ts';
import { usageRoutes } from './routes/usage.ts';
import type { UsageStore } from '../../shared/metering/usage.ts';
import type { PrecheckReport } from '../../shared/prechecks/precheck.ts';
import type { ReleasedObjects } from '../steps/release-source.ts';
import { problem } from './http-errors.ts';
import { openApiDocument } from './openapi.ts';
import { authenticate } from './authenticate.ts';
import { idempotency } from './idempotency.ts';
import type { IdempotencyStore } from '../../shared/storage/idempotency-store.ts';
import type { ApiKeyStore } from '../../shared/auth/api-keys.ts';
import { cachedApiKeys } from '../../shared/auth/cached-api-keys.ts';
import type { Alarms } from '../../shared/alerting/alarms.ts';

export type AppDeps = {
  store: JobStore;
  secrets: SecretStore;
  launcher: Launcher;
  /**
   * A user release's cleanup outside Tributary: the source's slot and publication and, for a
   * PostgreSQL destination, the job's rows there. On AWS that is the job machine's release branch
   * (its ReleaseSource step alone may read the passwords), locally the same functions in process.
   */
  releaseSource(job: JobRecord, password: string): Promise<ReleasedObjects>;
  /**
   * Locally: a user release deletes a Kafka job's position topic (best effort, never throws).
   * Absent on AWS, where the job machine's ReleaseSource step does it from inside the VPC
   * (and the API bundle carries no Kafka client).
   */
  releasePositionTopic?(job: JobRecord): Promise<unknown>;
  log: Logger;
  apiKeys: ApiKeyStore;
  idempotency: IdempotencyStore;
  runPrechecks(job: JobRecord, password: string, opts?: { destinationPassword?: string }): Promise<PrecheckReport>;
  usage: UsageStore;
  /** The job's alerting settings as alarms: CloudWatch on AWS, evaluated from its metrics locally. */
  alarms: Alarms;
};

// The one Hono app, the same on Lambda and locally; only `deps` differ.
export function createApp(deps: AppDeps) {
  const app = new Hono();
  app.get('/health', (c) => c.json({ ok: true }));
  const openapi = openApiDocument();
  app.get('/openapi.json', (c) => c.json(openapi));
  // Hono's "/jobs/*" also matches "/jobs" itself: one registration covers both
  const apiKeys = cachedApiKeys(deps.apiKeys);
  app.use('/jobs/*', authenticate(apiKeys), idempotency(deps.idempotency));
  app.use('/usage', authenticate(apiKeys));
  app.route('/jobs', jobRoutes(deps));
  app.route('/jobs', jobActionRoutes(deps));
  app.route('/jobs', precheckRoutes(deps));
  app.route('/', usageRoutes(deps));
  app.onError((err, c) => {
    deps.log.error('request failed', { path: c.req.path, error: err.message });
    return problem(c, { type: 'https://tributary.dev/problems/internal', title: 'Internal error', status: 500, detail: err.message });
  });
  return app;
}
