import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiKeyStore } from '../../shared/auth/api-keys.ts';

// The local mode has one tenant, "local". Its key is made on first start and
// kept in <data dir>/api-key (readable by this user only), the way a CLI would
// keep a token; the store itself holds only the hash.
export async function localApiKey(dataDir: string, keys: ApiKeyStore): Promise<string> {
  const file = join(dataDir, 'api-key');
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    if (await keys.tenantOf(key)) return key;
  }
  const key = await keys.create('local');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}
