import type { JobRecord } from '../shared/job/job-record.ts';
import type { JobStore } from '../shared/storage/job-store.ts';
import type { Logger } from '../shared/logger.ts';

// A running job's table list can change (PATCH, after a precheck of the new
// list: functions/api/change-running-objects.ts). The worker reads its job
// every few seconds and, when the accepted list differs from the one this run
// started with, asks for a restart: the run stops at a clean checkpoint (as
// for a stop: deliver, save, acknowledge) and the next run sets the
// publication to the new tables and snapshots the added ones. A list still
// being prechecked (`pendingObjects`) is not acted on.
export type ObjectsWatch = { stop(): void };

export function watchObjects(opts: {
  store: JobStore;
  job: JobRecord;
  log: Logger;
  onChange: (next: JobRecord) => void;
  intervalMs?: number;
}): ObjectsWatch {
  const started = JSON.stringify(opts.job.objects);
  let stopped = false;
  let busy = false;
  const timer = setInterval(async () => {
    if (busy || stopped) return;
    busy = true;
    try {
      const current = await opts.store.get(opts.job.id);
      if (!stopped && current && JSON.stringify(current.objects) !== started) {
        stopped = true;
        clearInterval(timer);
        opts.onChange(current);
      }
    } catch (err) {
      // a store hiccup only delays noticing; the next tick reads again
      opts.log.warn('could not read the job to look for a changed table list', { error: err instanceof Error ? err.message : String(err) });
    } finally {
      busy = false;
    }
  }, opts.intervalMs ?? 5_000);
  timer.unref();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
