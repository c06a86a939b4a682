import { pass, warning, type Finding, type Precheck } from '../precheck.ts';
import { alterSystemReload } from '../fix-sql.ts';
import { sourceFacts } from '../source-facts.ts';

// The worker sends a standby status update every 10 s (wal-stream.ts), so a
// shorter wal_sender_timeout can drop a healthy stream; 0 disables the timeout
// and a dead client then holds the slot "active" until TCP gives up, which
// blocks the restarted worker with "slot is active" (55006).
export const WORKER_STATUS_INTERVAL_MS = 10_000;

export function assessWalSenderTimeout(ms: number): Finding {
  const fix = alterSystemReload('wal_sender_timeout', "'60s'");
  if (ms === 0) return warning('wal_sender_timeout = 0 (disabled): a vanished worker keeps its slot active until TCP notices, and the restarted worker cannot stream meanwhile', fix);
  if (ms < WORKER_STATUS_INTERVAL_MS) {
    return warning(`wal_sender_timeout = ${ms} ms is shorter than the worker's ${WORKER_STATUS_INTERVAL_MS / 1000} s status interval: PostgreSQL may drop a healthy stream`, fix);
  }
  return pass(`wal_sender_timeout = ${ms / 1000} s (the worker reports every ${WORKER_STATUS_INTERVAL_MS / 1000} s)`);
}

export const walSenderTimeout: Precheck = {
  id: 'wal-sender-timeout',
  title: 'wal_sender_timeout suits the stream',
  requires: ['source-authentication'],
  appliesTo: () => true,
  async run(ctx) {
    return assessWalSenderTimeout(Number((await sourceFacts(ctx)).settings.get('wal_sender_timeout')));
  },
};
