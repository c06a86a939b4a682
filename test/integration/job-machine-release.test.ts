// The job state machine (the deployed ASL, on aws-local-stepfunctions) failing a
// job past its connection window and releasing its source for real: the slot,
// held by an active walsender, the publication and the heartbeat table are gone
// from a real PostgreSQL 17 afterwards (SPEC.md §3: a failed job's slot is removed).
// A user release also deletes the job's Kafka position topic on a real broker
// (both versions), and an unreachable broker leaves it with a warning, never a
// failed release.
import { afterAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { synthApp, templateOf } from '../infra/support/synth.ts';
import { jobMachineDefinition } from '../infra/support/job-machine-asl.ts';
import { jobMachineHarness, T0 } from '../infra/support/job-machine-harness.ts';
import { releaseSource } from '../../functions/steps/release-source.ts';
import { heartbeatTableOf } from '../../shared/source/replication-objects.ts';
import { freshDatabase } from '../support/e2e.ts';
import { waitFor } from '../support/wait-for.ts';
import { Kafka, logLevel } from 'kafkajs';
import { createLogger } from '../../shared/logger.ts';
import { releasePositionTopic } from '../../functions/steps/release-position-topic.ts';
import { POSITION_TOPIC_CONFIGS, positionTopicOf } from '../../worker/sinks/kafka/kafka-position.ts';
import type { KafkaDestination } from '../../shared/job/job-spec.ts';

const postgres = inject('services').postgres[17];
const kafkas = Object.values(inject('services').kafka);
const clients: pg.Client[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
});

