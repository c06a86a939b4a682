import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from './exit-codes.ts';
import type { CliOptions } from './parse-cli-args.ts';

export const DEFAULT_URL = 'http://127.0.0.1:8787';
/** Where `npm start -- --only` keeps the local tenant's key (functions/api/local-api-key.ts). */
export const LOCAL_KEY_FILE = join('.data', 'local', 'api-key');

// Flags win over the environment, which wins over the local mode's key file,
// so a laptop session needs no configuration and CI needs only env vars.
export function resolveConnection(options: CliOptions, env: Record<string, string | undefined>, cwd: string): { url: string; apiKey?: string } {
  const url = options.url ?? env.TRIBUTARY_URL ?? DEFAULT_URL;
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw new UsageError(`--url must be an http(s) URL, e.g. ${DEFAULT_URL}; got "${url}"`);
  const keyFile = join(cwd, LOCAL_KEY_FILE);
  const apiKey = options['api-key'] ?? env.TRIBUTARY_API_KEY ?? (existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : undefined);
  return { url, apiKey: apiKey || undefined };
}
