import type { JobStore } from '../../shared/storage/job-store.ts';
import { updateJob } from '../../shared/storage/job-store.ts';
import { RUNNING_STATUSES } from '../../shared/job/job-status.ts';
import type { Logger } from '../../shared/logger.ts';
import type { Launcher } from './launcher.ts';

// A local control plane that restarts (a reboot, a crash) finds jobs that
// were running when it went away: their workers stopped when the IPC lifeline
// broke, so each is launched again and resumes from its slot's position.
export async function resumeJobs(store: JobStore, launcher: Launcher, log: Logger): Promise<void> {
  for (const job of await store.list()) {
    if (job.status === 'stopping') {
      await updateJob(store, job.id, () => ({ status: 'stopped' }));
    } else if (RUNNING_STATUSES.includes(job.status) && !launcher.isRunning(job.id)) {
      await updateJob(store, job.id, () => ({ status: 'starting' }));
      await launcher.launch(job.id);
      log.info('job resumed after control-plane restart', { jobId: job.id });
    }
  }
}
