import { serve } from '@hono/node-server';
import { createLocalAlarms } from '../shared/alerting/local-alarms.ts';
import { createApp } from '../functions/api/app.ts';
import { createDynamoClient } from '../shared/storage/dynamo/dynamo-client.ts';
import { createDynamoJobStore } from '../shared/storage/dynamo/dynamo-job-store.ts';
import { createDynamoIdempotencyStore } from '../shared/storage/dynamo/dynamo-idempotency-store.ts';
import { createDynamoApiKeyStore } from '../shared/auth/dynamo-api-key-store.ts';
import { createDynamoUsageStore } from '../shared/metering/dynamo-usage-store.ts';
import { createFileSecretStore } from '../shared/secrets/local/file-secret-store.ts';
import { createLogger } from '../shared/logger.ts';

// The server side of bench/api-latency.ts, in its own process so the 50
// clients' work does not run on the server's event loop. Wired like the
// Lambda handler (one DynamoDB client shared by every store) but with the
// local secret and alarm adapters, a launcher that does nothing and logs
// dropped. Forked with an IPC channel: it sends {port} when listening,
// answers "cpu" with its CPU time so far, and exits cleanly on "stop" so
// that --cpu-prof can write its profile.
const { BENCH_DDB_ENDPOINT: endpoint, BENCH_TABLE: tableName, BENCH_SECRETS_DIR: secretsDir } = process.env;
if (!endpoint || !tableName || !secretsDir || !process.send) throw new Error('forked by bench/api-latency.ts only');

const client = createDynamoClient({ endpoint });
const quiet = createLogger({}, () => {});
const app = createApp({
  store: createDynamoJobStore({ tableName, client }),
  secrets: createFileSecretStore(secretsDir),
  launcher: { launch: async () => {}, stop: async () => {}, isRunning: () => false },
  releaseSource: async () => ({ slot: true, publication: true }),
  runPrechecks: async () => { throw new Error('not in this benchmark'); },
  log: quiet,
  apiKeys: createDynamoApiKeyStore({ client, tableName }),
  idempotency: createDynamoIdempotencyStore({ client, tableName }),
  alarms: createLocalAlarms(quiet),
  usage: createDynamoUsageStore({ client, tableName }),
});
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => process.send!({ port: info.port }));

process.on('message', (msg) => {
  if (msg === 'cpu') process.send!({ cpu: process.cpuUsage() });
  if (msg === 'stop') server.close(() => { client.destroy(); process.exit(0); });
});
