import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import pg from 'pg';
import { startPostgres, type PostgresService } from '../../scripts/services/postgres.ts';
import { KAFKA_VERSIONS, startKafka, type KafkaService } from '../../scripts/services/kafka.ts';
import { startTributary, api, jobBody, startJob } from '../support/e2e.ts';
import { readTopic } from '../support/kafka-reader.ts';
import { waitFor } from '../support/wait-for.ts';

// Outages of the source and of the destination while a job streams: the
// worker reports them (status retrying, with the error and its window),
// reconnects, and nothing committed on the source is missing in Kafka.
// These tests own their PostgreSQL and Kafka, since they restart them.
describe('source and destination outages mid-stream', () => {
  let postgres: PostgresService;
  let kafka: KafkaService;
  let tributary: Awaited<ReturnType<typeof startTributary>>;

  beforeAll(async () => {
    [postgres, kafka] = await Promise.all([startPostgres({ major: 17 }), startKafka({ version: KAFKA_VERSIONS.current })]);
    tributary = await startTributary();
  });
  afterAll(async () => {
    await tributary?.close();
    await Promise.allSettled([kafka?.stop(), postgres?.stop()]);
  });

  const connect = async (db: string) => {
    const client = new pg.Client({ connectionString: postgres.connectionString(db) });
    await client.connect();
    return client;
  };
  const insert = async (db: string, from: number, to: number) => {
    const client = await connect(db);
    for (let start = from; start <= to; start += 500) {
      await client.query(`INSERT INTO items SELECT g, md5(g::text) FROM generate_series($1::int, $2::int) g`, [start, Math.min(start + 499, to)]);
    }
    await client.end();
  };
  const streamingJob = async (db: string, deliveryGuarantee: 'at-least-once' | 'exactly-once' = 'at-least-once') => {
    await postgres.createDatabase(db);
    const client = await connect(db);
    await client.query('CREATE TABLE items (id int PRIMARY KEY, body text)');
    await client.end();
    const body = jobBody({ port: postgres.port, database: db, brokers: kafka.brokers, tables: [{ table: 'items' }] });
    const id = (await api(tributary.url, 'POST', '/jobs', { ...body, destination: { ...body.destination, deliveryGuarantee } })).body.id as string;
    await startJob(tributary.url, id);
    await waitFor('streaming', async () => (await api(tributary.url, 'GET', `/jobs/${id}`)).body.status === 'streaming');
    return id;
  };
  const expectAllIds = async (db: string, count: number) => {
    const messages = await readTopic(kafka.brokers, `${db}.public.items`, (m) => new Set(m.map((x) => x.key)).size >= count, 180_000);
    const ids = new Set(messages.map((m) => JSON.parse(m.value!).after.id as number));
    const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !ids.has(i));
    expect(missing).toEqual([]);
  };

  it('PostgreSQL down when the worker starts: retrying with SourceUnreachable and its window, then streams', async () => {
    const db = 'pg_down_at_start';
    await postgres.createDatabase(db);
    const client = await connect(db);
    await client.query('CREATE TABLE items (id int PRIMARY KEY, body text)');
    await client.end();
    const id = (await api(tributary.url, 'POST', '/jobs', jobBody({ port: postgres.port, database: db, brokers: kafka.brokers, tables: [{ table: 'items' }] }))).body.id as string;
    const precheck = (await api(tributary.url, 'POST', `/jobs/${id}/precheck`)).body;
    expect(precheck.verdict).toBe('passed');
    await api(tributary.url, 'POST', `/jobs/${id}/precheck/ack`, { ids: precheck.needsAcknowledgement });
    await postgres.stopOnly();
    try {
      expect((await api(tributary.url, 'POST', `/jobs/${id}/start`)).status).toBe(202);
      const job = await waitFor('retrying', async () => {
        const j = (await api(tributary.url, 'GET', `/jobs/${id}`)).body;
        return j.status === 'retrying' ? j : undefined;
      });
      expect(job.error).toMatchObject({ code: 'SourceUnreachable', class: 'connection' });
      expect(Date.parse(job.retry.until) - Date.parse(job.retry.since)).toBe(720 * 60_000);
    } finally {
      await postgres.startAgain();
    }
    await waitFor('streaming once PostgreSQL is back', async () => (await api(tributary.url, 'GET', `/jobs/${id}`)).body.status === 'streaming', 60_000);
    await insert(db, 1, 100);
    await expectAllIds(db, 100);
    await api(tributary.url, 'POST', `/jobs/${id}/stop`);
  });

  it('PostgreSQL restarted while the worker streams: reconnects, nothing lost', async () => {
    const db = 'pg_restart';
    const id = await streamingJob(db);
    await insert(db, 1, 20_000);
    await postgres.restart(); // fast shutdown: the walsender and our connections get 57P01
    const during = await waitFor('the failure to be reported or healed', async () => {
      const j = (await api(tributary.url, 'GET', `/jobs/${id}`)).body;
      return j.status === 'retrying' || (j.status === 'streaming' && j.ackedLsn) ? j : undefined;
    });
    if (during.status === 'retrying') {
      expect(during.error.class).toBe('connection');
      expect(during.retry.errorClass).toBe('connection');
      expect(Date.parse(during.retry.until) - Date.parse(during.retry.since)).toBe(720 * 60_000);
    }
    await insert(db, 20_001, 30_000);
    await expectAllIds(db, 30_000);
    const healed = await waitFor('streaming again with the error cleared', async () => {
      const j = (await api(tributary.url, 'GET', `/jobs/${id}`)).body;
      return j.status === 'streaming' && !j.error && !j.retry ? j : undefined;
    });
    expect(healed.status).toBe('streaming');
    await api(tributary.url, 'POST', `/jobs/${id}/stop`);
  });

  it('Kafka broker killed for a while mid-stream: reported as retrying, resumes, nothing lost', async () => {
    const db = 'kafka_outage';
    const id = await streamingJob(db);
    await insert(db, 1, 10_000);
    await kafka.kill();
    await insert(db, 10_001, 20_000); // committed while Kafka is down
    const stalled = await waitFor('the stall to be reported', async () => {
      const j = (await api(tributary.url, 'GET', `/jobs/${id}`)).body;
      return j.status === 'retrying' ? j : undefined;
    }, 60_000);
    expect(stalled.error).toMatchObject({ code: 'SinkUnreachable', class: 'connection' });
    // heartbeats written but not delivered make the reported lag grow while Kafka is down
    await waitFor('lag to grow during the outage', async () => ((await api(tributary.url, 'GET', `/jobs/${id}`)).body.metrics?.lagSeconds ?? 0) >= 8, 60_000);
    await kafka.restart();
    await insert(db, 20_001, 25_000);
    await expectAllIds(db, 25_000);
    await waitFor('streaming again with the error cleared', async () => {
      const j = (await api(tributary.url, 'GET', `/jobs/${id}`)).body;
      return j.status === 'streaming' && !j.error ? j : undefined;
    });
    await api(tributary.url, 'POST', `/jobs/${id}/stop`);
  });

  // Exactly-once keeps a Kafka transaction open across the outage (shorter than its 5 min timeout):
  // the producer retries into it and commits once the broker is back, so nothing is lost or doubled.
  it('exactly-once: Kafka broker killed for a while mid-stream: each change once for a read_committed consumer', async () => {
    const db = 'kafka_outage_eos';
    const id = await streamingJob(db, 'exactly-once');
    await insert(db, 1, 10_000);
    await kafka.kill();
    await insert(db, 10_001, 20_000);
    await waitFor('the stall to be reported', async () => (await api(tributary.url, 'GET', `/jobs/${id}`)).body.status === 'retrying', 60_000);
    await kafka.restart();
    await insert(db, 20_001, 25_000);
    let stableSince = 0;
    let last = -1;
    const messages = await readTopic(kafka.brokers, `${db}.public.items`, (m) => {
      if (m.length !== last) [last, stableSince] = [m.length, Date.now()];
      return new Set(m.map((x) => x.key)).size >= 25_000 && Date.now() - stableSince > 2_000;
    }, 180_000);
    expect(messages.length).toBe(25_000);
    await waitFor('streaming again with the error cleared', async () => {
      const j = (await api(tributary.url, 'GET', `/jobs/${id}`)).body;
      return j.status === 'streaming' && !j.error ? j : undefined;
    });
    await api(tributary.url, 'POST', `/jobs/${id}/stop`);
  });
});
