import { afterAll, beforeAll, inject } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { startLocalTributary, type LocalTributary } from '../../functions/api/local.ts';
import { createLogger } from '../../shared/logger.ts';
import { KAFKA_VERSIONS } from '../../scripts/services/kafka.ts';

// The combinations every end-to-end test runs on: each supported PostgreSQL
// major paired with one Kafka generation, so both are covered without a full
// cross product on a 2-core machine.
export const MATRIX = [
  { pg: 17, kafka: KAFKA_VERSIONS.current },
  { pg: 16, kafka: KAFKA_VERSIONS.legacy },
] as const;
export type Combo = (typeof MATRIX)[number];

export function servicesFor(combo: Combo) {
  const services = inject('services');
  const postgres = services.postgres[combo.pg];
  const kafka = services.kafka[combo.kafka];
  if (!postgres || !kafka) throw new Error(`services for ${JSON.stringify(combo)} were not started`);
  return { postgres, kafka };
}

/** A fresh database on the given server, with an admin client connected to it. */
export async function freshDatabase(connectionString: string): Promise<{ name: string; client: pg.Client; url: string }> {
  const name = `t_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = connectionString.replace(/\/[^/]*$/, `/${name}`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return { name, client, url };
}

// The API key of each control plane a test started, by base URL, so `api`
// authenticates like a real client without every test passing it around.
const apiKeys = new Map<string, string>();

export function rememberApiKey(base: string, key: string) {
  apiKeys.set(base, key);
}

export async function startTributary(opts: { dataDir?: string } = {}): Promise<LocalTributary & { dataDir: string; logs: string[] }> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'tributary-data-'));
  const logs: string[] = [];
  const t = await startLocalTributary({ dataDir, log: createLogger({ component: 'api' }, (l) => logs.push(l)) });
  rememberApiKey(t.url, t.apiKey);
  return { ...t, dataDir, logs };
}

/**
 * A local control plane for the enclosing describe block: started before its
 * tests, closed after them. The returned object is filled in by beforeAll.
 */
export function useLocalTributary(opts: { before?: () => void; after?: () => void } = {}): LocalTributary & { dataDir: string; logs: string[] } {
  const tributary = {} as LocalTributary & { dataDir: string; logs: string[] };
  beforeAll(async () => {
    opts.before?.();
    Object.assign(tributary, await startTributary());
  });
  afterAll(async () => {
    opts.after?.();
    await tributary.close?.();
  });
  return tributary;
}

export async function api(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any; text: string }> {
  const key = apiKeys.get(base);
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text };
}

export function jobBody(opts: { port: number; database: string; brokers: string[]; tables: Array<{ schema?: string; table: string }>; password?: string }) {
  return {
    name: `test-${opts.database}`,
    source: { type: 'postgresql', host: '127.0.0.1', port: opts.port, database: opts.database, user: 'postgres', password: opts.password ?? 'postgres', sslmode: 'disable' },
    destination: { type: 'kafka', brokers: opts.brokers },
    objects: { tables: opts.tables.map((t) => ({ schema: t.schema ?? 'public', table: t.table })) },
  };
}

/**
 * What a user does to run a job: precheck, acknowledge the ignorable
 * warnings, start. Throws with every blocking result when the precheck fails.
 */
export async function startJob(base: string, id: string): Promise<{ status: number; body: any }> {
  const precheck = await api(base, 'POST', `/jobs/${id}/precheck`);
  if (precheck.status !== 200 || precheck.body.verdict !== 'passed') {
    const blocking = (precheck.body?.results ?? []).filter((r: { id: string }) => precheck.body.blocking?.includes(r.id));
    throw new Error(`precheck did not pass (${precheck.status}): ${JSON.stringify(blocking.length ? blocking : precheck.body)}`);
  }
  if (precheck.body.needsAcknowledgement.length) await api(base, 'POST', `/jobs/${id}/precheck/ack`, { ids: precheck.body.needsAcknowledgement });
  return api(base, 'POST', `/jobs/${id}/start`);
}
