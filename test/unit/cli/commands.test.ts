import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandContext } from '../../../cli/command.ts';
import { ApiError, type HttpClient, type RequestOptions } from '../../../cli/http-client.ts';
import { listCommand } from '../../../cli/list.ts';
import { precheckCommand, formatPrecheck } from '../../../cli/precheck.ts';
import { statusCommand } from '../../../cli/status.ts';
import { createCommand } from '../../../cli/create.ts';
import { formatUsage } from '../../../cli/usage.ts';
import { resolveConnection } from '../../../cli/resolve-connection.ts';
import type { PrecheckReport } from '../../../cli/api-types.ts';

type Call = { method: string; path: string; opts?: RequestOptions };

// Runs a command against scripted API answers, capturing what it prints.
function harness(answer: (call: Call, n: number) => unknown, args: string[] = [], options: CommandContext['options'] = {}) {
  const calls: Call[] = [];
  const out: string[] = [];
  const client: HttpClient = {
    baseUrl: 'http://api.test',
    async request<T>(method: string, path: string, opts?: RequestOptions) {
      calls.push({ method, path, opts });
      const a = answer({ method, path, opts }, calls.length - 1);
      if (a instanceof Error) throw a;
      return a as T;
    },
  };
  const ctx: CommandContext = { client, args, options, json: options.json ?? false, out: (t) => void out.push(t), err: () => {}, now: () => new Date('2026-01-01T00:00:00Z'), sleep: async () => {}, interactive: false, columns: 120 };
  return { ctx, calls, out };
}

const report = (over: Partial<PrecheckReport> = {}): PrecheckReport => ({
  verdict: 'failed',
  results: [
    { id: 'connectivity', title: 'Source reachable', status: 'pass', detail: 'PostgreSQL 17.2', ignorable: false },
    { id: 'wal-level', title: 'wal_level is logical', status: 'error', detail: 'wal_level is replica', fix: 'ALTER SYSTEM SET wal_level = logical;\n-- then restart PostgreSQL', ignorable: false },
    { id: 'replica-identity', title: 'Replica identity', status: 'warning', detail: 'public.t has no primary key', fix: 'ALTER TABLE "public"."t" REPLICA IDENTITY FULL;', ignorable: true },
  ],
  needsAcknowledgement: ['replica-identity'],
  blocking: ['wal-level'],
  ...over,
});

describe('list', () => {
  it('follows nextCursor until the last page and prints one table', async () => {
    const h = harness((_c, n) => (n === 0 ? { items: [{ id: 'j1', name: 'a', status: 'streaming', metrics: { lagSeconds: 0.5, eventsPerSecond: 3 } }], nextCursor: 'ajE' } : { items: [{ id: 'j2', name: 'b', status: 'stopped', tags: { team: 'x' } }] }), [], { status: 'streaming', tag: 'team=x' });
    expect(await listCommand.run(h.ctx)).toBe(0);
    expect(h.calls.map((c) => c.opts?.query)).toEqual([
      { status: 'streaming', tag: 'team=x', limit: '100', cursor: undefined },
      { status: 'streaming', tag: 'team=x', limit: '100', cursor: 'ajE' },
    ]);
    expect(h.out[0].split('\n')).toEqual([
      'ID  NAME  STATUS       LAG  EVENTS/S  ACKED LSN  TAGS',
      'j1  a     streaming  0.5 s         3  -',
      'j2  b     stopped        -         -  -          team=x',
    ]);
  });

  it('refuses a tag filter that is not key=value before calling the API', async () => {
    const h = harness(() => ({ items: [] }), [], { tag: 'team' });
    await expect(listCommand.run(h.ctx)).rejects.toThrow(/--tag is key=value/);
    expect(h.calls).toEqual([]);
  });
});

