import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { MATRIX, servicesFor, freshDatabase, startTributary, api } from '../support/e2e.ts';
import { waitFor } from '../support/wait-for.ts';

// The real `tributary` binary as a child process against a real local API and
// real PostgreSQL + Kafka. The API runs in this process, so the child is run
// asynchronously: spawnSync would block the event loop the API answers on.
const BIN = resolve('bin/tributary.ts');
const PASSWORD = 'postgres'; // the test servers' superuser password

type Run = { code: number; stdout: string; stderr: string };

function runCli(args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): Promise<Run> {
  const { TRIBUTARY_URL: _u, TRIBUTARY_API_KEY: _k, ...env } = process.env;
  return new Promise((ok) => {
    execFile(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? process.cwd(), env: { ...env, NO_COLOR: '1', ...opts.env }, timeout: 60_000 }, (err, stdout, stderr) => {
      ok({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

describe('tributary CLI', () => {
  const combo = MATRIX[0];
  let tributary: Awaited<ReturnType<typeof startTributary>>;
  let cli: (...args: string[]) => Promise<Run>;
  let dir: string;
  beforeAll(async () => {
    tributary = await startTributary();
    dir = mkdtempSync(join(tmpdir(), 'tributary-cli-'));
    cli = (...args) => runCli(args, { env: { TRIBUTARY_URL: tributary.url, TRIBUTARY_API_KEY: tributary.apiKey } });
  });
  afterAll(async () => {
    await tributary?.close();
  });

  it('creates from YAML, lists, starts, shows status until streaming, stops and releases', { timeout: 180_000 }, async () => {
    const { postgres, kafka } = servicesFor(combo);
    const db = await freshDatabase(postgres.connectionString);
    await db.client.query('CREATE TABLE orders (id int8 PRIMARY KEY, total numeric(10,2))');
    // a role of its own, so the password is a string found nowhere else in the output
    const user = `cdc_${db.name}`;
    const secret = `pw-${randomBytes(8).toString('hex')}`;
    await db.client.query(`CREATE ROLE ${user} LOGIN SUPERUSER PASSWORD '${secret}'`);
    const jobFile = join(dir, 'job.yaml');
    writeFileSync(
      jobFile,
      [
        `name: cli-${db.name}`,
        'source:',
        '  type: postgresql',
        '  host: 127.0.0.1',
        `  port: ${postgres.port}`,
        `  database: ${db.name}`,
        `  user: ${user}`,
        `  password: ${secret}`,
        '  sslmode: disable',
        'destination:',
        '  type: kafka',
        `  brokers: [${kafka.brokers.join(', ')}]`,
        'objects:',
        '  tables:',
        '    - { schema: public, table: orders }',
        'tags:',
        `  suite: ${db.name}`,
      ].join('\n'),
    );

    const created = await cli('create', '-f', jobFile, '--idempotency-key', `cli-${db.name}`);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const id = created.stdout.trim();
    expect(id).toMatch(/^j[0-9a-f]{16}$/);
    expect(created.stdout).not.toContain(secret);
    // the same key again is a replay of the first answer, not a second job
    expect((await cli('create', '-f', jobFile, '--idempotency-key', `cli-${db.name}`)).stdout.trim()).toBe(id);

    const listed = await cli('list', '--tag', `suite=${db.name}`);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+STATUS\s+LAG\s+EVENTS\/S\s+ACKED LSN\s+TAGS$/);
    expect(lines.slice(1)).toEqual([expect.stringMatching(new RegExp(`^${id}\\s+cli-${db.name}\\s+created\\s+-\\s+-\\s+-\\s+suite=${db.name}$`))]);

    // a job starts only after a passed precheck: refused with the reason (409, exit 1)
    const early = await cli('start', id);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/^error: Not allowed in the current state \(HTTP 409\)\n {2}cannot start: run the precheck first/);

    const precheck = await cli('precheck', id);
    expect(precheck).toMatchObject({ code: 0, stderr: '' });
    expect(precheck.stdout).toMatch(/^STATUS\s+CHECK\s+DETAIL\s+FIX$/m);
    expect(precheck.stdout).toMatch(/^PASS\s+/m);
    expect(precheck.stdout).toMatch(/^precheck passed: \d+ passed, \d+ warnings?, 0 errors, \d+ skipped$/m);
    expect(precheck.stdout).not.toContain(secret);
    const toAck = /^to acknowledge before start: \S+ \(fix them, or: tributary precheck \S+ --ack (\S+)\)$/m.exec(precheck.stdout)?.[1];
    if (toAck) {
      // ignorable warnings (e.g. WAL retention on a test server) are acknowledged, as a user would
      const acked = await cli('precheck', id, '--ack', toAck);
      expect(acked.code).toBe(0);
      expect(acked.stdout).toContain(`acknowledged: ${toAck.split(',').join(', ')}`);
      expect(acked.stdout).not.toContain('to acknowledge before start');
    }

    const started = await cli('start', id);
    expect(started).toMatchObject({ code: 0, stdout: `${id}: starting\n` });

    await waitFor('streaming via the CLI', async () => {
      const s = await cli('status', id, '--json');
      expect(s.code).toBe(0);
      return JSON.parse(s.stdout).status === 'streaming';
    }, 90_000, 500);
    await db.client.query("INSERT INTO orders VALUES (1, 9.99)");
    const status = await waitFor('acked LSN in the status', async () => {
      const s = await cli('status', id);
      return s.code === 0 && s.stdout.includes('acked LSN') ? s : undefined;
    }, 60_000, 500);
    expect(status.stdout).toContain(`${id}  cli-${db.name}`);
    expect(status.stdout).toMatch(/^phase {6}streaming$/m);
    expect(status.stdout).toContain(`source     ${user}@127.0.0.1:${postgres.port}/${db.name}`);
    expect(status.stdout).toMatch(/^acked LSN  [0-9A-F]+\/[0-9A-F]+$/m);
    expect(status.stdout).not.toContain(secret);

    const streaming = await cli('list', '--status', 'streaming', '--json');
    expect(JSON.parse(streaming.stdout).items.map((j: { id: string }) => j.id)).toContain(id);
    expect(streaming.stdout).not.toContain(secret);

    expect(await cli('stop', id)).toMatchObject({ code: 0, stdout: `${id}: stopped\n` });
    // a watch on a settled job draws once and ends by itself
    const watched = await cli('status', id, '--watch', '--interval', '0.2');
    expect(watched.code).toBe(0);
    expect(watched.stdout).toMatch(/^phase {6}stopped$/m);

    expect(await cli('release', id)).toMatchObject({ code: 0, stdout: `${id}: released\n` });
    const slots = await db.client.query("SELECT 1 FROM pg_replication_slots WHERE slot_name LIKE '%' || $1", [id]);
    expect(slots.rowCount).toBe(0);

    // an action the lifecycle refuses: 409 naming the state, exit 1
    const refused = await cli('start', id);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('error: Not allowed in the current state (HTTP 409)');
    expect(refused.stderr).toContain('cannot start a job that is released');
    await db.client.end();
  });

  it('a bad job file exits 1 and prints each bad field, never the password', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ source: { type: 'postgresql', host: '', port: 70000, database: 'shop', user: 'cdc', password: 'hunter2-secret' }, destination: { type: 'kafka', brokers: ['no-port'] }, objects: { tables: [] }, otherRetryMinutes: 0 }));
    const r = await cli('create', '-f', file);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: Invalid job \(HTTP 400\)$/m);
    for (const field of ['source.host', 'source.port', 'destination.brokers.0', 'objects', 'otherRetryMinutes']) expect(r.stderr).toMatch(new RegExp(`^  - ${field.replace(/\./g, '\\.')}: .+$`, 'm'));
    expect(r.stderr).not.toContain('hunter2-secret');
    expect((await api(tributary.url, 'GET', '/jobs')).body.items.some((j: { source: { user: string } }) => j.source.user === 'cdc')).toBe(false);

    const unparsable = join(dir, 'bad.yaml');
    writeFileSync(unparsable, 'source:\n  password: hunter2-secret\n   user: [x\n');
    const u = await cli('create', '-f', unparsable);
    expect(u.code).toBe(2);
    expect(u.stderr).toContain(`${unparsable} is not valid YAML`);
    expect(u.stderr).not.toContain('hunter2-secret');
  });

  it('a wrong API key exits 1 with the 401 detail; without flags or env it uses .data/local/api-key', async () => {
    const wrong = await runCli(['list', '--api-key', 'not-a-key', '--url', tributary.url]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe('error: Unauthenticated (HTTP 401)\n  the API key is not valid\n');

    const cwd = mkdtempSync(join(tmpdir(), 'tributary-cli-cwd-'));
    mkdirSync(join(cwd, '.data', 'local'), { recursive: true });
    copyFileSync(join(tributary.dataDir, 'api-key'), join(cwd, '.data', 'local', 'api-key'));
    const fromFile = await runCli(['list', '--url', tributary.url], { cwd });
    expect(fromFile.code).toBe(0);
  });

  it('reports an unknown job, serves the OpenAPI document, exits 3 on a failed precheck, and shows usage or says it is not available', async () => {
    const missing = await cli('status', 'jdoesnotexist');
    expect(missing).toMatchObject({ code: 1, stderr: 'error: Job not found (HTTP 404)\n  no job with id jdoesnotexist\n' });

    const doc = await cli('openapi');
    expect(doc.code).toBe(0);
    expect(JSON.parse(doc.stdout)).toMatchObject({ openapi: '3.1.0', paths: { '/jobs': expect.any(Object) } });

    const { postgres, kafka } = servicesFor(combo);
    const file = join(dir, 'precheck.yaml');
    writeFileSync(file, `source: { type: postgresql, host: 127.0.0.1, port: ${postgres.port}, database: postgres, user: postgres, password: ${PASSWORD}, sslmode: disable }\ndestination: { type: kafka, brokers: [${kafka.brokers.join(', ')}] }\nobjects: { tables: [ { table: no_such_table } ] }\n`);
    const id = (await cli('create', '-f', file)).stdout.trim();

    const failed = await cli('precheck', id);
    expect(failed.code).toBe(3);
    expect(failed.stdout).toMatch(/^ERROR\s+.*\[1\]$/m); // a failed check points at its fix
    expect(failed.stdout).toMatch(/^Fixes:$/m);
    expect(failed.stdout).toMatch(/^precheck failed: \d+ passed, \d+ warnings?, [1-9]\d* errors?, \d+ skipped$/m);
    expect(JSON.parse((await cli('precheck', id, '--json')).stdout).verdict).toBe('failed');

    // usage metering is being built: the CLI must either show it or say it is not there
    const usageRoute = await fetch(`${tributary.url}/jobs/jnosuchjob/usage`, { headers: { authorization: `Bearer ${tributary.apiKey}` } });
    const usage = await cli('usage', id);
    if (usageRoute.headers.get('content-type')?.includes('problem+json')) expect(usage.code).toBe(0);
    else expect(usage).toMatchObject({ code: 1, stderr: `error: Not available on this server (HTTP 404)\n  usage metering is not available on this server (GET /jobs/${id}/usage answered 404); it may run an older Tributary\n` });
    expect((await cli('release', id)).code).toBe(0);
  });
});
