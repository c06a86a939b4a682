// The job state machine (the deployed ASL, on aws-local-stepfunctions) failing a
// job past its connection window and releasing its source for real: the slot,
// held by an active walsender, the publication and the heartbeat table are gone
// from a real PostgreSQL 17 afterwards (SPEC.md §3: a failed job's slot is removed).
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

const postgres = inject('services').postgres[17];
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
});
