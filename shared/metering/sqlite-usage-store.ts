import { DatabaseSync } from 'node:sqlite';
import type { UsageStore } from './usage.ts';

// Local-mode usage records, in the job database. The upsert keeps the larger
// totals, which makes a replayed or out-of-order report harmless.
export function createSqliteUsageStore(path: string): UsageStore & { close(): void } {
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000;');
  db.exec(`CREATE TABLE IF NOT EXISTS usage (job_id TEXT NOT NULL, run_id TEXT NOT NULL, hour TEXT NOT NULL, phase TEXT NOT NULL,
           tenant_id TEXT NOT NULL, seconds REAL NOT NULL, cpu_cores INTEGER NOT NULL, rows INTEGER NOT NULL, bytes INTEGER NOT NULL,
           PRIMARY KEY (job_id, run_id, hour, phase))`);
  const upsert = db.prepare(`INSERT INTO usage VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (job_id, run_id, hour, phase) DO UPDATE SET
      seconds = max(seconds, excluded.seconds), rows = max(rows, excluded.rows), bytes = max(bytes, excluded.bytes)`);
  const select = db.prepare(`SELECT * FROM usage WHERE tenant_id = ? AND (? IS NULL OR job_id = ?) AND hour >= ? AND hour < ? ORDER BY hour`);
  return {
    async report(r) {
      upsert.run(r.jobId, r.runId, r.hour, r.phase, r.tenantId, r.seconds, r.cpuCores, r.rows, r.bytes);
    },
    async list(f) {
      const rows = select.all(f.tenantId, f.jobId ?? null, f.jobId ?? null, f.from, f.to) as Array<Record<string, string | number>>;
      return rows.map((r) => ({
        tenantId: String(r.tenant_id), jobId: String(r.job_id), runId: String(r.run_id), hour: String(r.hour), phase: r.phase as 'snapshot' | 'incremental',
        seconds: Number(r.seconds), cpuCores: Number(r.cpu_cores), rows: Number(r.rows), bytes: Number(r.bytes),
      }));
    },
    close: () => db.close(),
  };
}
