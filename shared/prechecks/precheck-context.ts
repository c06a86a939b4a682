import pg from 'pg';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { JobRecord } from '../job/job-record.ts';
import { pgConfig } from '../source/pg-config.ts';
import type { PrecheckContext, PrecheckOptions, SourceClient } from './precheck.ts';

// Connections are opened lazily and shared, so an unreachable source costs one
// connection attempt, not thirty. Every statement is bounded on the server
// too: a check that times out must not leave a query holding a lock.
const SESSION_OPTIONS = '-c statement_timeout=10000 -c lock_timeout=2000 -c idle_in_transaction_session_timeout=30000';

export function createPrecheckContext(job: JobRecord, password: string, options: PrecheckOptions, destinationPassword?: string): PrecheckContext & { close(): Promise<void> } {
  const config = pgConfig(job.source, password, { application_name: 'tributary-precheck', connectionTimeoutMillis: 5_000 });
  const opened: pg.Client[] = [];
  let source: Promise<SourceClient> | undefined;
  let destination: Promise<SourceClient> | undefined;
  let kafka: Kafka | undefined;
  let admin: Promise<Admin> | undefined;
  const memos = new Map<string, Promise<unknown>>();

  const connect = async (extra: Partial<pg.ClientConfig>, base: pg.ClientConfig = config) => {
    const client = new pg.Client({ ...base, ...extra } as pg.ClientConfig);
    opened.push(client);
    // an idle client whose server goes away emits 'error'; without a listener that would crash the process
    client.on('error', () => undefined);
    await client.connect();
    return client;
  };

  const kafkaClient = () => {
    if (job.destination.type !== 'kafka') throw new Error('the destination is not Kafka');
    // Few, short retries: a precheck reports an unreachable broker, it does not wait it out.
    kafka ??= new Kafka({
      clientId: 'tributary-precheck',
      brokers: job.destination.brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 3_000,
      requestTimeout: 10_000,
      retry: { retries: 1, initialRetryTime: 200, maxRetryTime: 1_000 },
    });
    return kafka;
  };

  return {
    job,
    options,
    source: () => (source ??= connect({ options: SESSION_OPTIONS }).then(serialized)),
    openSource: () => connect({ options: SESSION_OPTIONS }),
    openReplication: () => connect({ replication: 'database' } as Partial<pg.ClientConfig>),
    destination: () =>
      (destination ??= (async () => {
        if (job.destination.type !== 'postgresql') throw new Error('the destination is not PostgreSQL');
        const base = pgConfig(job.destination, destinationPassword ?? '', { application_name: 'tributary-precheck', connectionTimeoutMillis: 5_000 });
        return serialized(await connect({ options: SESSION_OPTIONS }, base));
      })()),
    kafka: kafkaClient,
    kafkaAdmin: () =>
      (admin ??= (async () => {
        const a = kafkaClient().admin({ retry: { retries: 1, initialRetryTime: 200, maxRetryTime: 1_000 } });
        await a.connect();
        return a;
      })()),
    memo<T>(key: string, load: () => Promise<T>): Promise<T> {
      let found = memos.get(key) as Promise<T> | undefined;
      if (!found) memos.set(key, (found = load()));
      return found;
    },
    async close() {
      const a = admin;
      await Promise.allSettled([...opened.map((c) => c.end()), a?.then((x) => x.disconnect())]);
    },
  };
}

function serialized(client: pg.Client): SourceClient {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    query(text, values) {
      const run = tail.then(() => client.query(text, values));
      tail = run.catch(() => undefined);
      return run;
    },
  };
}
