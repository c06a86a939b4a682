import { randomUUID } from 'node:crypto';
import { hourOf, type Phase, type UsageRecord, type UsageStore } from '../../shared/metering/usage.ts';
import type { Logger } from '../../shared/logger.ts';

// Counts a worker run's usage per hour and phase and reports running totals
// every `intervalMs` (and at close). Time counts only while the phase is
// active and healthy: retry backoffs and Kafka stalls are not billed.
export type Meter = {
  /** The phase now running, or undefined between runs. */
  phase(phase: Phase | undefined): void;
  /** The sink is stalled (true) or acknowledging again (false). */
  stalled(stalled: boolean): void;
  delivered(phase: Phase, rows: number, bytes: number): void;
  close(): Promise<void>;
};

export function createMeter(opts: { store: UsageStore; tenantId: string; jobId: string; cpuCores: number; log: Logger; intervalMs?: number; now?: () => number }): Meter {
  const now = opts.now ?? Date.now;
  const runId = randomUUID();
  const totals = new Map<string, UsageRecord>(); // `${hour} ${phase}` → running totals of this run
  let active: Phase | undefined;
  let stalled = false;
  let since = now();

  const record = (phase: Phase, at: number) => {
    const hour = hourOf(at);
    const key = `${hour} ${phase}`;
    let r = totals.get(key);
    if (!r) totals.set(key, (r = { tenantId: opts.tenantId, jobId: opts.jobId, runId, hour, phase, seconds: 0, cpuCores: opts.cpuCores, rows: 0, bytes: 0 }));
    return r;
  };

  // Adds the healthy time since the last tick to the phase, split at hour boundaries.
  const tick = () => {
    const t = now();
    if (active && !stalled) {
      for (let from = since; from < t; ) {
        const end = Math.min(t, (Math.floor(from / 3_600_000) + 1) * 3_600_000);
        record(active, from).seconds += (end - from) / 1000;
        from = end;
      }
    }
    since = t;
  };

  const flush = async () => {
    tick();
    for (const r of totals.values()) await opts.store.report({ ...r, seconds: Math.round(r.seconds * 1000) / 1000 });
    // a finished hour does not change again in this run; kept until reported
    for (const [key, r] of totals) if (r.hour < hourOf(now())) totals.delete(key);
  };
  const timer = setInterval(() => flush().catch((err) => opts.log.warn('usage not reported', { error: String(err) })), opts.intervalMs ?? 60_000);
  timer.unref();

  return {
    phase(phase) {
      tick();
      active = phase;
    },
    stalled(value) {
      tick();
      stalled = value;
    },
    delivered(phase, rows, bytes) {
      const r = record(phase, now());
      r.rows += rows;
      r.bytes += bytes;
    },
    async close() {
      clearInterval(timer);
      tick();
      active = undefined;
      await flush();
    },
  };
}
