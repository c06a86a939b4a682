import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { runPrechecks } from '../../shared/prechecks/run-prechecks.ts';
import { PRECHECKS } from '../../shared/prechecks/checks/index.ts';
import type { CheckResult, PrecheckReport } from '../../shared/prechecks/precheck.ts';
import { ddlCaptureOf, ddlCaptureSql } from '../../shared/source/ddl-capture.ts';
import { startPostgres, type PostgresService } from '../../scripts/services/postgres.ts';
import { startPhysicalStandby, type PhysicalStandby } from '../support/physical-standby.ts';
import { MATRIX, api, jobBody, servicesFor, startJob, useLocalTributary } from '../support/e2e.ts';
import { readTopic } from '../support/kafka-reader.ts';
import { waitFor } from '../support/wait-for.ts';
import { jobRecord } from '../unit/shared/prechecks/job-fixture.ts';

// A standby as a job's source: it is read-only, so what the job would create
// there (publication, heartbeat table, event trigger) is either created on the
// primary and replicated, or done without. The standby is this file's own
// (a standby of the shared server would change other files' failover checks).

const CHECKS = PRECHECKS.filter((c) => ['source-reachable', 'source-authentication', 'tables-exist', 'publication', 'heartbeat-table', 'row-filter'].includes(c.id));
const byId = (report: PrecheckReport) => new Map(report.results.map((r) => [r.id, r]));
const statements = (fix: string) => fix.split('\n').filter((l) => l.trim() && !l.trim().startsWith('--'));
const ON_PRIMARY = "-- on the primary: the source is a standby (read-only) and the publication replicates to it; as the tables' owner or a superuser";

