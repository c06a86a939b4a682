import { mkdtempSync, readFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres } from '../scripts/services/postgres.ts';
import { KAFKA_VERSIONS, startKafka } from '../scripts/services/kafka.ts';
import { startLocalTributary } from '../functions/api/local.ts';
import { createLogger } from '../shared/logger.ts';
import { createEventsJob, peakRssKb, waitFor as waitUntil } from './bench-services.ts';

// Issue 3's memory figure: the worker's peak RSS while one transaction of
// BENCH_ROWS rows (default 5,000,000) goes from PostgreSQL 17 to Kafka. The
// server streams it while it is still being written (protocol 4, the server's
// default logical_decoding_work_mem of 64 MB), the worker keeps 32 MiB of it in
// memory (TRIBUTARY_STREAM_MEMORY_MB) and spills the rest, and publishes it at
// its commit. The clock is printed but is no claim on a shared machine.
// Prints a Markdown row for bench/RESULTS.md.
const ROWS = Number(process.env.BENCH_ROWS ?? 5_000_000);

const postgres = await startPostgres({ major: 17 });
const kafka = await startKafka({ version: KAFKA_VERSIONS.current });
const dataDir = mkdtempSync(join(tmpdir(), 'tributary-bench-'));
const tributary = await startLocalTributary({ dataDir, log: createLogger({}, () => {}) });
const call = async (method: string, path: string, body?: unknown) =>
  (await (await fetch(`${tributary.url}${path}`, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${tributary.apiKey}` }, body: body ? JSON.stringify(body) : undefined })).json()) as any;
const waitFor = (what: string, probe: () => Promise<boolean> | boolean, ms = 1_800_000) => waitUntil(what, probe, ms);

try {
  const { job, db } = await createEventsJob({ postgres, kafka, call });
  await call('POST', `/jobs/${job.id}/start`);
  await waitFor('streaming', async () => (await call('GET', `/jobs/${job.id}`)).status === 'streaming', 120_000);
  const pid = tributary.launcher.pidOf(job.id);
  const idleRssKb = peakRssKb(pid);

  console.error(`writing ${ROWS} rows in one transaction`);
  const t0 = performance.now();
  // The peak is a high-water mark (VmHWM): sampling only keeps the last value readable after exit.
  let peak = idleRssKb;
  const sampler = setInterval(() => (peak = Math.max(peak, peakRssKb(pid))), 200);
  await db.query('BEGIN');
  await db.query(`INSERT INTO events (id, account, kind, amount, note) SELECT g, g % 1000, 'purchase', (g % 10000) / 100.0, md5(g::text) FROM generate_series(1, $1::bigint) g`, [ROWS]);
  const beforeCommit = (await db.query('SELECT pg_current_wal_insert_lsn()::text AS lsn')).rows[0].lsn as string;
  await db.query('COMMIT');
  await waitFor('transaction delivered', async () => {
    const j = await call('GET', `/jobs/${job.id}`);
    if (j.status === 'failed') throw new Error(JSON.stringify(j.error));
    if (!j.ackedLsn) return false;
    return (await db.query('SELECT $1::pg_lsn > $2::pg_lsn AS done', [j.ackedLsn, beforeCommit])).rows[0].done as boolean;
  });
  const ms = performance.now() - t0;
  clearInterval(sampler);
  peak = Math.max(peak, peakRssKb(pid));
  const stats = (await db.query('SELECT stream_txns, stream_bytes, spill_txns, spill_bytes FROM pg_stat_replication_slots WHERE slot_name = $1', [job.slotName])).rows[0];
  const committed = readFileSync(join(dataDir, 'logs', `${job.id}.log`), 'utf8').split('\n').filter((l) => l.includes('"streamed transaction committed"')).map((l) => JSON.parse(l)).at(-1);
  await call('POST', `/jobs/${job.id}/stop`);
  await db.end();

  const mib = (b: number) => `${(Number(b) / 2 ** 20).toFixed(0)} MiB`;
  const options = process.env.TRIBUTARY_WORKER_NODE_OPTIONS ? `\`${process.env.TRIBUTARY_WORKER_NODE_OPTIONS}\`` : '(none)';
  console.log(`| ${new Date().toISOString().slice(0, 10)} | ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, shared | PG 17, Kafka ${KAFKA_VERSIONS.current} | ${ROWS.toLocaleString('en-US')} rows, one transaction | ${options} | server streamed ${stats?.stream_txns ?? '?'} tx, ${mib(stats?.stream_bytes ?? 0)} | worker spilled ${mib(committed?.spilledBytes ?? 0)} of ${mib(committed?.bytes ?? 0)} | ${(idleRssKb / 1024).toFixed(0)} MB | **${(peak / 1024).toFixed(0)} MB** | ${(ms / 1000).toFixed(0)} s |`);
} finally {
  await tributary.close();
  await kafka.stop();
  await postgres.stop();
}