describe('precheck', () => {
  it('exits 3 when the verdict is failed and 0 when it passed', async () => {
    expect(await precheckCommand.run(harness(() => report(), ['j1']).ctx)).toBe(3);
    expect(await precheckCommand.run(harness(() => report({ verdict: 'passed' }), ['j1']).ctx)).toBe(0);
  });

  it('asks as an optional feature, so a missing route reads "not available"', async () => {
    const h = harness(() => report({ verdict: 'passed' }), ['j 1']);
    await precheckCommand.run(h.ctx);
    expect(h.calls[0]).toMatchObject({ method: 'POST', path: '/jobs/j%201/precheck', opts: { feature: 'precheck' } });
  });

  it('prints a table with numbered fixes below, whole, and the verdict', () => {
    expect(formatPrecheck(report(), 'j1').split('\n')).toEqual([
      'STATUS   CHECK                 DETAIL                       FIX',
      'PASS     Source reachable      PostgreSQL 17.2',
      'ERROR    wal_level is logical  wal_level is replica         [1]',
      'WARNING  Replica identity      public.t has no primary key  [2]',
      '',
      'Fixes:',
      '[1] wal_level is logical:',
      '    ALTER SYSTEM SET wal_level = logical;',
      '    -- then restart PostgreSQL',
      '[2] Replica identity (may be acknowledged instead):',
      '    ALTER TABLE "public"."t" REPLICA IDENTITY FULL;',
      '',
      'precheck failed: 1 passed, 1 warning, 1 error, 0 skipped',
      'to acknowledge before start: replica-identity (fix them, or: tributary precheck j1 --ack replica-identity)',
    ]);
  });

  it('fits the detail column to a narrow terminal', () => {
    const long = report({ results: [{ id: 'x', title: 'A check', status: 'pass', detail: 'word '.repeat(30).trim(), ignorable: false }] });
    const table = formatPrecheck(long, 'j1', 80).split('\n\n')[0].split('\n');
    expect(table.length).toBeGreaterThan(2); // the detail wrapped
    expect(Math.max(...table.map((l) => l.length))).toBeLessThanOrEqual(80);
  });

  it('--ack acknowledges warnings of the last precheck instead of running it again', async () => {
    const h = harness(() => report({ verdict: 'passed', acknowledged: ['replica-identity'] }), ['j1'], { ack: ['replica-identity', 'a,b'] });
    expect(await precheckCommand.run(h.ctx)).toBe(0);
    expect(h.calls[0]).toMatchObject({ method: 'POST', path: '/jobs/j1/precheck/ack', opts: { body: { ids: ['replica-identity', 'a', 'b'] } } });
    expect(h.out[0]).toContain('acknowledged: replica-identity');
    expect(h.out[0]).not.toContain('to acknowledge');
  });
});

describe('status --watch', () => {
  it('refreshes until the job settles, one JSON line per refresh with --json', async () => {
    const states = ['starting', 'streaming', 'stopped'];
    const h = harness((_c, n) => ({ id: 'j1', status: states[n] }), ['j1'], { watch: true, interval: '0.5', json: true });
    expect(await statusCommand.run(h.ctx)).toBe(0);
    expect(h.out.map((l) => JSON.parse(l).status)).toEqual(states);
  });

  it('refuses a silly interval', async () => {
    await expect(statusCommand.run(harness(() => ({}), ['j1'], { watch: true, interval: '0' }).ctx)).rejects.toThrow(/--interval/);
  });

  it('passes an API error through (exit 1 at the top)', async () => {
    const h = harness(() => new ApiError(404, { title: 'Job not found' }), ['nope']);
    await expect(statusCommand.run(h.ctx)).rejects.toBeInstanceOf(ApiError);
  });
});

describe('create', () => {
  it('sends the file and the idempotency key, and prints only the id', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-create-'));
    writeFileSync(join(dir, 'job.yaml'), 'name: a\nsource:\n  password: s3cret-pw\n');
    const h = harness(() => ({ id: 'j9', name: 'a', status: 'created' }), [], { file: join(dir, 'job.yaml'), 'idempotency-key': 'k1' });
    expect(await createCommand.run(h.ctx)).toBe(0);
    expect(h.calls[0]).toMatchObject({ method: 'POST', path: '/jobs', opts: { body: { name: 'a', source: { password: 's3cret-pw' } }, headers: { 'idempotency-key': 'k1' } } });
    expect(h.out).toEqual(['j9']);
  });
});

describe('usage', () => {
  it('shows scalars as lines and each list of records as a table', () => {
    const text = formatUsage({ jobId: 'j1', days: [{ day: '2026-01-01', billableSeconds: 3600, rows: 10 }], months: [] });
    expect(text.split('\n')).toEqual(['jobId: j1', '', 'days:', 'day         billableSeconds  rows', '2026-01-01             3600    10', '', 'months: none']);
  });
});

describe('resolveConnection', () => {
  it('prefers flags, then the environment, then the local key file', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'cli-conn-'));
    expect(resolveConnection({}, {}, cwd)).toEqual({ url: 'http://127.0.0.1:8787', apiKey: undefined });
    writeFileSync(join(cwd, 'api-key'), 'x'); // not the right place: ignored
    expect(resolveConnection({}, {}, cwd).apiKey).toBeUndefined();
    const local = join(cwd, '.data', 'local');
    mkdirSync(local, { recursive: true });
    writeFileSync(join(local, 'api-key'), 'from-file\n');
    expect(resolveConnection({}, {}, cwd)).toEqual({ url: 'http://127.0.0.1:8787', apiKey: 'from-file' });
    expect(resolveConnection({}, { TRIBUTARY_API_KEY: 'from-env', TRIBUTARY_URL: 'http://e:1' }, cwd)).toEqual({ url: 'http://e:1', apiKey: 'from-env' });
    expect(resolveConnection({ url: 'https://f', 'api-key': 'from-flag' }, { TRIBUTARY_API_KEY: 'from-env' }, cwd)).toEqual({ url: 'https://f', apiKey: 'from-flag' });
    expect(() => resolveConnection({ url: 'localhost:8787' }, {}, cwd)).toThrow(/--url must be an http\(s\) URL/);
  });
});
