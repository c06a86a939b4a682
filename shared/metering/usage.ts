// Billing-style metering (SPEC.md §6). A worker run reports, per job, hour and
// phase, running totals under a key that names the run: a later report of the
// same run and hour replaces an earlier one only if it is not smaller, so a
// duplicated or replayed report never counts twice, and a crash loses at most
// the time since the last report. A new run (after a restart) has a new id
// and so its own records.
export type Phase = 'snapshot' | 'incremental';

export type UsageRecord = {
  tenantId: string;
  jobId: string;
  runId: string;
  /** Start of the hour, ISO-8601 UTC. */
  hour: string;
  phase: Phase;
  /** Seconds spent healthy in the phase (not retrying, not stalled). */
  seconds: number;
  cpuCores: number;
  rows: number;
  bytes: number;
};

export interface UsageStore {
  /** Idempotent: keyed by (jobId, runId, hour, phase); never lowers stored totals. */
  report(record: UsageRecord): Promise<void>;
  list(filter: { tenantId: string; jobId?: string; from: string; to: string }): Promise<UsageRecord[]>;
}

export const hourOf = (ms: number) => new Date(Math.floor(ms / 3_600_000) * 3_600_000).toISOString();

/** Only the incremental phase is billed: core-hours of healthy streaming, plus rows and bytes delivered. */
export type BillableUnits = { coreHours: number; incrementalSeconds: number; rows: number; bytes: number; freeRows: number };

export function summarize(records: UsageRecord[], period: 'day' | 'month'): Array<{ period: string } & BillableUnits> {
  const by = new Map<string, BillableUnits>();
  for (const r of records) {
    const key = period === 'day' ? r.hour.slice(0, 10) : r.hour.slice(0, 7);
    const u = by.get(key) ?? { coreHours: 0, incrementalSeconds: 0, rows: 0, bytes: 0, freeRows: 0 };
    if (r.phase === 'incremental') {
      u.incrementalSeconds += r.seconds;
      u.coreHours += (r.seconds / 3600) * r.cpuCores;
      u.rows += r.rows;
      u.bytes += r.bytes;
    } else {
      u.freeRows += r.rows; // schema and full synchronization are free
    }
    by.set(key, u);
  }
  return [...by].sort(([a], [b]) => (a < b ? -1 : 1)).map(([p, u]) => ({ period: p, ...u, coreHours: Math.round(u.coreHours * 1e6) / 1e6 }));
}
