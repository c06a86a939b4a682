import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { runPrechecks } from '../../shared/prechecks/run-prechecks.ts';
import { PRECHECKS } from '../../shared/prechecks/checks/index.ts';
import type { CheckResult, PrecheckReport } from '../../shared/prechecks/precheck.ts';
import { ensureSlot } from '../../shared/source/replication-objects.ts';
import { PG_MAJORS, startPostgres, type PostgresService } from '../../scripts/services/postgres.ts';
import { startPhysicalStandby, type PhysicalStandby } from '../support/physical-standby.ts';
import { waitFor } from '../support/wait-for.ts';
import { jobRecord } from '../unit/shared/prechecks/job-fixture.ts';

// The standby and failover-slot checks against a real streaming standby of a
// primary this file starts (not the shared server: a standby attached to it
// would change the failover-slots result every other precheck test expects).

const CHECKS = PRECHECKS.filter((c) => ['source-reachable', 'source-authentication', 'standby', 'failover-slots'].includes(c.id));
const byId = (report: PrecheckReport) => new Map(report.results.map((r) => [r.id, r]));

async function connect(connectionString: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  return client;
}

/** Runs a fix's statements one by one (ALTER SYSTEM may not share a transaction), skipping comments. */
async function applySqlFix(client: pg.Client, result: CheckResult | undefined): Promise<void> {
  expect(result?.fix, `${result?.id} has a fix`).toBeTruthy();
  for (const line of result!.fix!.split('\n')) {
    if (line.trim() && !line.trim().startsWith('--')) await client.query(line);
  }
}

const settingIs = (client: pg.Client, name: string, value: string) =>
  waitFor(`${name} = ${value} after the reload`, async () => (await client.query('SELECT current_setting($1) AS v', [name])).rows[0].v === value, 10_000, 50);

