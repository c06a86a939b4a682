import { DatabaseSync } from 'node:sqlite';
import { hashApiKey, newApiKey, type ApiKeyStore } from './api-keys.ts';

// Local-mode API keys, in the same SQLite file as the jobs.
export function createSqliteApiKeyStore(path: string): ApiKeyStore & { close(): void } {
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000;');
  db.exec('CREATE TABLE IF NOT EXISTS api_keys (hash TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, created_at TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO api_keys (hash, tenant_id, created_at) VALUES (?, ?, ?)');
  const select = db.prepare('SELECT tenant_id FROM api_keys WHERE hash = ?');
  return {
    async create(tenantId) {
      const key = newApiKey();
      insert.run(hashApiKey(key), tenantId, new Date().toISOString());
      return key;
    },
    async tenantOf(key) {
      // lookup by hash: the primary-key index compares hashes, never raw keys
      const row = select.get(hashApiKey(key)) as { tenant_id: string } | undefined;
      return row?.tenant_id;
    },
    close: () => db.close(),
  };
}
