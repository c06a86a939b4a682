import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { Kafka, logLevel } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import { runPrechecks, type RunPrechecksOptions } from '../../shared/prechecks/run-prechecks.ts';
import { PRECHECKS } from '../../shared/prechecks/checks/index.ts';
import type { CheckResult, PrecheckReport } from '../../shared/prechecks/precheck.ts';
import { ensurePublication, ensureSlot } from '../../shared/source/replication-objects.ts';
import { freePort, startPostgres, type PostgresService } from '../../scripts/services/postgres.ts';
import { MATRIX, freshDatabase, servicesFor } from '../support/e2e.ts';
import { waitFor } from '../support/wait-for.ts';
import { jobRecord } from '../unit/shared/prechecks/job-fixture.ts';
import type { KafkaDestination } from '../../shared/job/job-spec.ts';

// Every check against real PostgreSQL 16/17 and Kafka 3.9/4.1: a database set
// up to fail many checks at once must get every problem in ONE run, each with
// a fix; applying the SQL fixes must make those checks pass.

const byId = (report: PrecheckReport) => new Map(report.results.map((r) => [r.id, r]));
const statusOf = (report: PrecheckReport) => Object.fromEntries(report.results.map((r) => [r.id, r.status]));
const sourceIds = PRECHECKS.filter((c) => !c.id.startsWith('kafka-') && !c.id.startsWith('destination-')).map((c) => c.id);
const kafkaIds = ['kafka-brokers', 'kafka-topics', 'kafka-write', 'kafka-message-size'];

/** Runs a fix's SQL statements one by one (ALTER SYSTEM may not share a transaction), skipping comments. */
async function applySqlFix(client: pg.Client, result: CheckResult | undefined): Promise<void> {
  expect(result?.fix, `${result?.id} has a fix`).toBeTruthy();
  for (const line of result!.fix!.split('\n')) {
    if (line.trim() && !line.trim().startsWith('--')) await client.query(line);
  }
}

