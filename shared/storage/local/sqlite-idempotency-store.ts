import { DatabaseSync } from 'node:sqlite';
import { IDEMPOTENCY_TTL_MS, type IdempotencyStore } from '../idempotency-store.ts';

// Local-mode idempotency records, in the job database. The claim is one
// INSERT OR IGNORE, so two concurrent requests with one key cannot both win.
export function createSqliteIdempotencyStore(path: string): IdempotencyStore & { close(): void } {
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000;');
  db.exec(`CREATE TABLE IF NOT EXISTS idempotency (key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, created_at INTEGER NOT NULL,
           status INTEGER, body TEXT, content_type TEXT)`);
  const expire = db.prepare('DELETE FROM idempotency WHERE created_at < ?');
  const insert = db.prepare('INSERT OR IGNORE INTO idempotency (key, fingerprint, created_at) VALUES (?, ?, ?)');
  const select = db.prepare('SELECT fingerprint, status, body, content_type FROM idempotency WHERE key = ?');
  const complete = db.prepare('UPDATE idempotency SET status = ?, body = ?, content_type = ? WHERE key = ?');
  const remove = db.prepare('DELETE FROM idempotency WHERE key = ?');
  return {
    async claim(key, fingerprint, now) {
      expire.run(now.getTime() - IDEMPOTENCY_TTL_MS);
      if (Number(insert.run(key, fingerprint, now.getTime()).changes) === 1) return { kind: 'new' };
      const row = select.get(key) as { fingerprint: string; status: number | null; body: string | null; content_type: string | null };
      if (row.fingerprint !== fingerprint) return { kind: 'mismatch' };
      if (row.status === null) return { kind: 'in-progress' };
      return { kind: 'replay', response: { status: row.status, body: row.body ?? '', contentType: row.content_type ?? 'application/json' } };
    },
    async complete(key, r) {
      complete.run(r.status, r.body, r.contentType, key);
    },
    async release(key) {
      remove.run(key);
    },
    close: () => db.close(),
  };
}
