import type { ClientConfig } from 'pg';
import type { StoredSource } from '../job/job-record.ts';

// One place that turns a job's source into node-postgres settings, so the
// worker, release and (later) precheck connect the same way.
export function pgConfig(source: Omit<StoredSource, 'passwordRef'>, password: string, extra: Partial<ClientConfig> = {}): ClientConfig {
  return {
    host: source.host,
    port: source.port,
    database: source.database,
    user: source.user,
    password,
    ssl: sslFor(source.sslmode),
    // an unreachable host must fail fast and clearly, never hang the job
    connectionTimeoutMillis: 10_000,
    application_name: 'tributary',
    ...extra,
  };
}

function sslFor(mode: StoredSource['sslmode']): ClientConfig['ssl'] {
  switch (mode) {
    case 'disable':
    case 'prefer': // node-postgres has no "try TLS then fall back"; prefer means plain here
      return false;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-ca':
    case 'verify-full':
      return { rejectUnauthorized: true };
  }
}

/** Quotes an identifier the way PostgreSQL's quote_ident does; never concatenate raw input into SQL. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