describe.each(PG_MAJORS)('standby and failover-slot prechecks with a real standby of PostgreSQL %i', (major) => {
  let primary: PostgresService;
  let standby: PhysicalStandby;
  let onPrimary: pg.Client;
  let onStandby: pg.Client;
  // streaming only: a standby cannot run a full synchronization (checked below)
  const run = (port: number, startMode: 'incremental' | 'full+incremental' = 'incremental') =>
    runPrechecks(jobRecord({ source: { type: 'postgresql', host: '127.0.0.1', port, database: 'postgres', user: 'postgres', password: 'x', sslmode: 'disable' }, startMode: { type: startMode } }), primary.password, { checks: CHECKS });
  // A logical slot on a standby waits for a running-xacts record from the primary, which the primary writes only every 15 s unprompted.
  const logStandbySnapshots = () => {
    let nudging = true;
    const loop = (async () => {
      while (nudging) {
        await onPrimary.query('SELECT pg_log_standby_snapshot()');
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    return () => {
      nudging = false;
      return loop;
    };
  };

  beforeAll(async () => {
    primary = await startPostgres({ major });
    onPrimary = await connect(primary.connectionString());
    standby = await startPhysicalStandby(primary); // hot_standby_feedback is off by default
    onStandby = await connect(standby.connectionString());
  });

  afterAll(async () => {
    await Promise.allSettled([onPrimary?.end(), onStandby?.end()]);
    try {
      await standby?.stop();
    } finally {
      await primary?.stop();
    }
  });

  it('hot_standby_feedback = off is an error with its fix; the fix run on the standby makes it pass and logical decoding works there', async () => {
    const before = await run(standby.port);
    const r = byId(before);
    expect(r.get('standby')).toMatchObject({
      status: 'error',
      ignorable: false,
      detail: 'the source is a standby: hot_standby_feedback = off: the primary may vacuum catalog rows the slot needs and invalidate it',
      fix: 'ALTER SYSTEM SET hot_standby_feedback = on;\nSELECT pg_reload_conf();',
    });
    expect(before.blocking).toEqual(['standby']);
    // what the check guards against: without feedback the primary keeps no xmin for the standby
    const slotXmin = async () => (await onPrimary.query('SELECT xmin FROM pg_replication_slots WHERE slot_name = $1', [standby.slotName])).rows[0].xmin;
    expect(await slotXmin()).toBeNull();

    await applySqlFix(onStandby, r.get('standby'));
    await settingIs(onStandby, 'hot_standby_feedback', 'on');
    await waitFor('the primary to hold back vacuum for the standby', async () => (await slotXmin()) !== null, 30_000);

    const after = await run(standby.port);
    expect(byId(after).get('standby')).toMatchObject({
      status: 'pass',
      detail: `the source is a standby on PostgreSQL ${major} with hot_standby_feedback = on; it is read-only, so schema, role and grant fixes in this report run on the primary`,
    });
    expect(byId(after).get('failover-slots')).toMatchObject({
      status: 'pass',
      detail: `the source is a standby${major >= 17 ? ' (sync_replication_slots = off)' : ''}: a slot on it does not survive its promotion unless created there as a synced failover slot`,
    });
    expect(after).toMatchObject({ verdict: 'passed', blocking: [], needsAcknowledgement: [] });

    // What the pass promises: the worker's own slot creation works on this standby. On 17 it
    // asks for failover = true only on a primary: a standby refuses it ("cannot enable failover
    // for a replication slot created on the standby"), so this slot is a plain one.
    const stopNudging = logStandbySnapshots();
    try {
      const made = await ensureSlot(onStandby, 'tributary_on_standby', major * 10_000);
      expect(made.created).toBe(true);
    } finally {
      await stopNudging();
    }
    const slot = await onStandby.query(`SELECT plugin, slot_type${major >= 17 ? ', failover' : ''} FROM pg_replication_slots WHERE slot_name = 'tributary_on_standby'`);
    expect(slot.rows[0]).toEqual({ plugin: 'pgoutput', slot_type: 'logical', ...(major >= 17 ? { failover: false } : {}) });
    expect((await ensureSlot(onStandby, 'tributary_on_standby', major * 10_000)).created).toBe(false);
    await onStandby.query(`SELECT pg_drop_replication_slot('tributary_on_standby')`);

    // a standby writes no WAL, so a job with a full synchronization (watermarks) is refused there
    const full = byId(await run(standby.port, 'full+incremental')).get('standby');
    expect(full).toMatchObject({
      status: 'error',
      detail: 'the source is a standby: the job has a full synchronization, whose watermarks (pg_logical_emit_message) a standby cannot write',
      fix: 'Set startMode to {"type": "incremental"} (or syncTypes.full to false) and copy the existing rows another way, or point the job at the primary.',
    });
  });

  if (major < 17) it('the primary with this standby attached: failover-slots is a warning to acknowledge (no failover slots before 17)', async () => {
    const report = await run(primary.port);
    expect(byId(report).get('standby')).toMatchObject({ status: 'pass', detail: 'the source is a primary' });
    expect(byId(report).get('failover-slots')).toMatchObject({
      status: 'warning',
      ignorable: true,
      detail: `the primary has standbys (1 physical WAL sender(s), physical slot(s): ${standby.slotName}) but PostgreSQL ${major} cannot sync logical slots to them: after a failover the job needs a new full synchronization`,
      fix: 'Acknowledge, or upgrade to PostgreSQL 17 for failover slots.',
    });
    expect(report.needsAcknowledgement).toEqual(['failover-slots']);
  });

  else it('the primary with this standby attached: synchronized_standby_slots empty is a warning; configured, it passes and the job slot reaches the standby', async () => {
    const before = await run(primary.port);
    const failover = byId(before).get('failover-slots');
    expect(failover).toMatchObject({
      status: 'warning',
      ignorable: true,
      detail: `the primary has standbys (1 physical WAL sender(s), physical slot(s): ${standby.slotName}) but synchronized_standby_slots is empty: the job's slot would not survive a failover`,
    });
    expect(before.needsAcknowledgement).toEqual(['failover-slots']);

    // The fix's SQL on the primary; its comment line on the standby (primary_slot_name and dbname are in its configuration already).
    await applySqlFix(onPrimary, failover);
    await settingIs(onPrimary, 'synchronized_standby_slots', standby.slotName);
    for (const line of ['ALTER SYSTEM SET hot_standby_feedback = on', 'ALTER SYSTEM SET sync_replication_slots = on', 'SELECT pg_reload_conf()']) await onStandby.query(line);
    await settingIs(onStandby, 'sync_replication_slots', 'on');

    const after = await run(primary.port);
    expect(byId(after).get('failover-slots')).toMatchObject({
      status: 'pass',
      detail: `synchronized_standby_slots = ${standby.slotName} (1 physical WAL sender(s), physical slot(s): ${standby.slotName})`,
    });
    expect(after).toMatchObject({ verdict: 'passed', needsAcknowledgement: [] });
    expect(byId(await run(standby.port)).get('failover-slots')!.detail).toContain('(sync_replication_slots = on)');

    // What the pass promises: the job's slot, created as the worker creates it, is kept on the standby.
    const slot = 'tributary_failover_job';
    await ensureSlot(onPrimary, slot, (await onPrimary.query(`SELECT current_setting('server_version_num')::int AS v`)).rows[0].v);
    const stopNudging = logStandbySnapshots();
    try {
      const synced = await waitFor('the slot sync worker to copy the job slot', async () =>
        (await onStandby.query('SELECT synced, failover FROM pg_replication_slots WHERE slot_name = $1 AND NOT temporary', [slot])).rows[0], 30_000, 100);
      expect(synced).toEqual({ synced: true, failover: true });
    } finally {
      await stopNudging();
    }
  });
});
