import { describe, expect, it } from 'vitest';
import { formatEmf } from '../../../../worker/metrics/emf.ts';

const at = new Date('2026-01-02T03:04:05.678Z');

describe('formatEmf: worker metrics as CloudWatch embedded metric format', () => {
  it('declares every present figure with its unit, under both dimension sets', () => {
    const doc = JSON.parse(formatEmf({
      environment: 'prod', jobId: 'job-1', at,
      replicationLagMs: 1500, retainedWalBytes: 4096, rowsPerSecond: 250.5, bytesPerSecond: 10_000, errors: { connection: 2, other: 0 },
    }));
    expect(doc._aws.Timestamp).toBe(at.getTime());
    expect(doc._aws.CloudWatchMetrics).toEqual([{
      Namespace: 'Tributary',
      Dimensions: [['Environment', 'JobId'], ['Environment']],
      Metrics: [
        { Name: 'ReplicationLag', Unit: 'Milliseconds' },
        { Name: 'RetainedWalBytes', Unit: 'Bytes' },
        { Name: 'RowsPerSecond', Unit: 'Count/Second' },
        { Name: 'BytesPerSecond', Unit: 'Bytes/Second' },
        { Name: 'ConnectionErrors', Unit: 'Count' },
        { Name: 'OtherErrors', Unit: 'Count' },
      ],
    }]);
    expect(doc).toMatchObject({ Environment: 'prod', JobId: 'job-1', ReplicationLag: 1500, RetainedWalBytes: 4096, RowsPerSecond: 250.5, ConnectionErrors: 2, OtherErrors: 0 });
  });

  it('leaves out figures not measured yet, and values CloudWatch would reject', () => {
    const doc = JSON.parse(formatEmf({ environment: 'dev', jobId: 'j', at, replicationLagMs: undefined, retainedWalBytes: Number.NaN, rowsPerSecond: Infinity, bytesPerSecond: 0 }));
    expect(doc._aws.CloudWatchMetrics[0].Metrics).toEqual([{ Name: 'BytesPerSecond', Unit: 'Bytes/Second' }]);
    expect(doc).not.toHaveProperty('ReplicationLag');
    expect(doc).not.toHaveProperty('RetainedWalBytes');
    expect(doc.BytesPerSecond).toBe(0);
  });

  it('is one line: the awslogs driver ships it as one event', () => {
    expect(formatEmf({ environment: 'dev', jobId: 'j', at, rowsPerSecond: 1 })).not.toContain('\n');
  });
});
