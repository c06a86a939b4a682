import { describe, it, expect, beforeEach } from 'vitest';
import { runWithRetry, type RunHooks } from '../../../worker/run-with-retry.ts';
import { createSqliteJobStore } from '../../../shared/storage/local/sqlite-job-store.ts';
import { TributaryError } from '../../../shared/errors/tributary-error.ts';
import { createLogger } from '../../../shared/logger.ts';
import type { JobStore } from '../../../shared/storage/job-store.ts';
import { sampleJob } from '../shared/storage/job-store-contract.ts';

// A fake clock that sleeping advances, so windows of minutes run instantly.
function setup(windows = { connectionRetryMinutes: 10, otherRetryMinutes: 2 }) {
  let t = 1_000_000;
  const store: JobStore = createSqliteJobStore(':memory:');
  const job = { ...sampleJob('j1', { status: 'streaming' }), ...windows };
  const controller = new AbortController();
  const deps = { job, store, log: createLogger({}, () => {}), signal: controller.signal, now: () => t, random: () => 0 };
  return { store, job, deps, advance: (ms: number) => (t += ms), now: () => t, controller };
}

const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

describe('runWithRetry: retry windows as data', () => {
  let s: ReturnType<typeof setup>;
  beforeEach(async () => {
    s = setup();
    await s.store.create(s.job);
  });

  it('retries a connection failure and records the window on the job', async () => {
    let calls = 0;
    const seen: unknown[] = [];
    await runWithRetry(async () => {
      calls++;
      if (calls === 1) throw refused();
      seen.push(await s.store.get('j1'));
    }, s.deps);
    expect(calls).toBe(2);
    const during = seen[0] as { status: string; error: { code: string }; retry: { since: string; until: string } };
    expect(during.status).toBe('retrying');
    expect(during.error.code).toBe('SourceUnreachable');
    expect(Date.parse(during.retry.until) - Date.parse(during.retry.since)).toBe(10 * 60_000);
  });

  it('fails once the class window, counted from the first failure, is past', async () => {
    let calls = 0;
    const run = runWithRetry(async () => {
      calls++;
      s.advance(60_000); // each attempt takes a minute
      throw refused();
    }, s.deps);
    await expect(run).rejects.toThrow(/past the connection retry window/);
    expect(calls).toBeGreaterThanOrEqual(9);
    expect(calls).toBeLessThanOrEqual(11);
  });

  it('does not retry a fatal error', async () => {
    let calls = 0;
    await expect(
      runWithRetry(async () => {
        calls++;
        throw Object.assign(new Error('password authentication failed'), { code: '28P01' });
      }, s.deps),
    ).rejects.toMatchObject({ code: 'SourceAuthFailed' });
    expect(calls).toBe(1);
  });

  it('a healthy run resets the window: a later failure gets a full window again', async () => {
    let calls = 0;
    await expect(
      runWithRetry(async (hooks: RunHooks) => {
        calls++;
        s.advance(9 * 60_000);
        if (calls === 3) hooks.healthy(); // 18 min in: past 10 min only if never reset
        throw refused();
      }, s.deps),
    ).rejects.toThrow(/retry window/);
    expect(calls).toBeGreaterThan(3);
  });

  it('the other class has its own, shorter window', async () => {
    let calls = 0;
    await expect(
      runWithRetry(async () => {
        calls++;
        s.advance(60_000);
        throw new TributaryError('SinkRejected', 'record too large');
      }, s.deps),
    ).rejects.toThrow(/past the other retry window/);
    expect(calls).toBeLessThanOrEqual(3);
  });

  it('degraded() reports past the window with the time since the stall began', async () => {
    let verdict: TributaryError | undefined;
    await runWithRetry(async (hooks) => {
      const stall = new TributaryError('SinkUnreachable', 'no ack');
      const since = s.now();
      expect(hooks.degraded(stall, since)).toBeUndefined();
      s.advance(11 * 60_000);
      verdict = hooks.degraded(stall, since);
    }, s.deps);
    expect(verdict?.message).toMatch(/past the connection retry window/);
  });

  it('a stop during the backoff ends without an error', async () => {
    let calls = 0;
    await runWithRetry(async () => {
      calls++;
      s.controller.abort();
      throw refused();
    }, s.deps);
    expect(calls).toBe(1);
  });
});
