import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Launcher } from './launcher.ts';
import type { JobStore } from '../../shared/storage/job-store.ts';
import { updateJob } from '../../shared/storage/job-store.ts';
import { RUNNING_STATUSES } from '../../shared/job/job-status.ts';
import { TributaryError } from '../../shared/errors/tributary-error.ts';
import type { Logger } from '../../shared/logger.ts';
import { WORKER_ENV, WORKER_NODE_FLAGS } from '../../worker/node-flags.ts';
import { REPLACED_EXIT } from '../../worker/worker-claim.ts';

const WORKER_SOURCES = fileURLToPath(new URL('../../worker/main.ts', import.meta.url));

// Local mode: each job's worker is a child process of the control plane, with
// its log in <dataDir>/logs/<jobId>.log. A worker that dies without reporting
// (kill -9, OOM) is marked failed here, as the state machine does on AWS.
// Workers run the bundle the image runs (scripts/bundle-worker.ts), built into
// <dataDir>/worker-bundle at the first launch of this control plane; with
// TRIBUTARY_WORKER_FROM_SOURCES=1 (or without esbuild) they run the .ts sources.
// TRIBUTARY_WORKER_NODE_OPTIONS adds Node options after the worker's own
// (a later --max-old-space-size wins), e.g. --cpu-prof for a profile.
export function createChildProcessLauncher(opts: { dataDir: string; store: JobStore; log: Logger; stopTimeoutMs?: number }): Launcher & { pidOf(jobId: string): number | undefined; stopAll(): Promise<void> } {
  const children = new Map<string, { child: ChildProcess; exited: Promise<number | null> }>();
  const logDir = join(opts.dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  let workerMain: Promise<string> | undefined;
  const resolveWorkerMain = () =>
    (workerMain ??= process.env.TRIBUTARY_WORKER_FROM_SOURCES === '1'
      ? Promise.resolve(WORKER_SOURCES)
      : import('../../scripts/bundle-worker.ts').then(
          ({ bundleWorker }) => bundleWorker(join(opts.dataDir, 'worker-bundle')),
          (err) => {
            opts.log.warn('esbuild unavailable: workers run from the TypeScript sources', { error: String(err) });
            return WORKER_SOURCES;
          },
        ));

  const launcher = {
    async launch(jobId: string) {
      const main = await resolveWorkerMain();
      if (children.has(jobId)) throw new Error(`a worker for job ${jobId} is already running`);
      const fd = openSync(join(logDir, `${jobId}.log`), 'a');
      const child = spawn(process.execPath, [...WORKER_NODE_FLAGS, ...(process.env.TRIBUTARY_WORKER_NODE_OPTIONS?.split(' ').filter(Boolean) ?? []), main], {
        env: { ...WORKER_ENV, ...process.env, TRIBUTARY_JOB_ID: jobId, TRIBUTARY_DATA_DIR: opts.dataDir },
        // The IPC channel is a lifeline: when this process dies, even by
        // SIGKILL, the worker sees 'disconnect' and stops instead of living on
        // as an orphan that holds the slot.
        stdio: ['ignore', fd, fd, 'ipc'],
      });
      closeSync(fd);
      const exited = new Promise<number | null>((resolve) => {
        child.once('exit', async (code, signal) => {
          children.delete(jobId);
          if (code !== 0 && code !== REPLACED_EXIT) await markCrashed(jobId, code, signal); // a replaced worker left the job to its successor
          resolve(code);
        });
      });
      children.set(jobId, { child, exited });
      opts.log.info('worker launched', { jobId, pid: child.pid });
    },
    async stop(jobId: string) {
      const entry = children.get(jobId);
      if (!entry) return;
      entry.child.kill('SIGTERM');
      const timeout = setTimeout(() => entry.child.kill('SIGKILL'), opts.stopTimeoutMs ?? 30_000);
      await entry.exited;
      clearTimeout(timeout);
    },
    isRunning: (jobId: string) => children.has(jobId),
    pidOf: (jobId: string) => children.get(jobId)?.child.pid,
    async stopAll() {
      await Promise.all([...children.keys()].map((id) => launcher.stop(id)));
    },
  };

  async function markCrashed(jobId: string, code: number | null, signal: NodeJS.Signals | null) {
    const error = new TributaryError('WorkerCrashed', `worker exited ${signal ? `on ${signal}` : `with code ${code}`} without reporting; its log is ${join(logDir, `${jobId}.log`)}`);
    await updateJob(opts.store, jobId, (job) =>
      RUNNING_STATUSES.includes(job.status) ? { status: 'failed', error: error.toReport() } : undefined,
    ).catch((err) => opts.log.error('could not record worker exit', { jobId, error: String(err) }));
  }

  return launcher;
}
