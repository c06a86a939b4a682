import { DatabaseSync } from 'node:sqlite';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { JobRecord } from '../../job/job-record.ts';
import { VersionConflict, type JobStore } from '../job-store.ts';

// Local-mode storage: one SQLite file shared by the API process and its worker
// child processes. WAL journal mode lets readers and the single writer proceed
// together; busy_timeout absorbs the short write locks between processes.
export function createSqliteJobStore(path: string): JobStore {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;');
  db.exec('CREATE TABLE IF NOT EXISTS jobs (id TEXT PRIMARY KEY, version INTEGER NOT NULL, body TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO jobs (id, version, body) VALUES (?, ?, ?)');
  const select = db.prepare('SELECT body FROM jobs WHERE id = ?');
  const selectAll = db.prepare('SELECT body FROM jobs ORDER BY id');
  const selectTenant = db.prepare("SELECT body FROM jobs WHERE json_extract(body, '$.tenantId') = ? AND id > ? ORDER BY id LIMIT ?");
  const conditionalUpdate = db.prepare('UPDATE jobs SET version = ?, body = ? WHERE id = ? AND version = ?');

  return {
    async create(job) {
      insert.run(job.id, job.version, JSON.stringify(job));
    },
    async get(id) {
      const row = select.get(id) as { body: string } | undefined;
      return row ? (JSON.parse(row.body) as JobRecord) : undefined;
    },
    async list() {
      return (selectAll.all() as Array<{ body: string }>).map((r) => JSON.parse(r.body) as JobRecord);
    },
    async listByTenant(tenantId, page = {}) {
      return (selectTenant.all(tenantId, page.after ?? '', page.limit ?? -1) as Array<{ body: string }>).map((r) => JSON.parse(r.body) as JobRecord);
    },
    async replace(job) {
      const next = { ...job, version: job.version + 1 };
      const { changes } = conditionalUpdate.run(next.version, JSON.stringify(next), job.id, job.version);
      if (Number(changes) !== 1) throw new VersionConflict(job.id, job.version);
      return next;
    },
    async close() {
      db.close();
    },
  };
}
