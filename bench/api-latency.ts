import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { bundleFunction } from '../scripts/bundle-function.ts';
import { startDynamoDbLocal } from '../scripts/services/dynamodb-local.ts';
import { createDynamoClient } from '../shared/storage/dynamo/dynamo-client.ts';
import { createTables, TENANT_INDEX } from '../shared/storage/dynamo/create-tables.ts';
import { jobKey } from '../shared/storage/dynamo/dynamo-job-store.ts';
import { createDynamoApiKeyStore } from '../shared/auth/dynamo-api-key-store.ts';
import { formatRow, measureConcurrent, procCpuMs, type LatencyRow } from './concurrent-latency.ts';

// Issue 5's API figures: p50/p99 of create, get and list at 50 concurrent
// clients against the local server on the DynamoDB adapter (DynamoDB Local).
// The server runs in a child process (bench/api-bench-server.ts), so the
// clients' own work is not on its event loop. Two baselines in the same run:
// GET /health (HTTP + Hono, no store) and the raw DynamoDB calls each route
// makes, sent from this process at the same concurrency (DynamoDB Local alone,
// plus the SDK). Each row also gives the CPU time per request of the server,
// the clients and DynamoDB Local: all three share the machine's cores.
// Then the Lambda bundle's size and the time to import it in a fresh process.
// BENCH_CPU_PROF=<dir> writes the server's CPU profile there (node --cpu-prof).
const CLIENTS = 50;
const PER_CLIENT = Number(process.env.BENCH_REQUESTS ?? 40);
const WARMUP = 5;

