import pg from 'pg';
import { servicesFor, freshDatabase, MATRIX, api } from './e2e.ts';
import { waitFor } from './wait-for.ts';

// PostgreSQL → PostgreSQL jobs in tests: the integration setup runs PostgreSQL
// 16 and 17, so one is the source and the other the destination (both
// directions are covered). Kafka is not involved.
export const PG_PAIRS = [
  { source: 17, destination: 16 },
  { source: 16, destination: 17 },
] as const;
export type PgPair = (typeof PG_PAIRS)[number];

export function postgresFor(major: number) {
  const combo = MATRIX.find((c) => c.pg === major)!;
  return servicesFor(combo).postgres;
}

export async function freshPair(pair: PgPair) {
  const source = postgresFor(pair.source);
  const destination = postgresFor(pair.destination);
  return { source: { ...(await freshDatabase(source.connectionString)), port: source.port }, destination: { ...(await freshDatabase(destination.connectionString)), port: destination.port } };
}

export function pgJobBody(opts: {
  sourcePort: number; sourceDb: string; destinationPort: number; destinationDb: string;
  tables: Array<{ schema?: string; table: string; target?: unknown }>;
  destinationUser?: string; destinationPassword?: string; conflictMode?: string; nameCase?: string; extra?: Record<string, unknown>;
}) {
  return {
    name: `pg-${opts.sourceDb}`,
    source: { type: 'postgresql', host: '127.0.0.1', port: opts.sourcePort, database: opts.sourceDb, user: 'postgres', password: 'postgres', sslmode: 'disable' },
    destination: {
      type: 'postgresql', host: '127.0.0.1', port: opts.destinationPort, database: opts.destinationDb,
      user: opts.destinationUser ?? 'postgres', password: opts.destinationPassword ?? 'postgres', sslmode: 'disable',
      ...(opts.conflictMode ? { conflictMode: opts.conflictMode } : {}), ...(opts.nameCase ? { nameCase: opts.nameCase } : {}),
    },
    objects: { tables: opts.tables.map((t) => ({ schema: t.schema ?? 'public', table: t.table, ...(t.target ? { target: t.target } : {}) })) },
    ...opts.extra,
  };
}

/** Every row of a table as PostgreSQL's own text of the whole row, in key order: equal text = equal values, type by type. */
export async function rowsAsText(client: pg.Client, table: string, orderBy: string): Promise<string[]> {
  const { rows } = await client.query(`SELECT t::text AS row FROM ${table} t ORDER BY ${orderBy}`);
  return rows.map((r) => r.row as string);
}

/** Waits until the destination table holds exactly the source's rows. */
export async function waitForSameRows(source: pg.Client, destination: pg.Client, table: string, orderBy: string, timeoutMs = 60_000, destinationTable = table) {
  let last: { source: string[]; destination: string[] } | undefined;
  try {
    await waitFor(`${destinationTable} on the destination to equal ${table} on the source`, async () => {
      last = { source: await rowsAsText(source, table, orderBy), destination: await rowsAsText(destination, destinationTable, orderBy) };
      return JSON.stringify(last.source) === JSON.stringify(last.destination);
    }, timeoutMs, 250);
  } catch (err) {
    const missing = last!.source.filter((r) => !last!.destination.includes(r)).slice(0, 5);
    const extra = last!.destination.filter((r) => !last!.source.includes(r)).slice(0, 5);
    throw new Error(`${(err as Error).message}\nsource ${last!.source.length} rows, destination ${last!.destination.length}\nonly on the source: ${missing.join('\n')}\nonly on the destination: ${extra.join('\n')}`);
  }
}

export const jobOf = async (base: string, id: string) => (await api(base, 'GET', `/jobs/${id}`)).body;
