import { existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import pg from 'pg';
import { KAFKA_VERSIONS } from '../scripts/services/kafka.ts';
import { cpuSeconds, peakRssKb as readPeakRss, run, startBenchServices } from './bench-services.ts';
import { javaProducerCeiling, storedBytesPerRecord } from './java-producer-ceiling.ts';

// Snapshot throughput: Tributary's full phase (chunked keyset reads between
// watermarks → value conversion → Debezium JSON → Kafka, acks=all,
// checkpointed per chunk) against `COPY (SELECT …) TO STDOUT` of the same
// table piped to /dev/null — the read ceiling of the source on this machine.
// Both read the same table in the same run. Prints a Markdown row for
// bench/RESULTS.md. BENCH_ROWS (default 5,000,000), BENCH_CORES (default 2:
// one reader, SPEC.md §2's concurrency = cores − 1). Then, unless
// BENCH_KAFKA_CEILING=0, the broker's own ceiling in the same run: Kafka's
// Java producer sending as many records of the same stored size
// (java-producer-ceiling.ts).
const ROWS = Number(process.env.BENCH_ROWS ?? 5_000_000);
const CORES = Number(process.env.BENCH_CORES ?? 2);
const PSQL = ['/usr/bin/psql', '/usr/lib/postgresql/15/bin/psql'].find(existsSync);
if (!PSQL) throw new Error('psql not found: apt-get install postgresql-client-15');

const { postgres, kafka, tributary, call, stop } = await startBenchServices();

try {
  await postgres.createDatabase('bench');
  const db = new pg.Client({ connectionString: postgres.connectionString('bench') });
  await db.connect();
  await db.query('CREATE TABLE events (id bigint PRIMARY KEY, account int NOT NULL, kind text NOT NULL, amount numeric(12,2), created_at timestamptz NOT NULL DEFAULT now(), note text)');
  console.error(`writing ${ROWS} rows`);
  for (let start = 1; start <= ROWS; start += 500_000) {
    await db.query(
      `INSERT INTO events (id, account, kind, amount, note) SELECT g, g % 1000, 'purchase', (g % 10000) / 100.0, md5(g::text) FROM generate_series($1::bigint, $2::bigint) g`,
      [start, Math.min(ROWS, start + 499_999)],
    );
  }
  await db.query('VACUUM ANALYZE events');
  const tableBytes = Number((await db.query(`SELECT pg_table_size('events')::float8 AS b`)).rows[0].b);

  console.error('baseline: COPY (SELECT …) TO STDOUT > /dev/null');
  const copy = `COPY (SELECT * FROM events) TO STDOUT`;
  const t0 = performance.now();
  const r = await run('sh', ['-c', `"${PSQL}" "${postgres.connectionString('bench')}" -c "${copy}" | wc -c`]);
  const copyMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`COPY failed: ${r.stderr}`);
  const copyBytes = Number(r.stdout.trim());

  console.error('tributary snapshot');
  const job = await call('POST', '/jobs', {
    source: { type: 'postgresql', host: '127.0.0.1', port: postgres.port, database: 'bench', user: 'postgres', password: postgres.password, sslmode: 'disable' },
    destination: { type: 'kafka', brokers: kafka.brokers },
    objects: { tables: [{ table: 'events' }] },
    resources: { cpuCores: CORES },
  });
  const precheck = await call('POST', `/jobs/${job.id}/precheck`);
  if (precheck.needsAcknowledgement?.length) await call('POST', `/jobs/${job.id}/precheck/ack`, { ids: precheck.needsAcknowledgement });
  const t1 = performance.now();
  const started = await call('POST', `/jobs/${job.id}/start`);
  if (started.status !== 'starting') throw new Error(`start refused: ${JSON.stringify(started)}`);
  let peakRssKb = 0;
  let workerCpu = 0;
  for (;;) {
    peakRssKb = Math.max(peakRssKb, readPeakRss(tributary.launcher.pidOf(job.id)));
    workerCpu = Math.max(workerCpu, cpuSeconds(tributary.launcher.pidOf(job.id)));
    const j = await call('GET', `/jobs/${job.id}`);
    if (j.status === 'failed') throw new Error(JSON.stringify(j.error));
    if (j.snapshot?.completedAt) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  const snapshotMs = performance.now() - t1;
  await call('POST', `/jobs/${job.id}/stop`);
  await db.end();

  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const rate = (ms: number) => `${Math.round(ROWS / (ms / 1000)).toLocaleString('en-US')} rows/s, ${(copyBytes / 2 ** 20 / (ms / 1000)).toFixed(1)} MiB/s (${(ms / 1000).toFixed(1)} s)`;
  const row = `| ${new Date().toISOString().slice(0, 10)} | ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB | PG 17, Kafka ${KAFKA_VERSIONS.current} | ${ROWS.toLocaleString('en-US')} rows, ${(tableBytes / 2 ** 20).toFixed(0)} MiB table, ${(copyBytes / 2 ** 20).toFixed(0)} MiB as COPY text | ${rate(copyMs)} | ${rate(snapshotMs)} | ${CORES - 1} | ${(copyMs / snapshotMs).toFixed(2)} | ${(peakRssKb / 1024).toFixed(0)} MB |`;
  console.log(row);
  console.error(`worker CPU until the snapshot completed: ${workerCpu.toFixed(1)} s (user + system, all threads, start-up included) = ${((workerCpu * 1e6) / ROWS).toFixed(1)} µs per row`);
  if (process.env.BENCH_KAFKA_CEILING !== '0') {
    const recordBytes = await storedBytesPerRecord(kafka.brokers, kafka.dataDir, 'bench.public.events');
    const ceiling = await javaProducerCeiling({ version: KAFKA_VERSIONS.current, brokers: kafka.brokers, records: ROWS, recordBytes, partitions: 3 });
    const tributaryRate = ROWS / (snapshotMs / 1000);
    const copyRate = ROWS / (copyMs / 1000);
    console.log(`Kafka's Java producer, ${ROWS.toLocaleString('en-US')} records of ${recordBytes} bytes (the snapshot's stored size), acks=all: ${Math.round(ceiling.recordsPerSecond).toLocaleString('en-US')} records/s = ${(ceiling.recordsPerSecond / copyRate).toFixed(2)} of the COPY ceiling; Tributary = ${(tributaryRate / ceiling.recordsPerSecond).toFixed(2)} of it`);
  }
} finally {
  await stop();
}
