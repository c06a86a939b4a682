import { describe, expect, it, vi } from 'vitest';
import { synthApp, templateOf } from './support/synth.ts';
import { jobMachineDefinition } from './support/job-machine-asl.ts';
import { jobMachineHarness, T0, type WorkerScript } from './support/job-machine-harness.ts';

// The deployed definition (synthesized from infra/, nothing rebuilt by hand) on
// the local engine, with simulated time: the retry windows of SPEC.md §3.
const { definition, stateMachineName } = jobMachineDefinition(templateOf(synthApp(['dev']), 'Tributary-dev-ControlPlane'));
const MIN = 60_000;
const windows = { connectionRetryMinutes: 10, otherRetryMinutes: 2 };
const outage = (from: number, to: number): WorkerScript => (now) =>
  now >= from && now < to ? { kind: 'fail', errorClass: 'connection' } : { kind: 'stream', durationMs: 5 * MIN, then: 'stopped-by-user' };

describe('job state machine (the deployed ASL on aws-local-stepfunctions)', () => {
  it('uses JSONPath only: the local engine ignores JSONata', () => {
    expect(definition).not.toHaveProperty('QueryLanguage');
    expect(JSON.stringify(definition)).not.toMatch(/\{%|"Arguments"|"Output"/);
  });

  it('a 3-minute connection outage inside a 10-minute window: relaunches with backoff, then resumes', async () => {
    const h = await jobMachineHarness({ definition, stateMachineName, worker: outage(T0, T0 + 3 * MIN) });
    const result = await h.run({ jobId: h.job.id, windows });

    expect(result.status).toBe('SUCCEEDED');
    expect(result.states.at(-1)).toBe('Stopped');
    expect(h.launches.length).toBeGreaterThan(2); // failed launches during the outage, then one that streamed
    expect(h.launches.at(-1)).toBeGreaterThanOrEqual(T0 + 3 * MIN);
    expect(h.launches.at(-2)).toBeLessThan(T0 + 3 * MIN);
    // every launch runs the job's own task definition (its secrets), as PrepareRun chose it
    expect(new Set(h.taskDefinitions)).toEqual(new Set([`tributary-dev-worker-${h.job.id}`]));
    const job = await h.store.get(h.job.id);
    expect(job).toMatchObject({ status: 'stopped' });
    expect(job?.error).toBeUndefined();
    expect(h.releases).toHaveLength(0);
  });

  it('while retrying, the job shows the class and its window from the first failure', async () => {
    let seen: unknown;
    const h = await jobMachineHarness({
      definition, stateMachineName,
      worker: (now, launch) => {
        if (launch === 3) seen = h.store.get(h.job.id);
        return outage(T0, T0 + 3 * MIN)(now, launch);
      },
    });
    await h.run({ jobId: h.job.id, windows });
    expect(await seen).toMatchObject({
      status: 'retrying',
      error: { code: 'SourceUnreachable', class: 'connection' },
      retry: { errorClass: 'connection', since: new Date(T0 + 10_000).toISOString(), until: new Date(T0 + 10_000 + 10 * MIN).toISOString() },
    });
  });

  it('an outage longer than the window fails the job, stops the worker and drops the slot', async () => {
    const h = await jobMachineHarness({ definition, stateMachineName, worker: outage(T0, T0 + 60 * MIN) });
    const result = await h.run({ jobId: h.job.id, windows });

    expect(result).toMatchObject({ status: 'FAILED', error: 'JobFailed' });
    expect(result.states).toEqual(expect.arrayContaining(['StopWorker', 'ReleaseSource', 'FinishRelease', 'JobFailed']));
    expect(h.stops).toEqual([{ jobId: h.job.id }]);
    expect(h.releases.map((j) => j.slotName)).toEqual([h.job.slotName]);
    expect(h.positionTopicReleases).toEqual([]); // a failed job may be started again: it resumes from its position topic
    // relaunched while the window was open (the last try at its close), never after
    const firstFailure = T0 + 10_000;
    expect(Math.max(...h.launches)).toBeLessThanOrEqual(firstFailure + 10 * MIN);
    expect(h.now()).toBeGreaterThanOrEqual(firstFailure + 10 * MIN);
    const job = await h.store.get(h.job.id);
    expect(job?.status).toBe('failed');
    expect(job?.error?.message).toMatch(/past the connection retry window of 10 min/);
    expect(job?.error?.message).toMatch(new RegExp(`removed from the source: slot ${job!.slotName} and publication ${job!.publicationName}`));
  });

  it('an other-class error past its (shorter) window fails the job', async () => {
    const h = await jobMachineHarness({ definition, stateMachineName, worker: () => ({ kind: 'fail', errorClass: 'other', code: 'SinkRejected' }) });
    const result = await h.run({ jobId: h.job.id, windows });

    expect(result).toMatchObject({ status: 'FAILED', error: 'JobFailed' });
    const job = await h.store.get(h.job.id);
    expect(job?.error).toMatchObject({ code: 'SinkRejected', class: 'other' });
    expect(job?.error?.message).toMatch(/past the other retry window of 2 min/);
    expect(h.now() - T0).toBeLessThan(10 * MIN); // judged by the other window, not the connection one
    expect(h.releases).toHaveLength(1);
  });

  it('a fatal error fails at once, without relaunching', async () => {
    const h = await jobMachineHarness({ definition, stateMachineName, worker: () => ({ kind: 'fail', errorClass: 'fatal', code: 'SourceAuthFailed' }) });
    const result = await h.run({ jobId: h.job.id, windows });
    expect(result).toMatchObject({ status: 'FAILED', error: 'JobFailed' });
    expect(h.launches).toHaveLength(1);
  });

  it('a worker that found a newer worker running its job ends its run without failing, stopping or relaunching the job', async () => {
    const h = await jobMachineHarness({
      definition, stateMachineName,
      worker: () => ({ kind: 'stream', durationMs: MIN, then: { kind: 'replaced' } }),
    });
    const result = await h.run({ jobId: h.job.id, windows });
    expect(result.status).toBe('SUCCEEDED');
    expect(h.launches).toHaveLength(1);
    expect(h.releases).toHaveLength(0);
    expect((await h.store.get(h.job.id))?.status).toBe('streaming'); // as the newer worker left it
  });

  it('a successful stretch resets the window: two 8-minute outages an hour apart both resume', async () => {
    const h = await jobMachineHarness({
      definition, stateMachineName,
      worker: (now) => {
        if (now < T0 + 8 * MIN) return { kind: 'fail', errorClass: 'connection' };
        if (now < T0 + 60 * MIN) return { kind: 'stream', durationMs: 60 * MIN, then: { kind: 'fail', errorClass: 'connection' } };
        if (now < T0 + 60 * MIN + 16 * MIN) return { kind: 'fail', errorClass: 'connection' };
        return { kind: 'stream', durationMs: MIN, then: 'stopped-by-user' };
      },
    });
    const result = await h.run({ jobId: h.job.id, windows });
    expect(result.states.at(-1)).toBe('Stopped'); // 16 min of outage in all, but never 10 in a row
    expect(h.releases).toHaveLength(0);
  });

  it('a clean exit nobody asked for (Fargate retiring the task) relaunches without opening a window', async () => {
    let launches = 0;
    const h = await jobMachineHarness({
      definition, stateMachineName,
      worker: () => (++launches === 1 ? { kind: 'stream', durationMs: MIN, then: { kind: 'fail', errorClass: 'connection', durationMs: 0 } } : { kind: 'stream', durationMs: MIN, then: 'stopped-by-user' }),
    });
    const result = await h.run({ jobId: h.job.id, windows });
    expect(result.states.at(-1)).toBe('Stopped');
    expect(h.launches).toHaveLength(2);
  });

  it('a user release runs the release branch: stop, drop, secret deleted, released', async () => {
    const h = await jobMachineHarness({ definition, stateMachineName, worker: () => { throw new Error('release must not launch a worker'); }, job: { status: 'releasing' } });
    const result = await h.run({ jobId: h.job.id, action: 'release' });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({ released: { slot: true, publication: true } });
    expect(result.states.at(-1)).toBe('Released');
    expect((await h.store.get(h.job.id))?.status).toBe('released');
    expect(h.stops).toHaveLength(1);
    expect(h.removedTaskDefinitions).toEqual([h.job.id]);
    expect(h.positionTopicReleases).toEqual([h.job.id]);
  });

  it('cleanup that never succeeds is retried, then reports exactly what may remain on the source', async () => {
    const h = await jobMachineHarness({
      definition, stateMachineName, worker: () => ({ kind: 'fail', errorClass: 'fatal' }), job: { status: 'releasing' },
      releaseSource: async () => { throw new Error('connect ECONNREFUSED 10.0.0.5:5432'); },
    });
    const result = await h.run({ jobId: h.job.id, action: 'release' });
    expect(result).toMatchObject({ status: 'FAILED', error: 'CleanupIncomplete' });
    expect(h.releases).toHaveLength(13); // the first try and 12 retries
    const job = await h.store.get(h.job.id);
    expect(job?.status).toBe('releasing');
    expect(job?.error?.message).toContain(`replication slot "${job!.slotName}", publication "${job!.publicationName}" and heartbeat table "public"."tributary_heartbeat_${job!.id}"`);
    expect(job?.error?.message).toContain('ECONNREFUSED 10.0.0.5:5432');
  });

  it('a job stopped while the machine waits is not relaunched', async () => {
    const h = await jobMachineHarness({
      definition, stateMachineName,
      worker: () => ({ kind: 'fail', errorClass: 'connection', durationMs: 1000 }),
      // the user stops the job after its worker failed, while the machine backs off: the next PrepareRun ends the execution
      afterExit: async (store, id) => { await store.replace({ ...(await store.get(id))!, status: 'stopped' }); },
    });
    const result = await h.run({ jobId: h.job.id, windows });
    expect(result.status).toBe('SUCCEEDED');
    expect(h.launches).toHaveLength(1);
  });
});

describe('hand-over to a fresh execution (Standard executions end after one year)', () => {
  it('past its deadline, an execution stops the worker and starts the next with the windows and first failures', async () => {
    const h = await jobMachineHarness({ definition, stateMachineName, worker: outage(T0, T0 + 60 * MIN) });
    const result = await h.run({ jobId: h.job.id, runId: 'r1', windows, handOverAt: new Date(T0 + 2 * MIN).toISOString() });

    expect(result.status).toBe('SUCCEEDED');
    expect(result.states.slice(-4)).toEqual(['StopWorker', 'AfterStop', 'HandOver', 'HandedOver']);
    expect(h.handOvers).toHaveLength(1);
    const [next] = h.handOvers;
    expect(next.StateMachineArn).toMatch(new RegExp(`:stateMachine:${stateMachineName}$`));
    expect(next.Name).toBe(`${h.job.id}-r1-g1`);
    expect(next.Input).toMatchObject({
      jobId: h.job.id, action: 'run', runId: 'r1', windows, generation: 1,
      failures: { connection: new Date(T0 + 10_000).toISOString(), other: null },
    });
    expect(next.Input).not.toHaveProperty('handOverAt'); // the next execution sets its own deadline

    // the next execution goes on counting the same window: the outage still fails the job 10 min after its first failure
    const second = await h.run(next.Input);
    expect(second).toMatchObject({ status: 'FAILED', error: 'JobFailed' });
    expect(Math.max(...h.launches)).toBeLessThanOrEqual(T0 + 10_000 + 10 * MIN);
  });

  it('RunWorker\'s timeout (the engine\'s own timer, on fake time) gracefully restarts a worker that has streamed for 14 days', async () => {
    expect((definition as { States: Record<string, { TimeoutSeconds?: number }> }).States.RunWorker.TimeoutSeconds).toBe(14 * 86_400);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const h = await jobMachineHarness({ definition, stateMachineName, worker: () => ({ kind: 'stream', durationMs: MIN, then: 'stopped-by-user' }) });
      let launches = 0;
      const running = h.run({ jobId: h.job.id, runId: 'r2', windows, handOverAt: new Date(T0 + 30 * 86_400_000).toISOString() }, {
        // the first worker never ends by itself; the engine's 14-day timer (fake time) ends its wait
        neverEndingWorker: () => ++launches === 1,
      });
      await vi.advanceTimersByTimeAsync(14 * 86_400_000);
      const result = await running;
      expect(result.states.slice(0, 8)).toEqual(['PrepareRun', 'AfterPrepare', 'RunWorker', 'MarkRestart', 'StopWorker', 'AfterStop', 'PrepareRun', 'AfterPrepare']);
      expect(result.states.at(-1)).toBe('Stopped');
      expect(h.stops).toHaveLength(1);
      expect(h.launches).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
