import { describe, expect, it } from 'vitest';
import { runChecks } from '../../../../shared/prechecks/run-prechecks.ts';
import { error, pass, warning, type Finding, type Precheck, type PrecheckContext } from '../../../../shared/prechecks/precheck.ts';
import { jobRecord } from './job-fixture.ts';

// The engine with fake checks: no connection is ever opened.
const ctx = (): PrecheckContext => ({
  job: jobRecord(),
  options: { longTransactionSeconds: 300, walSampleMs: 1000 },
  source: () => Promise.reject(new Error('no source in unit tests')),
  openReplication: () => Promise.reject(new Error('no source in unit tests')),
  destination: () => Promise.reject(new Error('no destination in unit tests')),
  kafka: () => {
    throw new Error('no kafka in unit tests');
  },
  kafkaAdmin: () => Promise.reject(new Error('no kafka in unit tests')),
  memo: (_key, load) => load(),
});

const check = (id: string, run: () => Promise<Finding> | Finding, extra: Partial<Precheck> = {}): Precheck => ({
  id,
  title: `check ${id}`,
  appliesTo: () => true,
  run: async () => run(),
  ...extra,
});

const never = () => new Promise<Finding>(() => undefined);

describe('runChecks', () => {
  it('returns every result in the order of the table, whatever order they finish in', async () => {
    const slowFirst = check('a', () => new Promise((r) => setTimeout(() => r(pass('slow')), 30)));
    const report = await runChecks([slowFirst, check('b', () => pass('fast')), check('c', () => warning('w'))], ctx());
    expect(report.results.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(report.results[0]).toEqual({ id: 'a', title: 'check a', status: 'pass', detail: 'slow', ignorable: false });
  });

  it('runs independent checks concurrently', async () => {
    let inFlight = 0;
    let peak = 0;
    const tracked = (id: string) =>
      check(id, async () => {
        peak = Math.max(peak, ++inFlight);
        await new Promise((r) => setTimeout(r, 20));
        inFlight--;
        return pass(id);
      });
    await runChecks([tracked('a'), tracked('b'), tracked('c')], ctx());
    expect(peak).toBe(3);
  });

  it('turns a check that outlives its timeout into an error naming the limit, without waiting for it', async () => {
    const started = Date.now();
    const report = await runChecks([check('hangs', never), check('ok', () => pass('fine'))], ctx(), { timeoutMs: 100 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(report.results[0]).toMatchObject({ id: 'hangs', status: 'error', detail: 'timed out after 0.1 s', ignorable: false });
    expect(report.results[1].status).toBe('pass');
  });

  it('reports a check that throws as an error with its message', async () => {
    const report = await runChecks([check('boom', () => Promise.reject(new Error('relation "x" does not exist')))], ctx());
    expect(report.results[0]).toMatchObject({ status: 'error', detail: 'the check itself failed: relation "x" does not exist' });
  });

  it('skips checks whose prerequisite failed, transitively, naming the reason; warnings do not skip', async () => {
    const ran: string[] = [];
    const tracked = (id: string, finding: Finding, requires?: string[]) => check(id, () => (ran.push(id), finding), { requires });
    const report = await runChecks(
      [
        tracked('reachable', error('ECONNREFUSED')),
        tracked('login', pass('ok'), ['reachable']),
        tracked('settings', pass('ok'), ['login']),
        tracked('kafka', warning('slow')),
        tracked('topics', pass('ok'), ['kafka']),
      ],
      ctx(),
    );
    expect(ran.sort()).toEqual(['kafka', 'reachable', 'topics']);
    expect(report.results.map((r) => [r.id, r.status])).toEqual([
      ['reachable', 'error'],
      ['login', 'skipped'],
      ['settings', 'skipped'],
      ['kafka', 'warning'],
      ['topics', 'pass'],
    ]);
    expect(report.results[1].detail).toBe('not run: "check reachable" failed');
    expect(report.results[2].detail).toBe('not run: "check login" was skipped');
  });

  it('a timed-out prerequisite skips its dependants too', async () => {
    const report = await runChecks([check('slow', never), check('after', () => pass('x'), { requires: ['slow'] })], ctx(), { timeoutMs: 30 });
    expect(report.results.map((r) => r.status)).toEqual(['error', 'skipped']);
  });

  it('leaves out checks that do not apply, and ignores them as prerequisites', async () => {
    const report = await runChecks(
      [check('eos', () => error('no'), { appliesTo: () => false }), check('after', () => pass('ran'), { requires: ['eos'] })],
      ctx(),
    );
    expect(report.results.map((r) => [r.id, r.status])).toEqual([['after', 'pass']]);
  });

  it('computes the verdict over all results', async () => {
    const report = await runChecks([check('a', () => pass('ok')), check('b', () => warning('ack me'))], ctx());
    expect(report).toMatchObject({ verdict: 'passed', needsAcknowledgement: ['b'], blocking: [] });
    expect(report.durationMs).toBeGreaterThanOrEqual(0);
    expect(Date.parse(report.startedAt)).not.toBeNaN();
  });
});