const ddb = await startDynamoDbLocal();
let server: ChildProcess | undefined;
try {
  const dynamo = createDynamoClient({ endpoint: ddb.endpoint });
  const tableName = `bench-${randomBytes(3).toString('hex')}`;
  await createTables(dynamo, tableName);
  const key = await createDynamoApiKeyStore({ client: dynamo, tableName }).create('bench');

  const prof = process.env.BENCH_CPU_PROF;
  server = fork(new URL('./api-bench-server.ts', import.meta.url).pathname, {
    execArgv: [...process.execArgv, ...(prof ? ['--cpu-prof', '--cpu-prof-dir', prof] : [])],
    env: { ...process.env, BENCH_DDB_ENDPOINT: ddb.endpoint, BENCH_TABLE: tableName, BENCH_SECRETS_DIR: mkdtempSync(join(tmpdir(), 'bench-secrets-')) },
  });
  const child = server;
  const [{ port }] = (await once(child, 'message')) as [{ port: number }];
  const base = `http://127.0.0.1:${port}`;
  const serverCpu = async () => {
    const reply = once(child, 'message');
    child.send('cpu');
    const [{ cpu }] = (await reply) as [{ cpu: NodeJS.CpuUsage }];
    return (cpu.user + cpu.system) / 1000;
  };
  const meters = {
    server: serverCpu,
    clients: async () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; },
    'DynamoDB Local': procCpuMs(ddb.pid),
  };
  const run = (name: string, request: (i: number) => Promise<void>) =>
    measureConcurrent(name, { clients: CLIENTS, perClient: PER_CLIENT, warmup: WARMUP, meters }, request);

  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const body = JSON.stringify({ source: { type: 'postgresql', host: 'db', database: 'shop', user: 'cdc', password: 'pw' }, destination: { type: 'kafka', brokers: ['b:9092'] }, objects: { tables: [{ table: 'orders' }] } });
  const call = async (path: string, init?: RequestInit) => {
    const res = await fetch(`${base}${path}`, init);
    const text = await res.text();
    if (res.status >= 400) throw new Error(`${init?.method ?? 'GET'} ${path}: ${res.status} ${text}`);
    return text;
  };
  const ids: string[] = [];
  const load = `load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`;

  const rows: LatencyRow[] = [];
  rows.push(await run('GET /health (baseline)', async () => void (await call('/health'))));
  rows.push(await run('POST /jobs', async () => {
    ids.push((JSON.parse(await call('/jobs', { method: 'POST', headers, body })) as { id: string }).id);
  }));
  rows.push(await run('GET /jobs/{id}', async (i) => void (await call(`/jobs/${ids[Math.abs(i) % ids.length]}`, { headers }))));
  rows.push(await run(`GET /jobs?limit=50 (${ids.length} jobs stored)`, async () => void (await call('/jobs?limit=50', { headers }))));
  // after the list, so that it reads the ~2,000 jobs the issue names
  rows.push(await run('POST /jobs with Idempotency-Key', async () => {
    await call('/jobs', { method: 'POST', headers: { ...headers, 'idempotency-key': randomBytes(12).toString('hex') }, body });
  }));

  // The raw calls behind those routes, at the same concurrency: what DynamoDB Local costs by itself.
  const item = (await dynamo.send(new GetItemCommand({ TableName: tableName, Key: jobKey(ids[0]), ConsistentRead: true }))).Item!;
  rows.push(await run('raw GetItem (baseline)', async (i) => {
    await dynamo.send(new GetItemCommand({ TableName: tableName, Key: jobKey(ids[Math.abs(i) % ids.length]), ConsistentRead: true }));
  }));
  rows.push(await run('raw Query, tenant index, Limit 51 (baseline)', async () => {
    await dynamo.send(new QueryCommand({
      TableName: tableName, IndexName: TENANT_INDEX, Limit: 51,
      KeyConditionExpression: 'tenantId = :t AND begins_with(pk, :job)',
      ExpressionAttributeValues: { ':t': { S: 'bench' }, ':job': { S: 'JOB#' } },
    }));
  }));
  rows.push(await run('raw PutItem of a job item (baseline)', async (i) => {
    // another tenant, so the list above and any rerun of it are unaffected
    const Item = { ...item, ...jobKey(`raw${i}`), tenantId: { S: 'bench-raw' } };
    await dynamo.send(new PutItemCommand({ TableName: tableName, Item, ConditionExpression: 'attribute_not_exists(pk)' }));
  }));
  const loadAfter = `after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`;
  child.send('stop');
  await once(child, 'exit');
  server = undefined;
  dynamo.destroy();

  const dir = mkdtempSync(join(tmpdir(), 'bench-bundle-'));
  // the bundle as deployed: infra/constructs/tributary-function.ts runs the same bundler
  await bundleFunction('functions/api/handler.ts', dir, { sourcemap: false });
  const outfile = join(dir, 'index.mjs');
  const size = statSync(outfile).size;
  const probe = join(dir, 'init.mjs');
  writeFileSync(probe, `const t = performance.now(); await import(${JSON.stringify(outfile)}); console.log((performance.now() - t).toFixed(0));`);
  const env = { ...process.env, TRIBUTARY_JOBS_TABLE: 't', TRIBUTARY_SECRETS_PREFIX: 'p', TRIBUTARY_SECRETS_KEY: 'k', TRIBUTARY_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:x', TRIBUTARY_CLUSTER: 'c', TRIBUTARY_ENVIRONMENT: 'bench', TRIBUTARY_ALARM_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:alarms', AWS_REGION: 'eu-west-1' };
  const inits = Array.from({ length: 5 }, () => {
    const out = spawnSync(process.execPath, [probe], { env, encoding: 'utf8' });
    if (out.status !== 0) throw new Error(`the bundled handler failed to load:\n${out.stderr}`);
    return Number(out.stdout.trim());
  });
  inits.sort((a, b) => a - b);

  console.log(`${new Date().toISOString().slice(0, 10)} | ${cpus().length} × ${cpus()[0]?.model}, ${Math.round(totalmem() / 2 ** 30)} GiB | ${CLIENTS} clients × ${PER_CLIENT} requests (+${WARMUP} warm-up) | ${load}, ${loadAfter}`);
  for (const r of rows) console.log(formatRow(r));
  console.log(`Lambda bundle (scripts/bundle-function.ts, minified): ${size} bytes (${(size / 1024).toFixed(0)} KiB); init (import in a fresh process, median of 5): ${inits[2]} ms`);
} finally {
  server?.kill();
  await ddb.stop();
}
