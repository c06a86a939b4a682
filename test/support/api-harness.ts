import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../functions/api/app.ts';
import type { Launcher } from '../../functions/launcher/launcher.ts';
import type { JobRecord } from '../../shared/job/job-record.ts';
import type { PrecheckReport } from '../../shared/prechecks/precheck.ts';
import { createSqliteJobStore } from '../../shared/storage/local/sqlite-job-store.ts';
import { createFileSecretStore } from '../../shared/secrets/local/file-secret-store.ts';
import { createLogger } from '../../shared/logger.ts';
import { createSqliteApiKeyStore } from '../../shared/auth/sqlite-api-key-store.ts';
import { createSqliteIdempotencyStore } from '../../shared/storage/local/sqlite-idempotency-store.ts';
import { createSqliteUsageStore } from '../../shared/metering/sqlite-usage-store.ts';
import { createLocalAlarms } from '../../shared/alerting/local-alarms.ts';
import type { Alarms } from '../../shared/alerting/alarms.ts';

// The Hono app over real local adapters (SQLite in memory, the encrypted
// secret file) with a recording launcher and release step: route tests call
// app.request() and see exactly what a client would.
export const PASSWORD = 'S3cret-for-the-source';
export const jobBody = () => ({
  name: 'shop',
  source: { type: 'postgresql', host: 'db.internal', database: 'shop', user: 'cdc', password: PASSWORD },
  destination: { type: 'kafka', brokers: ['b1.internal:9092'] },
  objects: { tables: [{ table: 'orders' }] },
});

/** Records every call; `running` is what a real launcher would report. */
function fakeLauncher() {
  const calls: string[] = [];
  const running = new Set<string>();
  const launcher: Launcher = {
    launch: async (id) => void (calls.push(`launch ${id}`), running.add(id)),
    stop: async (id) => void (calls.push(`stop ${id}`), running.delete(id)),
    isRunning: (id) => running.has(id),
  };
  return { launcher, calls };
}

export function passingReport(over: Partial<PrecheckReport> = {}): PrecheckReport {
  return { verdict: 'passed', results: [], needsAcknowledgement: [], blocking: [], startedAt: new Date().toISOString(), durationMs: 1, ...over };
}

export function createApiHarness() {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-api-'));
  const store = createSqliteJobStore(':memory:');
  const secrets = createFileSecretStore(join(dir, 'secrets'));
  const launcher = fakeLauncher();
  const released: Array<{ job: JobRecord; password: string }> = [];
  const apiKeys = createSqliteApiKeyStore(':memory:');
  const idempotency = createSqliteIdempotencyStore(':memory:');
  const usage = createSqliteUsageStore(':memory:');
  const h = {
    apiKeys,
    usage,
    /** Tenant A's key, sent by `call` unless headers say otherwise. */
    apiKey: '',
    store, secrets, launcher, released,
    /** Jobs whose Kafka position topic a release asked to delete (the local mode's dependency). */
    positionTopicReleases: [] as string[],
    releaseFails: undefined as Error | undefined,
    /** What the next precheck reports; a passing report by default. */
    precheckReport: passingReport() as PrecheckReport,
    precheckCalls: [] as Array<{ job: JobRecord; password: string; destinationPassword?: string }>,
    /** When set, the next precheck throws it. */
    precheckFails: undefined as Error | undefined,
    /** "apply <id>" / "remove <id>" for each alarms call; `alarmsFail` makes the next ones throw. */
    alarmCalls: [] as string[],
    alarmsFail: undefined as Error | undefined,
    app: undefined as unknown as ReturnType<typeof createApp>,
    async call(method: string, path: string, body?: unknown, raw?: string, headers: Record<string, string> = {}) {
      const res = await h.app.request(path, {
        method,
        headers: { authorization: `Bearer ${h.apiKey}`, ...(body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        ...(body !== undefined || raw !== undefined ? { body: raw ?? JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, type: res.headers.get('content-type') ?? '', location: res.headers.get('location'), text, body: text ? JSON.parse(text) : undefined };
    },
    async created(over: Record<string, unknown> = {}) {
      return (await h.call('POST', '/jobs', { ...jobBody(), ...over })).body.id as string;
    },
    /** A created job whose precheck passed: ready to start. */
    async prechecked(over: Record<string, unknown> = {}) {
      const id = await h.created(over);
      await h.call('POST', `/jobs/${id}/precheck`);
      return id;
    },
    async close() {
      apiKeys.close();
      idempotency.close();
      usage.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const releaseSource = async (job: JobRecord, password: string) => {
    released.push({ job, password });
    if (h.releaseFails) throw h.releaseFails;
    return { slot: true, publication: true };
  };
  // the real local adapter, recorded, with a failure switch for the routes' error paths
  const local = createLocalAlarms(createLogger({}, () => undefined));
  const alarms: Alarms = {
    apply: async (job) => {
      h.alarmCalls.push(`apply ${job.id}`);
      if (h.alarmsFail) throw h.alarmsFail;
      return local.apply(job);
    },
    remove: async (job) => {
      h.alarmCalls.push(`remove ${job.id}`);
      if (h.alarmsFail) throw h.alarmsFail;
      return local.remove(job);
    },
    firing: local.firing,
  };
  h.app = createApp({ alarms, store, secrets, launcher: launcher.launcher, releaseSource,
    releasePositionTopic: async (job) => void h.positionTopicReleases.push(job.id), log: createLogger({}, () => undefined), apiKeys, idempotency,
    runPrechecks: async (job, password, opts) => {
      h.precheckCalls.push({ job, password, destinationPassword: opts?.destinationPassword });
      if (h.precheckFails) throw h.precheckFails;
      return h.precheckReport;
    }, usage });
  return h;
}

/** A harness whose `apiKey` belongs to tenant "tenant-a"; make more keys with `h.apiKeys.create`. */
export async function createAuthedApiHarness() {
  const h = createApiHarness();
  h.apiKey = await h.apiKeys.create('tenant-a');
  return h;
}
