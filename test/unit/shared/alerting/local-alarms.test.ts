import { afterEach, describe, expect, it } from 'vitest';
import { createLocalAlarms } from '../../../../shared/alerting/local-alarms.ts';
import { evaluateAlerts } from '../../../../shared/alerting/evaluate-alerts.ts';
import { createSqliteJobStore } from '../../../../shared/storage/local/sqlite-job-store.ts';
import { updateJob } from '../../../../shared/storage/job-store.ts';
import { createLogger } from '../../../../shared/logger.ts';
import type { JobRecord } from '../../../../shared/job/job-record.ts';
import { jobRecord } from '../prechecks/job-fixture.ts';
import { waitFor } from '../../../support/wait-for.ts';

// The local mode has no CloudWatch: the same thresholds are evaluated from
// the metrics the worker writes to the job, on a real SQLite job store.
const MIB = 1024 * 1024;
const at = '2026-11-23T10:00:00.000Z';
const running = (alerting: Record<string, unknown>, metrics: Partial<NonNullable<JobRecord['metrics']>> = {}, status: JobRecord['status'] = 'streaming'): JobRecord => ({
  ...jobRecord({ alerting } as never),
  status,
  metrics: { eventsDelivered: 0, eventsPerSecond: 0, at, ...metrics },
});

describe('evaluateAlerts', () => {
  it('lag and retained WAL above their thresholds fire, with value and threshold in the setting\'s unit', () => {
    expect(evaluateAlerts(running({ onFailure: true, lagThresholdSeconds: 30, retainedWalThresholdMb: 100 }, { lagSeconds: 45.27, retainedWalBytes: 150 * MIB }))).toEqual([
      { alert: 'lag', message: "replication lag is 45.3 s, above the job's threshold of 30 s", value: 45.3, threshold: 30, at },
      { alert: 'retained-wal', message: "the slot tributary_jtest0001 retains 150 MiB of WAL on the source, above the job's threshold of 100 MiB", value: 150, threshold: 100, at },
    ]);
  });

  it('at or below the threshold, unmeasured, unset, or not running: nothing fires', () => {
    expect(evaluateAlerts(running({ onFailure: true, lagThresholdSeconds: 30, retainedWalThresholdMb: 100 }, { lagSeconds: 30, retainedWalBytes: 100 * MIB }))).toEqual([]);
    expect(evaluateAlerts(running({ onFailure: true, lagThresholdSeconds: 30 }, {}))).toEqual([]);
    expect(evaluateAlerts(running({ onFailure: true }, { lagSeconds: 9999, retainedWalBytes: 9999 * MIB }))).toEqual([]);
    expect(evaluateAlerts(running({ onFailure: true, lagThresholdSeconds: 30 }, { lagSeconds: 99 }, 'stopped'))).toEqual([]);
  });

  it('a failed job fires "failed" unless onFailure is off; a record without alerting alerts on failure', () => {
    const error = { code: 'SourceAuthFailed' as const, class: 'fatal' as const, message: 'password authentication failed', remedy: 'x', at };
    const failed = { ...running({ onFailure: true }, {}, 'failed'), error };
    expect(evaluateAlerts(failed)).toEqual([{ alert: 'failed', message: 'the job failed: SourceAuthFailed: password authentication failed', at }]);
    expect(evaluateAlerts({ ...failed, alerting: { onFailure: false } })).toEqual([]);
    const old = { ...failed };
    delete old.alerting;
    expect(evaluateAlerts(old).map((a) => a.alert)).toEqual(['failed']);
  });
});

describe('local alarms', () => {
  const store = createSqliteJobStore(':memory:');
  let stop = () => {};
  afterEach(() => stop());

  it('the watcher logs an alert when it starts firing and when it resolves, once each', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const alarms = createLocalAlarms(createLogger({}, (l) => lines.push(JSON.parse(l))));
    const job = { ...running({ onFailure: true, lagThresholdSeconds: 30 }, { lagSeconds: 2 }), id: 'jwatch1' };
    await store.create(job);
    stop = alarms.watch(store, 20);
    await updateJob(store, job.id, (j) => ({ metrics: { ...j.metrics!, lagSeconds: 31 } }));
    const firing = await waitFor('the alert to be logged', () => lines.find((l) => l.msg === 'alert firing'), 5_000, 10);
    expect(firing).toMatchObject({ level: 'warn', jobId: 'jwatch1', alert: 'lag', value: 31, threshold: 30 });
    expect(alarms.firing((await store.get(job.id))!)).toMatchObject([{ alert: 'lag' }]);
    // a second job firing later proves the watcher evaluated again meanwhile: the first is not logged twice
    await store.create({ ...running({ onFailure: true }, {}, 'failed'), id: 'jwatch2' });
    await waitFor('the second job\'s alert', () => lines.find((l) => l.msg === 'alert firing' && l.jobId === 'jwatch2'), 5_000, 10);
    await updateJob(store, job.id, (j) => ({ metrics: { ...j.metrics!, lagSeconds: 1 } }));
    await waitFor('the alert to resolve', () => lines.find((l) => l.msg === 'alert resolved'), 5_000, 10);
    expect(lines.filter((l) => l.msg === 'alert firing' || l.msg === 'alert resolved').map((l) => `${l.msg} ${l.jobId} ${l.alert}`)).toEqual([
      'alert firing jwatch1 lag', 'alert firing jwatch2 failed', 'alert resolved jwatch1 lag',
    ]);
  });
});
