import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres } from '../scripts/services/postgres.ts';
import { KAFKA_VERSIONS, startKafka } from '../scripts/services/kafka.ts';
import { startLocalTributary } from '../functions/api/local.ts';
import { createLogger } from '../shared/logger.ts';
import pg from 'pg';

// What every end-to-end benchmark runs on: a fresh PostgreSQL 17, Kafka and a
// local control plane, plus an authenticated API call helper.
export async function startBenchServices() {
  const postgres = await startPostgres({ major: 17 });
  const kafka = await startKafka({ version: KAFKA_VERSIONS.current });
  const tributary = await startLocalTributary({ dataDir: mkdtempSync(join(tmpdir(), 'tributary-bench-')), log: createLogger({}, () => {}) });
  const call = async (method: string, path: string, body?: unknown) =>
    (await (await fetch(`${tributary.url}${path}`, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${tributary.apiKey}` }, body: body ? JSON.stringify(body) : undefined })).json()) as any;
  return {
    postgres, kafka, tributary, call,
    async stop() {
      await tributary.close();
      await kafka.stop();
      await postgres.stop();
    },
  };
}

/**
 * Runs a baseline command to completion without blocking the event loop: the
 * local API server lives in the bench's process, and a spawnSync of several
 * seconds let its idle keep-alive sockets expire under the next fetch (ECONNRESET).
 */
export function run(file: string, args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}

/** A process's resident memory now (VmRSS) and its peak so far (VmHWM), in KiB; 0 once it is gone. */
export function rssKb(pid: number | undefined): { rss: number; hwm: number } {
  if (!pid) return { rss: 0, hwm: 0 };
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { rss: Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0), hwm: Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

/** A process's CPU time so far (user + system, all threads), in seconds; 0 once it is gone. Less noisy than wall time on a shared machine. */
export function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    // fields after the parenthesised command name: utime and stime are the 12th and 13th, in clock ticks (100 per second on Linux)
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}
/** The whole machine's CPU time so far, in seconds summed over cores: busy (everything but idle and iowait) and total. */
export function machineCpu(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  return { busy: (total - fields[3] - fields[4]) / 100, total: total / 100 };
}

/** A process's peak resident memory so far (VmHWM), in KiB; 0 once it is gone. */
export const peakRssKb = (pid: number | undefined): number => rssKb(pid).hwm;

/** Polls `probe` every `stepMs` until it holds; throws naming `what` after `ms`. */
export async function waitFor(what: string, probe: () => Promise<boolean> | boolean, ms: number, stepMs = 50): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  throw new Error(`timed out: ${what}`);
}

type Call = (method: string, path: string, body?: unknown) => Promise<any>;
type Services = { postgres: Awaited<ReturnType<typeof startPostgres>>; kafka: { brokers: string[] }; call: Call };

/**
 * The streaming benchmarks' job: database "bench" with the 6-column `events`
 * table, a Kafka job on it, prechecked and acknowledged but not started.
 * Answers the job and a client connected to the database (the caller ends it).
 */
export async function createEventsJob({ postgres, kafka, call }: Services): Promise<{ job: any; db: pg.Client }> {
  await postgres.createDatabase('bench');
  const db = new pg.Client({ connectionString: postgres.connectionString('bench') });
  // PostgreSQL stops before the caller ends this client when a run fails: keep that from hiding the failure.
  db.on('error', () => {});
  await db.connect();
  await db.query('CREATE TABLE events (id bigint PRIMARY KEY, account int NOT NULL, kind text NOT NULL, amount numeric(12,2), created_at timestamptz NOT NULL DEFAULT now(), note text)');
  const job = await call('POST', '/jobs', {
    source: { type: 'postgresql', host: '127.0.0.1', port: postgres.port, database: 'bench', user: 'postgres', password: postgres.password, sslmode: 'disable' },
    destination: { type: 'kafka', brokers: kafka.brokers },
    objects: { tables: [{ table: 'events' }] },
  });
  const precheck = await call('POST', `/jobs/${job.id}/precheck`);
  if (precheck.verdict !== 'passed') throw new Error(`precheck failed: ${JSON.stringify(precheck.blocking)}`);
  await call('POST', `/jobs/${job.id}/precheck/ack`, { ids: precheck.needsAcknowledgement });
  return { job, db };
}
