import { describe, expect, it } from 'vitest';
import { allowedFrom, canApply, JOB_STATUSES, RUNNING_STATUSES, type JobAction, type JobStatus } from '../../../../shared/job/job-status.ts';

const legalFrom = (action: JobAction) => JOB_STATUSES.filter((s) => canApply(action, s));

describe('job status transitions', () => {
  it.each<[JobStatus, boolean]>([
    ['created', false], // a precheck must pass first
    ['precheck_failed', false],
    ['stopped', true],
    ['failed', true],
    ['precheck_passed', true],
    ['streaming', false],
    ['starting', false],
    ['stopping', false],
    ['releasing', false],
    ['released', false],
  ])('start from %s → %s', (status, ok) => {
    expect(canApply('start', status)).toBe(ok);
  });

  it('stop is legal only while a worker runs and is not already stopping', () => {
    expect(legalFrom('stop')).toEqual(['starting', 'snapshotting', 'streaming', 'retrying']);
    for (const s of legalFrom('stop')) expect(RUNNING_STATUSES).toContain(s);
    for (const s of ['created', 'stopped', 'failed', 'released', 'releasing', 'stopping'] as const) expect(canApply('stop', s)).toBe(false);
  });

  it('release is legal from every state but released and the two in-progress checks (prechecking, stopping)', () => {
    expect(canApply('release', 'released')).toBe(false);
    expect(canApply('release', 'releasing')).toBe(true); // a failed release may be retried
    expect(legalFrom('release')).toEqual(JOB_STATUSES.filter((s) => !['released', 'prechecking', 'stopping'].includes(s)));
  });

  it('nothing leaves released', () => {
    for (const action of ['start', 'stop', 'release'] as const) expect(canApply(action, 'released')).toBe(false);
  });

  it('allowedFrom lists exactly the states canApply accepts', () => {
    for (const action of ['start', 'stop', 'release'] as const) expect([...allowedFrom(action)].sort()).toEqual([...legalFrom(action)].sort());
  });
});