describe('job machine on a real source', () => {
  it('an outage longer than the window fails the job and drops its slot, publication and heartbeat table', async () => {
    const { definition, stateMachineName } = jobMachineDefinition(templateOf(synthApp(['dev']), 'Tributary-dev-ControlPlane'));
    const db = await freshDatabase(postgres.connectionString);
    clients.push(db.client);
    const suffix = randomBytes(4).toString('hex');
    const slotName = `tributary_it_${suffix}`;
    const publicationName = `tributary_it_${suffix}`;

    const h = await jobMachineHarness({
      definition, stateMachineName,
      worker: (now) => (now < T0 + 60 * 60_000 ? { kind: 'fail', errorClass: 'connection' } : { kind: 'stream', durationMs: 1, then: 'stopped-by-user' }),
      job: { slotName, publicationName, slotPrefix: 'tributary_', source: { type: 'postgresql', host: '127.0.0.1', port: postgres.port, database: db.name, user: 'postgres', sslmode: 'disable', passwordRef: '' } },
      password: 'postgres',
      releaseSource,
    });
    const heartbeat = heartbeatTableOf(h.job);
    await db.client.query('CREATE TABLE orders (id int PRIMARY KEY)');
    await db.client.query(`CREATE PUBLICATION ${publicationName} FOR TABLE orders`);
    await db.client.query(`CREATE TABLE "${heartbeat.table}" (id int PRIMARY KEY, ts timestamptz NOT NULL)`);
    await db.client.query("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", [slotName]);
    // a walsender still holds the slot, as a worker the machine lost track of would
    const walsender = new pg.Client({ connectionString: db.url, replication: 'database' } as pg.ClientConfig);
    clients.push(walsender);
    await walsender.connect();
    walsender.query(`START_REPLICATION SLOT ${slotName} LOGICAL 0/0 (proto_version '1', publication_names '${publicationName}')`).catch(() => undefined);
    walsender.on('error', () => undefined);
    const active = async () => (await db.client.query('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slotName])).rows[0]?.active;
    await waitFor('the walsender to hold the slot', active, 10_000, 100);

    const result = await h.run({ jobId: h.job.id, windows: { connectionRetryMinutes: 10, otherRetryMinutes: 1 } });

    expect(result).toMatchObject({ status: 'FAILED', error: 'JobFailed' });
    const left = await db.client.query(
      `SELECT (SELECT count(*) FROM pg_replication_slots WHERE slot_name = $1)::int AS slots,
              (SELECT count(*) FROM pg_publication WHERE pubname = $2)::int AS publications,
              to_regclass(format('%I.%I', $3::text, $4::text)) IS NOT NULL AS heartbeat`,
      [slotName, publicationName, heartbeat.schema, heartbeat.table],
    );
    expect(left.rows[0]).toEqual({ slots: 0, publications: 0, heartbeat: false });
    const job = await h.store.get(h.job.id);
    expect(job?.status).toBe('failed');
    expect(job?.error?.message).toContain(`removed from the source: slot ${slotName} and publication ${publicationName}`);
  });

  const kafkaDestination = (brokers: string[]): KafkaDestination => ({
    type: 'kafka', brokers, topicRule: '#{source_db_name}.#{source_schema_name}.#{source_table_name}', partitionPolicy: 'hash-primary-key',
    newTopicPartitions: 3, deliveryGuarantee: 'exactly-once', tombstonesOnDelete: true, properties: {},
  });

  it.each(kafkas)('a user release deletes the job\'s position topic on Kafka $version', async ({ brokers }) => {
    const { definition, stateMachineName } = jobMachineDefinition(templateOf(synthApp(['dev']), 'Tributary-dev-ControlPlane'));
    const lines: string[] = [];
    const log = createLogger({}, (l) => lines.push(l));
    const h = await jobMachineHarness({
      definition, stateMachineName, worker: () => { throw new Error('release must not launch a worker'); },
      job: { status: 'releasing', destination: kafkaDestination(brokers) },
      releasePositionTopic: (j) => releasePositionTopic(j, log),
    });
    const topic = positionTopicOf(h.job.id);
    // the topic as the worker creates it (worker/sinks/kafka/kafka-sink.ts), with a position in it
    const admin = new Kafka({ clientId: 'release-test', brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1, replicationFactor: 1, configEntries: POSITION_TOPIC_CONFIGS }] });
      expect(await admin.listTopics()).toContain(topic);

      const result = await h.run({ jobId: h.job.id, action: 'release' });

      expect(result.status).toBe('SUCCEEDED');
      expect((await h.store.get(h.job.id))?.status).toBe('released');
      expect(lines.map((l) => JSON.parse(l))).toContainEqual(expect.objectContaining({ level: 'info', msg: 'Kafka position topic deleted', topic }));
      await waitFor(`${topic} to be deleted`, async () => !(await admin.listTopics()).includes(topic), 30_000, 200);
    } finally {
      await admin.disconnect();
    }
  });

  it('an unreachable broker leaves the position topic with a warning that says how to delete it; the release still succeeds', async () => {
    const { definition, stateMachineName } = jobMachineDefinition(templateOf(synthApp(['dev']), 'Tributary-dev-ControlPlane'));
    const lines: string[] = [];
    const log = createLogger({}, (l) => lines.push(l));
    const h = await jobMachineHarness({
      definition, stateMachineName, worker: () => { throw new Error('release must not launch a worker'); },
      job: { status: 'releasing', destination: kafkaDestination(['127.0.0.1:1']) }, // nothing listens on port 1
      releasePositionTopic: (j) => releasePositionTopic(j, log, { deadlineMs: 10_000 }),
    });

    const result = await h.run({ jobId: h.job.id, action: 'release' });

    expect(result.status).toBe('SUCCEEDED');
    expect((await h.store.get(h.job.id))?.status).toBe('released');
    const warning = lines.map((l) => JSON.parse(l)).find((l) => l.level === 'warn');
    expect(warning).toMatchObject({ topic: positionTopicOf(h.job.id) });
    expect(warning.msg).toContain(`kafka-topics.sh --bootstrap-server 127.0.0.1:1 --delete --topic ${positionTopicOf(h.job.id)}`);
    expect(warning.error).toMatch(/ECONNREFUSED|connect/i);
  }, 60_000);
});
