import { existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { KAFKA_VERSIONS } from '../scripts/services/kafka.ts';
import { cpuSeconds, createEventsJob, machineCpu, run, peakRssKb as readPeakRss, startBenchServices, waitFor as waitUntil } from './bench-services.ts';

// Streaming throughput: Tributary (WAL → Debezium JSON → Kafka, acks=all,
// checkpointed) against pg_recvlogical draining the same WAL through its own
// pgoutput slot to /dev/null — the read ceiling of logical decoding on this
// machine. Both slots start before the workload, so both decode exactly the
// same transactions. Prints a Markdown row for bench/RESULTS.md.
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const PER_TX = 10_000;
const RECVLOGICAL = ['/usr/bin/pg_recvlogical', '/usr/lib/postgresql/15/bin/pg_recvlogical'].find(existsSync);
if (!RECVLOGICAL) throw new Error('pg_recvlogical not found: apt-get install postgresql-client-15');

const { postgres, kafka, tributary, call, stop } = await startBenchServices();
const waitFor = (what: string, probe: () => Promise<boolean> | boolean, ms = 600_000) => waitUntil(what, probe, ms, 20);

try {
  const { job, db } = await createEventsJob({ postgres, kafka, call });

  // Start once so the job's slot exists, then stop: the workload is written while nobody reads.
  await call('POST', `/jobs/${job.id}/start`);
  await waitFor('streaming', async () => (await call('GET', `/jobs/${job.id}`)).status === 'streaming');
  await call('POST', `/jobs/${job.id}/stop`);
  await db.query(`SELECT pg_create_logical_replication_slot('baseline', 'pgoutput')`);

  console.error(`writing ${ROWS} rows`);
  for (let start = 1; start <= ROWS; start += PER_TX) {
    await db.query(
      `INSERT INTO events (id, account, kind, amount, note) SELECT g, g % 1000, 'purchase', (g % 10000) / 100.0, md5(g::text) FROM generate_series($1::bigint, $2::bigint) g`,
      [start, start + PER_TX - 1],
    );
  }
  // A last one-row transaction marks the end: once the acknowledged LSN passes
  // `markLsn`, that commit and everything before it is in Kafka.
  const markLsn = (await db.query('SELECT pg_current_wal_insert_lsn()::text AS lsn')).rows[0].lsn as string;
  await db.query(`INSERT INTO events (id, account, kind) VALUES (0, 0, 'end')`);
  const endLsn = (await db.query('SELECT pg_current_wal_insert_lsn()::text AS lsn')).rows[0].lsn as string;
  const walBytes = Number((await db.query(`SELECT pg_wal_lsn_diff($1, (SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'baseline'))::bigint AS b`, [endLsn])).rows[0].b);

  console.error('baseline: pg_recvlogical');
  const m0 = machineCpu();
  const t0 = performance.now();
  const r = await run(RECVLOGICAL, ['-d', postgres.connectionString('bench'), '--slot', 'baseline', '--start', '--endpos', endLsn, '-o', 'proto_version=1', '-o', `publication_names=${job.publicationName}`, '-f', '/dev/null', '--no-loop']);
  const baselineMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`pg_recvlogical failed: ${r.stderr}`);

  console.error('tributary');
  const m1 = machineCpu();
  const brokerCpu0 = cpuSeconds(kafka.pid);
  const t1 = performance.now();
  await call('POST', `/jobs/${job.id}/start`);
  let peakRssKb = 0;
  let workerCpu = 0;
  await waitFor('tributary caught up', async () => {
    const pid = tributary.launcher.pidOf(job.id);
    peakRssKb = Math.max(peakRssKb, readPeakRss(pid));
    workerCpu = Math.max(workerCpu, cpuSeconds(pid));
    const j = await call('GET', `/jobs/${job.id}`);
    if (j.status === 'failed') throw new Error(JSON.stringify(j.error));
    if (!j.ackedLsn) return false;
    return (await db.query('SELECT $1::pg_lsn > $2::pg_lsn AS done', [j.ackedLsn, markLsn])).rows[0].done as boolean;
  });
  const tributaryMs = performance.now() - t1;
  const m2 = machineCpu();
  const brokerCpu = cpuSeconds(kafka.pid) - brokerCpu0;
  await call('POST', `/jobs/${job.id}/stop`);
  await db.end();

  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const rate = (ms: number) => Math.round(ROWS / (ms / 1000)).toLocaleString('en-US');
  const row = `| ${new Date().toISOString().slice(0, 10)} | ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB | PG 17, Kafka ${KAFKA_VERSIONS.current} | ${ROWS.toLocaleString('en-US')} inserts, ${(walBytes / 2 ** 20).toFixed(0)} MiB WAL | ${rate(baselineMs)} rows/s (${(baselineMs / 1000).toFixed(1)} s) | ${rate(tributaryMs)} rows/s (${(tributaryMs / 1000).toFixed(1)} s) | ${(baselineMs / tributaryMs).toFixed(2)} | ${(peakRssKb / 1024).toFixed(0)} MB |`;
  console.log(row);
  // Whether the run was bound by the machine's cores rather than by waiting: busy = all cores' busy time over the phase's wall time.
  const cores = (m: { busy: number }, n: { busy: number }, ms: number) => ((n.busy - m.busy) / (ms / 1000)).toFixed(2);
  console.log(`cores busy: pg_recvlogical phase ${cores(m0, m1, baselineMs)} of ${cpus().length}, Tributary phase ${cores(m1, m2, tributaryMs)} (worker ${(workerCpu / (tributaryMs / 1000)).toFixed(2)}, broker ${(brokerCpu / (tributaryMs / 1000)).toFixed(2)}, the rest PostgreSQL and others); worker CPU ${((workerCpu * 1e6) / ROWS).toFixed(1)} µs per row`);
} finally {
  await stop();
}