describe.each(MATRIX)('prechecks on PostgreSQL $pg with Kafka $kafka', (combo) => {
  const { postgres, kafka } = servicesFor(combo);
  const tag = randomBytes(4).toString('hex');
  const owner = `own_${tag}`;
  const cdc = `cdc_${tag}`;
  const password = `pw-${randomBytes(6).toString('hex')}`;
  const gid = `tributary-precheck-test-${tag}`;
  let db: { name: string; client: pg.Client; url: string };
  const clients: pg.Client[] = [];
  const kafkaAdmin = new Kafka({ clientId: 'precheck-test', brokers: kafka.brokers, logLevel: logLevel.NOTHING }).admin();

  const job = (extra: Parameters<typeof jobRecord>[0] = {}) =>
    jobRecord({
      id: `j${tag}`,
      source: { type: 'postgresql', host: '127.0.0.1', port: postgres.port, database: db.name, user: cdc, password: 'x', sslmode: 'disable' },
      destination: { type: 'kafka', brokers: kafka.brokers, newTopicPartitions: 3 },
      ...extra,
    });
  const run = (j = job(), opts: RunPrechecksOptions = {}) => runPrechecks(j, password, { longTransactionSeconds: 1, ...opts });
  const allTables = ['good', 'no_pk', 'keyless', 'fast', 'nothing', 'reserved', 'missing', 'orders'].map((table) => ({ schema: 'app', table }));

  beforeAll(async () => {
    db = await freshDatabase(postgres.connectionString);
    await kafkaAdmin.connect();
    const admin = db.client;
    await admin.query(`CREATE ROLE ${owner} NOLOGIN`);
    await admin.query(`CREATE ROLE ${cdc} LOGIN PASSWORD '${password}'`); // only CONNECT, which PUBLIC has by default
    await admin.query(`CREATE SCHEMA app AUTHORIZATION ${owner}`);
    await admin.query(`SET ROLE ${owner}`);
    await admin.query(`
      CREATE TABLE app.good (id int PRIMARY KEY, amount numeric(6, 2), at timestamptz);
      CREATE TABLE app.no_pk (code text NOT NULL UNIQUE, qty int);
      CREATE TABLE app.keyless (n int NOT NULL, label text);
      CREATE UNIQUE INDEX keyless_n ON app.keyless (n);
      CREATE UNLOGGED TABLE app.fast (id int PRIMARY KEY);
      CREATE TABLE app.nothing (id int PRIMARY KEY);
      ALTER TABLE app.nothing REPLICA IDENTITY NOTHING;
      CREATE TABLE app.reserved (id int PRIMARY KEY, "TID" int);
      CREATE TABLE app.orders (id serial PRIMARY KEY, body text);
      INSERT INTO app.orders (body) SELECT repeat('x', 100) FROM generate_series(1, 41);`);
    await admin.query('RESET ROLE');
  });

  afterAll(async () => {
    await db.client.query(`ROLLBACK PREPARED '${gid}'`).catch(() => undefined);
    await Promise.allSettled(clients.map((c) => c.end()));
    await kafkaAdmin.disconnect();
    await db.client.end();
    // roles outlive databases: drop both so the shared server stays clean
    const admin = new pg.Client({ connectionString: postgres.connectionString });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${db.name} WITH (FORCE)`);
    await admin.query(`DROP ROLE IF EXISTS ${cdc}`);
    await admin.query(`DROP ROLE IF EXISTS ${owner}`);
    await admin.end();
  });

  it('reports every problem of a misconfigured database in one run, each with a fix; the SQL fixes make them pass', { timeout: 120_000 }, async () => {
    const admin = db.client;
    // A prepared transaction and an open one with an xid: both would block slot creation.
    const preparer = new pg.Client({ connectionString: db.url });
    clients.push(preparer);
    await preparer.connect();
    await preparer.query(`BEGIN; INSERT INTO app.good VALUES (1, 1.5, now()); PREPARE TRANSACTION '${gid}'`);
    const holder = new pg.Client({ connectionString: db.url.replace('postgres:postgres@', `${cdc}:${password}@`) });
    clients.push(holder);
    holder.on('error', () => undefined); // the fix terminates it
    await holder.connect();
    const holderPid: number = (await holder.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    await holder.query('BEGIN; SELECT txid_current()');
    await waitFor('the open transaction to be older than 1 s', async () => {
      const { rows } = await admin.query(`SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND xact_start < now() - interval '1.2 s'`, [holderPid]);
      return rows.length > 0;
    }, 10_000, 100);
    // An existing topic with fewer partitions than newTopicPartitions
    const goodTopic = `${db.name}.app.good`;
    await kafkaAdmin.createTopics({ topics: [{ topic: goodTopic, numPartitions: 1 }], waitForLeaders: true });

    const first = await run(job({ objects: { tables: allTables } }));
    const r = byId(first);
    expect(first.verdict).toBe('failed');
    expect(first.results.map((x) => x.id)).toEqual(PRECHECKS.filter((c) => c.id !== 'kafka-transactions' && !c.id.startsWith('destination-')).map((c) => c.id));

    const errors = ['replication-privilege', 'schema-usage-privilege', 'table-select-privilege', 'sequence-select-privilege', 'publication',
      'long-transactions', 'prepared-transactions', 'tables-exist', 'table-kind', 'primary-key', 'replica-identity', 'forbidden-column-names'];
    expect(first.blocking.sort()).toEqual([...errors].sort());
    for (const id of errors) {
      expect(r.get(id)!.status, `${id}: ${r.get(id)!.detail}`).toBe('error');
      expect(r.get(id)!.fix, id).toBeTruthy();
    }
    expect(r.get('replication-connection')).toMatchObject({ status: 'skipped', detail: 'not run: "Account has REPLICATION (or is superuser)" failed' });
    expect(first.needsAcknowledgement.sort()).toEqual(['heartbeat-table', 'kafka-topics', 'toast-replica-identity']);
    for (const id of ['source-reachable', 'source-authentication', 'source-version', 'wal-level', 'replication-slots-free', 'wal-senders-free',
      'replication-slot', 'wal-retention', 'wal-sender-timeout', 'logical-decoding-work-mem', 'standby', 'failover-slots', 'name-rules', 'sequences',
      'kafka-brokers', 'kafka-write', 'kafka-message-size']) {
      expect(r.get(id)!.status, `${id}: ${r.get(id)!.detail}`).toBe('pass');
    }

    // Each finding names what it found and carries the exact statement.
    expect(r.get('replication-privilege')!.fix).toBe(`ALTER ROLE "${cdc}" WITH REPLICATION;`);
    expect(r.get('schema-usage-privilege')!.fix).toBe(`GRANT USAGE ON SCHEMA "app" TO "${cdc}";`);
    expect(r.get('table-select-privilege')!.fix!.split('\n')).toHaveLength(7);
    expect(r.get('table-select-privilege')!.fix).toContain(`GRANT SELECT ON TABLE "app"."orders" TO "${cdc}";`);
    expect(r.get('sequence-select-privilege')!.fix).toBe(`GRANT SELECT ON SEQUENCE "app"."orders_id_seq" TO "${cdc}";`);
    expect(r.get('publication')!.fix).toBe(`GRANT CREATE ON DATABASE "${db.name}" TO "${cdc}";\nGRANT "${owner}" TO "${cdc}";`);
    expect(r.get('long-transactions')!.detail).toMatch(new RegExp(`pid ${holderPid} \\("${cdc}" on "${db.name}", idle in transaction, holds an xid\\): open \\d+ s since \\S+Z, last query started \\S+Z`));
    expect(r.get('long-transactions')!.fix).toContain(`SELECT pg_terminate_backend(${holderPid});`);
    expect(r.get('prepared-transactions')!.detail).toContain(`'${gid}' (owner "postgres", database "${db.name}"`);
    expect(r.get('prepared-transactions')!.fix).toContain(`ROLLBACK PREPARED '${gid}';`);
    expect(r.get('tables-exist')!.detail).toBe('1 of 8 selected table(s) not found: "app"."missing" (no such table)');
    expect(r.get('table-kind')!.fix).toBe('ALTER TABLE "app"."fast" SET LOGGED;');
    expect(r.get('primary-key')!.fix).toBe('ALTER TABLE "app"."no_pk" ADD PRIMARY KEY ("code");\nALTER TABLE "app"."keyless" ADD PRIMARY KEY USING INDEX "keyless_n";');
    expect(r.get('replica-identity')!.fix).toBe('ALTER TABLE "app"."no_pk" REPLICA IDENTITY FULL;\nALTER TABLE "app"."keyless" REPLICA IDENTITY FULL;\nALTER TABLE "app"."nothing" REPLICA IDENTITY FULL;');
    expect(r.get('forbidden-column-names')!.fix).toBe('ALTER TABLE "app"."reserved" RENAME COLUMN "TID" TO "TID_";');
    expect(r.get('toast-replica-identity')).toMatchObject({ status: 'warning', ignorable: true });
    expect(r.get('toast-replica-identity')!.detail).toContain('"app"."orders" ("body")');
    expect(r.get('kafka-topics')!.detail).toContain(`${goodTopic}: 1 partition(s)`);
    expect(r.get('heartbeat-table')).toMatchObject({ status: 'warning', ignorable: true, fix: `GRANT CREATE ON SCHEMA "public" TO "${cdc}";` });
    expect(JSON.stringify(first)).not.toContain(password);

    // Apply every SQL fix as an administrator would, and the equivalent of the topic command.
    for (const id of [...errors.filter((id) => id !== 'tables-exist'), 'toast-replica-identity', 'heartbeat-table']) await applySqlFix(admin, r.get(id));
    await kafkaAdmin.createPartitions({ topicPartitions: [{ topic: goodTopic, count: 3 }] });

    // Another session's long transaction elsewhere on the shared server is not this test's business: 30 s.
    const second = await run(job({ objects: { tables: allTables } }), { longTransactionSeconds: 30 });
    expect(second.blocking).toEqual(['tables-exist']);
    expect(second.needsAcknowledgement).toEqual([]);
    expect(statusOf(second)).toMatchObject({ 'replication-connection': 'pass', 'sequences': 'pass', 'long-transactions': 'pass', 'prepared-transactions': 'pass' });
    expect(byId(second).get('sequences')!.fix).toBe(`SELECT setval('"app"."orders_id_seq"', 41, true);`);

    // Without the missing table the job passes, and what the checks promised holds: the account can create the publication and slot.
    const tables = allTables.filter((t) => t.table !== 'missing');
    const third = await run(job({ objects: { tables } }), { longTransactionSeconds: 30 });
    expect(third).toMatchObject({ verdict: 'passed', blocking: [], needsAcknowledgement: [] });
    const asCdc = new pg.Client({ connectionString: db.url.replace('postgres:postgres@', `${cdc}:${password}@`) });
    clients.push(asCdc);
    await asCdc.connect();
    const j = job();
    await ensurePublication(asCdc, j.publicationName, tables);
    await ensureSlot(asCdc, j.slotName);
    const withSlot = byId(await run(job({ objects: { tables } }), { longTransactionSeconds: 30 }));
    expect(withSlot.get('replication-slot')!.detail).toMatch(/exists \(from an earlier run of this job\) and is free/);
    expect(withSlot.get('publication')!.detail).toContain('exists');
    await admin.query('SELECT pg_drop_replication_slot($1)', [j.slotName]);
  });

  it('an unreachable source is one error and every other source check is skipped', { timeout: 60_000 }, async () => {
    const closed = await freePort();
    const j = job();
    const report = await run({ ...j, source: { ...j.source, port: closed } });
    const r = byId(report);
    expect(r.get('source-reachable')).toMatchObject({ status: 'error', detail: expect.stringContaining(`127.0.0.1:${closed}: ECONNREFUSED`) });
    expect(r.get('source-reachable')!.fix).toContain(`allow Tributary's address to reach 127.0.0.1:${closed}`);
    for (const id of sourceIds.filter((id) => id !== 'source-reachable')) expect(r.get(id)!.status, id).toBe('skipped');
    expect(r.get('source-authentication')!.detail).toBe('not run: "Source is reachable" failed');
    expect(r.get('wal-level')!.detail).toBe('not run: "Source accepts the login (user, password, pg_hba.conf, CONNECT)" was skipped');
    expect(report.blocking).toEqual(['source-reachable']);
  });

  it('a wrong password is an authentication error with the fix, and never appears in the results', { timeout: 60_000 }, async () => {
    const wrong = `wrong-${randomBytes(6).toString('hex')}`;
    const report = await runPrechecks(job(), wrong);
    const auth = byId(report).get('source-authentication')!;
    expect(auth).toMatchObject({ status: 'error', detail: `password authentication failed for user "${cdc}" (SQLSTATE 28P01)` });
    expect(auth.fix).toBe(`Update the job's source.password, or set the password on the source: ALTER ROLE "${cdc}" WITH PASSWORD '<new password>';`);
    expect(report.blocking).toEqual(['source-authentication']);
    expect(JSON.stringify(report)).not.toContain(wrong);
  });

  it('an unreachable Kafka is a destination error and the other Kafka checks are skipped', { timeout: 60_000 }, async () => {
    const closed = await freePort();
    const j = job({ objects: { tables: [{ schema: 'app', table: 'good' }] } });
    const report = await runPrechecks({ ...j, destination: { ...(j.destination as KafkaDestination), brokers: [`127.0.0.1:${closed}`] } }, password);
    const r = byId(report);
    expect(r.get('kafka-brokers')!.status).toBe('error');
    expect(r.get('kafka-brokers')!.detail).toMatch(new RegExp(`could not reach the Kafka cluster at 127.0.0.1:${closed}: KafkaJS\\w+: .*ECONNREFUSED|Connection`));
    expect(r.get('kafka-brokers')!.fix).toContain('Check destination.brokers');
    for (const id of kafkaIds.slice(1)) expect(r.get(id)!.status, id).toBe('skipped');
    expect(report.blocking).toEqual(['kafka-brokers']);
  });

  it('a good setup passes every check within a few seconds, exactly-once included', { timeout: 60_000 }, async () => {
    const good = await freshDatabase(postgres.connectionString);
    try {
      await good.client.query('CREATE TABLE accounts (id bigint PRIMARY KEY, balance numeric(12, 2) NOT NULL, opened date)');
      await good.client.query('CREATE TABLE ledger (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, account bigint, note text)');
      await good.client.query('ALTER TABLE ledger REPLICA IDENTITY FULL');
      await good.client.query("INSERT INTO ledger (account, note) VALUES (1, 'opening')");
      const j = jobRecord({
        id: `jgood${tag}`,
        source: { type: 'postgresql', host: '127.0.0.1', port: postgres.port, database: good.name, user: 'postgres', password: 'x', sslmode: 'disable' },
        destination: { type: 'kafka', brokers: kafka.brokers },
        objects: { tables: [{ schema: 'public', table: 'accounts' }, { schema: 'public', table: 'ledger' }] },
      });
      const eos = { ...j, destination: { ...j.destination, deliveryGuarantee: 'exactly-once' as const } };
      const report = await runPrechecks(eos, new URL(postgres.connectionString).password);
      const notPassed = report.results.filter((x) => x.status !== 'pass').map((x) => `${x.id}: ${x.status} ${x.detail}`);
      expect(notPassed).toEqual([]);
      expect(report.results).toHaveLength(PRECHECKS.filter((c) => !c.id.startsWith('destination-')).length);
      expect(report).toMatchObject({ verdict: 'passed', blocking: [], needsAcknowledgement: [] });
      expect(report.durationMs).toBeLessThan(8_000);
      expect(byId(report).get('sequences')!.fix).toBe(`SELECT setval('"public"."ledger_id_seq"', 1, true);`);
      expect(byId(report).get('kafka-transactions')!.detail).toContain('began, wrote and aborted a transaction');
    } finally {
      await good.client.end();
    }
  });
});

describe('prechecks on a misconfigured PostgreSQL 17 server', () => {
  let server: PostgresService;
  beforeAll(async () => {
    server = await startPostgres({
      major: 17,
      flags: ['-c', 'wal_level=replica', '-c', 'max_replication_slots=0', '-c', 'max_wal_senders=0', '-c', 'wal_sender_timeout=0',
        '-c', 'logical_decoding_work_mem=1MB', '-c', 'max_slot_wal_keep_size=1MB'],
    });
  }, 120_000);
  afterAll(() => server?.stop());

  it('reports wal_level, slots, WAL senders and risky settings together, each with its fix', { timeout: 60_000 }, async () => {
    const db = await freshDatabase(server.connectionString());
    await db.client.query('CREATE TABLE t (id int PRIMARY KEY, n int)');
    // WAL keeps flowing while the precheck samples its rate
    let writing = true;
    const writer = (async () => {
      while (writing) await db.client.query('INSERT INTO t SELECT g, g FROM generate_series(1, 200) g ON CONFLICT (id) DO UPDATE SET n = t.n + 1');
    })();
    const j = jobRecord({
      source: { type: 'postgresql', host: '127.0.0.1', port: server.port, database: db.name, user: 'postgres', password: 'x', sslmode: 'disable' },
      objects: { tables: [{ schema: 'public', table: 't' }] },
    });
    const report = await runPrechecks(j, server.password, { checks: PRECHECKS.filter((c) => !c.id.startsWith('kafka-')) }).finally(() => (writing = false));
    await writer;
    await db.client.end();
    const r = byId(report);
    expect(r.get('wal-level')).toMatchObject({ status: 'error', detail: 'wal_level = replica; logical decoding needs wal_level = logical' });
    expect(r.get('wal-level')!.fix).toMatch(/^ALTER SYSTEM SET wal_level = logical;\n-- then restart PostgreSQL/);
    expect(r.get('replication-slots-free')).toMatchObject({ status: 'error', detail: '0 of max_replication_slots = 0 in use, 0 free; this job needs 1 more' });
    expect(r.get('replication-slots-free')!.fix).toMatch(/^ALTER SYSTEM SET max_replication_slots = 1;/);
    expect(r.get('wal-senders-free')).toMatchObject({ status: 'error', fix: expect.stringMatching(/^ALTER SYSTEM SET max_wal_senders = 1;/) });
    expect(r.get('replication-connection')).toMatchObject({ status: 'error', detail: expect.stringMatching(/exceeds "?max_wal_senders"? \(currently 0\) \(SQLSTATE 53300\)/) });
    expect(r.get('wal-sender-timeout')).toMatchObject({ status: 'warning', ignorable: true, fix: "ALTER SYSTEM SET wal_sender_timeout = '60s';\nSELECT pg_reload_conf();" });
    // PostgreSQL 14+: the worker streams large transactions, so a small value costs the source nothing.
    expect(r.get('logical-decoding-work-mem')).toMatchObject({ status: 'pass', detail: expect.stringContaining('logical_decoding_work_mem = 1.0 MB: larger transactions are streamed to the worker') });
    expect(r.get('wal-retention')).toMatchObject({ status: 'warning', ignorable: true });
    expect(r.get('wal-retention')!.detail).toMatch(/max_slot_wal_keep_size = 1\.0 MB is less than ~.+ of WAL \(estimate: the larger of .+ sampled over 1\.\d s/);
    expect(r.get('wal-retention')!.fix).toMatch(/^ALTER SYSTEM SET max_slot_wal_keep_size = '\d+MB';\nSELECT pg_reload_conf\(\);/);
    expect(report.blocking.sort()).toEqual(['replication-connection', 'replication-slots-free', 'wal-level', 'wal-senders-free']);
  });
});
