import { serve } from '@hono/node-server';
import { bundleFunction } from '../scripts/bundle-function.ts';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createLocalAlarms } from '../shared/alerting/local-alarms.ts';
import { createApp } from '../functions/api/app.ts';
import { startDynamoDbLocal } from '../scripts/services/dynamodb-local.ts';
import { createDynamoClient } from '../shared/storage/dynamo/dynamo-client.ts';
import { createTables } from '../shared/storage/dynamo/create-tables.ts';
import { createDynamoJobStore } from '../shared/storage/dynamo/dynamo-job-store.ts';
import { createDynamoIdempotencyStore } from '../shared/storage/dynamo/dynamo-idempotency-store.ts';
import { createDynamoApiKeyStore } from '../shared/auth/dynamo-api-key-store.ts';
import { createDynamoUsageStore } from '../shared/metering/dynamo-usage-store.ts';
import { createFileSecretStore } from '../shared/secrets/local/file-secret-store.ts';
import { createLogger } from '../shared/logger.ts';

// Issue 5's API figures: p50/p99 of create, get and list at 50 concurrent
// clients against the local server on the DynamoDB adapter (DynamoDB Local),
// with a baseline in the same run: GET /health, which touches no store
// (the cost of HTTP + Hono alone). Then the Lambda bundle's size and the time
// to import it in a fresh Node process (the handler's cold-start init).
const CLIENTS = 50;
const PER_CLIENT = Number(process.env.BENCH_REQUESTS ?? 40);

const ddb = await startDynamoDbLocal();
try {
  const client = createDynamoClient({ endpoint: ddb.endpoint });
  const tableName = `bench-${randomBytes(3).toString('hex')}`;
  await createTables(client, tableName);
  const apiKeys = createDynamoApiKeyStore({ client, tableName });
  const key = await apiKeys.create('bench');
  const launcher = { launch: async () => {}, stop: async () => {}, isRunning: () => false };
  const app = createApp({
    store: createDynamoJobStore({ endpoint: ddb.endpoint, tableName }),
    secrets: createFileSecretStore(mkdtempSync(join(tmpdir(), 'bench-secrets-'))),
    launcher, releaseSource: async () => ({ slot: true, publication: true }),
    runPrechecks: async () => { throw new Error('not in this benchmark'); },
    log: createLogger({}, () => {}), apiKeys, idempotency: createDynamoIdempotencyStore({ client, tableName }),
    alarms: createLocalAlarms(createLogger({}, () => {})),
    usage: createDynamoUsageStore({ client, tableName }),
  });
  const server = await new Promise<ReturnType<typeof serve>>((ok) => { const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => ok(s)); });
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const body = JSON.stringify({ source: { type: 'postgresql', host: 'db', database: 'shop', user: 'cdc', password: 'pw' }, destination: { type: 'kafka', brokers: ['b:9092'] }, objects: { tables: [{ table: 'orders' }] } });

  const measure = async (name: string, request: (i: number) => Promise<Response>) => {
    const times: number[] = [];
    await Promise.all(Array.from({ length: CLIENTS }, async (_, c) => {
      for (let i = 0; i < PER_CLIENT; i++) {
        const t = performance.now();
        const res = await request(c * PER_CLIENT + i);
        await res.arrayBuffer();
        if (res.status >= 400) throw new Error(`${name}: ${res.status}`);
        times.push(performance.now() - t);
      }
    }));
    times.sort((a, b) => a - b);
    const p = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(1);
    return `${name}: p50 ${p(0.5)} ms, p99 ${p(0.99)} ms (${times.length} requests)`;
  };

  const ids: string[] = [];
  const rows = [
    await measure('GET /health (baseline)', () => fetch(`${base}/health`)),
    await measure('POST /jobs', async () => {
      const res = await fetch(`${base}/jobs`, { method: 'POST', headers, body });
      ids.push(((await res.clone().json()) as { id: string }).id);
      return res;
    }),
    await measure('GET /jobs/{id}', (i) => fetch(`${base}/jobs/${ids[i % ids.length]}`, { headers })),
    await measure('GET /jobs?limit=50', () => fetch(`${base}/jobs?limit=50`, { headers })),
  ];
  server.close();

  const dir = mkdtempSync(join(tmpdir(), 'bench-bundle-'));
  // the bundle as deployed: infra/constructs/tributary-function.ts runs the same bundler
  await bundleFunction('functions/api/handler.ts', dir, { sourcemap: false });
  const outfile = join(dir, 'index.mjs');
  const size = statSync(outfile).size;
  const probe = join(dir, 'init.mjs');
  writeFileSync(probe, `const t = performance.now(); await import(${JSON.stringify(outfile)}); console.log((performance.now() - t).toFixed(0));`);
  const env = { ...process.env, TRIBUTARY_JOBS_TABLE: 't', TRIBUTARY_SECRETS_PREFIX: 'p', TRIBUTARY_SECRETS_KEY: 'k', TRIBUTARY_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:x', TRIBUTARY_CLUSTER: 'c', TRIBUTARY_ENVIRONMENT: 'bench', AWS_REGION: 'eu-west-1' };
  const inits = Array.from({ length: 5 }, () => Number(spawnSync(process.execPath, [probe], { env, encoding: 'utf8' }).stdout.trim()));
  inits.sort((a, b) => a - b);

  console.log(`${new Date().toISOString().slice(0, 10)} | ${cpus().length} × ${cpus()[0]?.model}, ${Math.round(totalmem() / 2 ** 30)} GiB | ${CLIENTS} clients`);
  for (const r of rows) console.log(r);
  console.log(`Lambda bundle (scripts/bundle-function.ts, minified): ${(size / 1024).toFixed(0)} KiB; init (import in a fresh process, median of 5): ${inits[2]} ms`);
} finally {
  await ddb.stop();
}