describe.each(MATRIX)('a standby of PostgreSQL $pg as the source (Kafka $kafka)', (combo) => {
  const tributary = useLocalTributary();
  const database = `s_${randomBytes(4).toString('hex')}`;
  let primary: PostgresService;
  let standby: PhysicalStandby;
  let onPrimary: pg.Client;
  let onStandby: pg.Client;

  const connect = async (url: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return client;
  };
  /** Runs statements on the primary and waits until the standby has replayed them. */
  const onPrimaryReplayed = async (sql: string[]) => {
    for (const statement of sql) await onPrimary.query(statement);
    const { rows: [{ lsn }] } = await onPrimary.query('SELECT pg_current_wal_lsn()::text AS lsn');
    await waitFor('the standby to replay it', async () => (await onStandby.query('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done', [lsn])).rows[0].done, 30_000, 50);
  };
  // A logical slot on a standby waits for a running-xacts record from the primary, which it writes only every 15 s, and only when busy.
  const nudgePrimary = () => {
    let on = true;
    const loop = (async () => {
      while (on) {
        await onPrimary.query('SELECT pg_log_standby_snapshot()').catch(() => undefined);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    return () => ((on = false), loop);
  };

  beforeAll(async () => {
    primary = await startPostgres({ major: combo.pg });
    await primary.createDatabase(database);
    onPrimary = await connect(primary.connectionString(database));
    await onPrimary.query('CREATE TABLE orders (id int PRIMARY KEY, region text NOT NULL, qty int)');
    await onPrimary.query('CREATE TABLE notes (id int PRIMARY KEY, body int)');
    standby = await startPhysicalStandby(primary, { settings: { hot_standby_feedback: 'on' } });
    onStandby = await connect(standby.connectionString(database));
  });

  afterAll(async () => {
    await Promise.allSettled([onPrimary?.end(), onStandby?.end()]);
    try {
      await standby?.stop();
    } finally {
      await primary?.stop();
    }
  });

  it('publication: the fix is CREATE / ALTER PUBLICATION for the primary, and it passes once replicated; heartbeat-table warns that lag is not measured', async () => {
    const job = jobRecord({
      id: 'jstandby01',
      source: { type: 'postgresql', host: '127.0.0.1', port: standby.port, database, user: 'postgres', password: 'x', sslmode: 'disable' },
      startMode: { type: 'incremental' },
      objects: { tables: [{ schema: 'public', table: 'orders', rowFilter: "region = 'eu'" }, { schema: 'public', table: 'notes' }] },
    });
    const run = async () => byId(await runPrechecks(job, primary.password, { checks: CHECKS }));

    const missing = await run();
    expect(missing.get('publication')).toMatchObject({
      status: 'error',
      detail: `the source is a standby (read-only), so the job cannot create or alter its publication: publication "${job.publicationName}" does not exist on the standby`,
      fix: `${ON_PRIMARY}\nCREATE PUBLICATION "${job.publicationName}" FOR TABLE "public"."orders" WHERE (region = 'eu'), "public"."notes" WITH (publish_via_partition_root = true);`,
    });
    expect(missing.get('row-filter')!.status).toBe('skipped');
    expect(missing.get('heartbeat-table')).toMatchObject({
      status: 'warning',
      ignorable: true,
      detail: 'the source is a standby (read-only): the job writes no heartbeat rows there, so replication lag is not measured and a lag alarm (alerting.lagThresholdSeconds) never fires; retained WAL is still reported',
    });

    // created on the primary without one table: the fix becomes ALTER … SET TABLE
    await onPrimaryReplayed([`CREATE PUBLICATION "${job.publicationName}" FOR TABLE orders WHERE (region = 'eu') WITH (publish_via_partition_root = true)`]);
    const partial = (await run()).get('publication') as CheckResult;
    expect(partial).toMatchObject({ status: 'error', detail: expect.stringContaining(`publication "${job.publicationName}" does not publish "public"."notes"`) });
    expect(partial.fix).toBe(`${ON_PRIMARY}\nALTER PUBLICATION "${job.publicationName}" SET TABLE "public"."orders" WHERE (region = 'eu'), "public"."notes";`);

    await onPrimaryReplayed(statements(partial.fix!));
    const fixed = await run();
    expect(fixed.get('publication')).toMatchObject({ status: 'pass', detail: expect.stringMatching(/^the source is a standby: publication ".+" exists \(replicated from the primary\) and publishes the job's 2 table\(s\)/) });
    // judged from the publication itself (a standby refuses even a rolled-back CREATE PUBLICATION): region is outside the key
    const filter = fixed.get('row-filter') as CheckResult;
    expect(filter).toMatchObject({
      status: 'error',
      detail: `the filter of publication "${job.publicationName}" on "public"."orders" reads region, outside its replica identity: UPDATE and DELETE on the table fail on the primary`,
      fix: '-- on the primary: the source is a standby (read-only) and this replicates to it\nALTER TABLE "public"."orders" REPLICA IDENTITY FULL; -- or filter on key columns only',
    });
    await onPrimaryReplayed(statements(filter.fix!));
    expect((await run()).get('row-filter')).toMatchObject({ status: 'pass', detail: expect.stringContaining(`the row filters are those of publication "${job.publicationName}", created on the primary`) });
    await onPrimaryReplayed([`DROP PUBLICATION "${job.publicationName}"`]);
  });

  it('a streaming job on the standby delivers rows and DDL committed on the primary; release drops its slot there and names what to drop on the primary', async () => {
    const { kafka } = servicesFor(combo);
    const created = await api(tributary.url, 'POST', '/jobs', {
      ...jobBody({ port: standby.port, database, brokers: kafka.brokers, tables: [{ table: 'orders' }], password: primary.password }),
      startMode: { type: 'incremental' },
    });
    expect(created.status).toBe(201);
    const job = created.body;

    const precheck = await api(tributary.url, 'POST', `/jobs/${job.id}/precheck`);
    expect(precheck.body.blocking).toEqual(['publication']);
    const fix = precheck.body.results.find((r: CheckResult) => r.id === 'publication').fix as string;
    // DDL capture: the event trigger the worker cannot create on the standby, created on the primary as the worker's log says
    const ddl = ddlCaptureSql(ddlCaptureOf(job));
    await onPrimaryReplayed([...statements(fix), ddl.fn, ddl.trigger]);

    const stopNudging = nudgePrimary();
    try {
      expect((await startJob(tributary.url, job.id)).status).toBe(202);
      await waitFor('the job to stream from the standby', async () => (await api(tributary.url, 'GET', `/jobs/${job.id}`)).body.status === 'streaming', 120_000, 250);
    } finally {
      await stopNudging();
    }
    const slot = await onStandby.query('SELECT slot_type, plugin FROM pg_replication_slots WHERE slot_name = $1', [job.slotName]);
    expect(slot.rows).toEqual([{ slot_type: 'logical', plugin: 'pgoutput' }]);

    await onPrimary.query(`INSERT INTO orders VALUES (1, 'eu', 3)`);
    await onPrimary.query('ALTER TABLE orders ADD COLUMN note text');
    const rows = await readTopic(kafka.brokers, `${database}.public.orders`, (m) => m.length >= 1);
    expect(JSON.parse(rows[0].value!)).toMatchObject({ op: 'c', after: { id: 1, region: 'eu', qty: 3 }, source: { db: database, table: 'orders' } });
    const changes = await readTopic(kafka.brokers, `${database}.schema-changes`, (m) => m.length >= 1);
    expect(JSON.parse(changes[0].value!)).toMatchObject({ ddl: 'ALTER TABLE orders ADD COLUMN note text', tributary: { commandTag: 'ALTER TABLE' } });

    // no heartbeat on a standby: retained WAL is measured (from the standby's replay position), lag is not
    const metrics = await waitFor('retained WAL in the job metrics', async () => {
      const m = (await api(tributary.url, 'GET', `/jobs/${job.id}`)).body.metrics;
      return m?.retainedWalBytes !== undefined ? m : undefined;
    }, 30_000, 250);
    expect(metrics.retainedWalBytes).toBeGreaterThanOrEqual(0);
    expect(metrics.lagSeconds).toBeUndefined();

    const released = await api(tributary.url, 'POST', `/jobs/${job.id}/release`);
    expect(released.body.status).toBe('released');
    expect((await onStandby.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [job.slotName])).rowCount).toBe(0);
    const told = tributary.logs.map((l) => JSON.parse(l)).find((l) => l.msg === "the source is a standby: drop the job's objects on the primary" && l.jobId === job.id);
    expect(told.statements).toEqual([
      `DROP EVENT TRIGGER IF EXISTS "${ddlCaptureOf(job).trigger}";`,
      `DROP FUNCTION IF EXISTS public."${ddlCaptureOf(job).fn}"();`,
      `DROP PUBLICATION "${job.publicationName}";`,
    ]);
    await onPrimaryReplayed(told.statements);
    expect((await onStandby.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [job.publicationName])).rowCount).toBe(0);
  });
});
