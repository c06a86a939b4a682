import { describe, expect, it } from 'vitest';
import { whileClaimed } from '../../../worker/worker-claim.ts';
import type { JobRecord } from '../../../shared/job/job-record.ts';

const job = (workerRun?: string) => ({ id: 'j1', status: 'streaming', ...(workerRun ? { workerRun } : {}) }) as JobRecord;
const fail = () => ({ status: 'failed' as const });

describe('whileClaimed', () => {
  it('applies the change while this worker holds the job', () => {
    expect(whileClaimed('a', fail)(job('a'))).toEqual({ status: 'failed' });
  });

  it('changes nothing once a newer worker claimed the job, and says who holds it', () => {
    const lost: string[] = [];
    expect(whileClaimed('a', fail, (h) => lost.push(h))(job('b'))).toBeUndefined();
    expect(lost).toEqual(['b']);
  });

  it('applies the change to a job nobody claimed, and for a worker that failed before claiming', () => {
    expect(whileClaimed('a', fail)(job())).toEqual({ status: 'failed' });
    expect(whileClaimed(undefined, fail)(job('b'))).toEqual({ status: 'failed' });
  });
});
