import { describe, expect, it } from 'vitest';
import { formatStatus } from '../../../cli/format-status.ts';
import type { JobView } from '../../../cli/api-types.ts';
import { formatBytes, formatDuration } from '../../../cli/format-units.ts';

const now = new Date('2026-01-01T12:00:00Z');

describe('formatStatus', () => {
  it('shows phase, source, sink, lag, rates, WAL, acked LSN', () => {
    const job: JobView = {
      id: 'j1', name: 'orders', status: 'streaming',
      source: { host: 'db.internal', port: 5432, database: 'shop', user: 'cdc' },
      destination: { type: 'kafka', brokers: ['b1:9092'] },
      ackedLsn: '0/16B3740',
      metrics: { lagSeconds: 1.25, retainedWalBytes: 3 * 1024 * 1024, eventsDelivered: 12345, eventsPerSecond: 56.04, at: '2026-01-01T11:59:57Z' },
    };
    expect(formatStatus(job, now).split('\n')).toEqual([
      'j1  orders',
      'phase      streaming',
      'source     cdc@db.internal:5432/shop',
      'sink       kafka b1:9092',
      'lag        1.25 s',
      'rate       56 events/s, 12,345 delivered (as of 3 s ago)',
      'WAL kept   3.0 MiB held by the slot',
      'acked LSN  0/16B3740',
    ]);
  });

  it('shows the alerts firing now (local mode) right after the figures they judge', () => {
    const job: JobView = {
      id: 'j1', status: 'streaming', metrics: { lagSeconds: 95 },
      alerts: [{ alert: 'lag', message: "replication lag is 95 s, above the job's threshold of 30 s" }],
    };
    expect(formatStatus(job, now).split('\n')).toEqual(['j1', 'phase      streaming', 'lag        1m 35s', "ALERT      lag: replication lag is 95 s, above the job's threshold of 30 s"]);
  });

  it('shows the error with its remedy and the time left in the retry window', () => {
    const job: JobView = {
      id: 'j2', status: 'retrying',
      error: { code: 'SourceUnreachable', class: 'connection', message: 'connect ECONNREFUSED 10.0.0.1:5432', remedy: 'Check that the source is up.' },
      retry: { errorClass: 'connection', since: '2026-01-01T11:58:00Z', until: '2026-01-01T23:56:00Z', attempt: 3 },
    };
    const text = formatStatus(job, now);
    expect(text).toContain('error      SourceUnreachable (connection): connect ECONNREFUSED 10.0.0.1:5432');
    expect(text).toContain('remedy     Check that the source is up.');
    expect(text).toContain('retry      connection retry window closes in 11h 56m (at 2026-01-01T23:56:00Z, attempt 3)');
  });

  it('says when the retry window has closed, and when lag is not measured yet', () => {
    const text = formatStatus({ id: 'j3', status: 'streaming', metrics: { eventsPerSecond: 0 }, retry: { until: '2026-01-01T11:55:00Z' } }, now);
    expect(text).toContain('lag        not measured yet');
    expect(text).toContain('retry      failure retry window closed 5m 0s ago');
  });

  it('includes snapshot progress when the status carries it', () => {
    const text = formatStatus({ id: 'j4', status: 'snapshotting', snapshot: { tables: [{ schema: 'public', table: 'orders', rowsDone: 50, estimatedRows: 100, done: false }] } }, now);
    expect(text).toContain('snapshot   0 of 1 tables copied');
    expect(text).toMatch(/public\.orders {2}\[█+░+\] {2}50% {2}50 \/ ~100 rows/);
  });

  it('shows the last precheck: verdict, blockers, acknowledged and open warnings', () => {
    const text = formatStatus({ id: 'j5', status: 'precheck_passed', precheck: { report: { verdict: 'passed', results: [], blocking: [], needsAcknowledgement: ['wal-retention', 'toast'] }, acknowledged: ['toast'] } }, now);
    expect(text).toContain('precheck   passed; acknowledged: toast; to acknowledge: wal-retention');
  });
});

describe('units', () => {
  it('formats bytes and durations', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatDuration(0.349)).toBe('0.35 s');
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(3 * 86400 + 7200 + 60)).toBe('3d 2h');
  });
});
