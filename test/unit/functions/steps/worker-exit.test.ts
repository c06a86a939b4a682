import { describe, expect, it } from 'vitest';
import { readWorkerExit } from '../../../../functions/steps/worker-exit.ts';
import { effectiveWindows } from '../../../../functions/steps/effective-windows.ts';
import { sampleJob } from '../../shared/storage/job-store-contract.ts';

describe('readWorkerExit: the RunWorker state\'s report', () => {
  const task = { StoppedReason: 'Essential container in task exited', Containers: [{ Name: 'sidecar', ExitCode: 0 }, { Name: 'worker', ExitCode: 75 }] };

  it('reads the worker container\'s exit code from a stopped task (success output)', () => {
    expect(readWorkerExit({ task }, 'worker')).toEqual({ exitCode: 75, stoppedReason: 'Essential container in task exited', stateError: undefined });
  });

  it('reads it from the Cause of a failed .sync state (the task as JSON)', () => {
    expect(readWorkerExit({ Error: 'States.TaskFailed', Cause: JSON.stringify(task) }, 'worker')).toMatchObject({ exitCode: 75, stateError: 'States.TaskFailed' });
  });

  it('a task that never ran has no exit code; the cause is kept as the reason', () => {
    expect(readWorkerExit({ Error: 'ECS.AmazonECSException', Cause: 'CannotPullContainerError: pull access denied' }, 'worker'))
      .toEqual({ exitCode: undefined, stoppedReason: 'CannotPullContainerError: pull access denied', stateError: 'ECS.AmazonECSException' });
  });

  it('accepts ECS\'s own camelCase', () => {
    expect(readWorkerExit({ task: { stoppedReason: 'x', containers: [{ name: 'worker', exitCode: 1 }] } }, 'worker').exitCode).toBe(1);
  });
});

describe('effectiveWindows: the shortest window among jobs sharing an endpoint (DTS)', () => {
  const job = sampleJob('a', { connectionRetryMinutes: 720, otherRetryMinutes: 30 });

  it('takes the minimum per class over jobs on the same source server or a shared broker', () => {
    const sameSource = sampleJob('b', { connectionRetryMinutes: 60, otherRetryMinutes: 45 });
    const sharedBroker = sampleJob('c', { source: { ...job.source, host: 'other.db' }, connectionRetryMinutes: 600, otherRetryMinutes: 5 });
    expect(effectiveWindows(job, [job, sameSource, sharedBroker])).toEqual({ connectionRetryMinutes: 60, otherRetryMinutes: 5 });
  });

  it('a PostgreSQL destination shares its server with jobs reading from or writing to it', () => {
    const dest = { type: 'postgresql', host: 'DW.internal', port: 5432, database: 'w', user: 'u', sslmode: 'disable', conflictMode: 'precheck-and-report', nameCase: 'default', passwordRef: 'r' };
    const writer = sampleJob('f', { source: { ...job.source, host: 'x.db' }, destination: dest, connectionRetryMinutes: 20, otherRetryMinutes: 2 } as never);
    const readsTheWarehouse = sampleJob('g', { source: { ...job.source, host: 'dw.internal', port: 5432 }, connectionRetryMinutes: 15, otherRetryMinutes: 3 } as never);
    expect(effectiveWindows(writer, [writer, readsTheWarehouse, job])).toEqual({ connectionRetryMinutes: 15, otherRetryMinutes: 2 });
  });

  it('ignores unrelated and released jobs', () => {
    const unrelated = sampleJob('d', { source: { ...job.source, host: 'x.db' }, destination: { ...job.destination, brokers: ['k9:9092'] }, connectionRetryMinutes: 10, otherRetryMinutes: 1 } as never);
    const released = sampleJob('e', { status: 'released', connectionRetryMinutes: 10, otherRetryMinutes: 1 });
    expect(effectiveWindows(job, [unrelated, released])).toEqual({ connectionRetryMinutes: 720, otherRetryMinutes: 30 });
  });
});
