import type { JobStore } from '../storage/job-store.ts';
import type { Logger } from '../logger.ts';
import { alertingOf, type Alarms } from './alarms.ts';
import { evaluateAlerts } from './evaluate-alerts.ts';

// The local adapter: there is no CloudWatch, so the thresholds are evaluated
// from the job's reported metrics whenever the job is read (GET /jobs/{id}
// shows `alerts`), and a watcher logs each alert when it starts and stops
// firing, which is the local mode's notification.
export type LocalAlarms = Alarms & {
  /** Evaluates every job every `intervalMs` and logs changes; returns the function that stops it. */
  watch(store: JobStore, intervalMs?: number): () => void;
};

export function createLocalAlarms(log: Logger): LocalAlarms {
  const firingNow = new Map<string, Set<string>>();
  const check = async (store: JobStore) => {
    for (const job of await store.list()) {
      if (job.status === 'released') {
        firingNow.delete(job.id);
        continue;
      }
      const alerts = evaluateAlerts(job);
      const before = firingNow.get(job.id) ?? new Set<string>();
      const now = new Set(alerts.map((a) => a.alert));
      for (const a of alerts) if (!before.has(a.alert)) log.warn('alert firing', { jobId: job.id, job: job.name, alert: a.alert, message: a.message, value: a.value, threshold: a.threshold });
      for (const a of before) if (!now.has(a as never)) log.info('alert resolved', { jobId: job.id, job: job.name, alert: a });
      firingNow.set(job.id, now);
    }
  };
  return {
    async apply(job) {
      log.info('job alerting set', { jobId: job.id, ...alertingOf(job) });
    },
    async remove(job) {
      firingNow.delete(job.id);
    },
    firing: evaluateAlerts,
    watch(store, intervalMs = 5_000) {
      let running = false;
      const timer = setInterval(() => {
        if (running) return;
        running = true;
        check(store).catch((err) => log.error('alert evaluation failed', { error: (err as Error).message })).finally(() => (running = false));
      }, intervalMs);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
