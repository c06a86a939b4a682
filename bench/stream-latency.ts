import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { cpus, loadavg, totalmem } from 'node:os';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { KAFKA_VERSIONS } from '../scripts/services/kafka.ts';
import { createEventsJob, startBenchServices, waitFor as waitUntil } from './bench-services.ts';

// Issue 3's latency figure: p50/p99 from source commit to Kafka acknowledgement
// at a steady BENCH_RATE rows/s (default 5,000), in transactions of
// BENCH_TX_ROWS rows (default 50) issued on a fixed wall-clock cadence
// (50 rows every 10 ms) over 4 connections, never waiting for one commit
// before issuing the next. BENCH_WARMUP_SECONDS (default 5) at the same rate,
// then BENCH_SECONDS (default 60) measured: a change counts when its commit
// timestamp falls in the measured window.
//
// - Tributary: the events topic is created beforehand with
//   message.timestamp.type=LogAppendTime, so each record's Kafka timestamp is the
//   broker's append time (with one broker and acks=all, the moment it sends the
//   produce response); latency = that − source.ts_ms (the transaction's commit
//   timestamp from pgoutput's Begin, ms). Records are read back after the run,
//   so no consumer competes with the worker while it is measured.
// - baseline, same commits: pg_recvlogical drains a second slot (test_decoding,
//   include-timestamp) to this process; latency = when its COMMIT line arrived
//   here − the commit timestamp printed in it (µs). That is PostgreSQL's own
//   decode-and-send path plus a pipe: the floor any logical-decoding consumer
//   on this machine starts from.
// Prints a Markdown row for bench/RESULTS.md; per-10-second p99 on stderr;
// BENCH_DUMP=<file> writes every measured record's commit time and latency as CSV.
const RATE = Number(process.env.BENCH_RATE ?? 5_000);
const TX_ROWS = Number(process.env.BENCH_TX_ROWS ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
const WRITERS = 4;
const TOPIC = 'bench.public.events';
const RECVLOGICAL = ['/usr/bin/pg_recvlogical', '/usr/lib/postgresql/15/bin/pg_recvlogical'].find(existsSync);
if (!RECVLOGICAL) throw new Error('pg_recvlogical not found: apt-get install postgresql-client-15');

const nowMs = () => performance.timeOrigin + performance.now();
const load = () => loadavg().map((l) => l.toFixed(2)).join(', ');
/** A timestamptz as test_decoding prints it, in ms since the epoch with its microseconds kept. */
const pgTimestampMs = (date: string, time: string, offset: string) => {
  const [hms, micros = '0'] = time.split('.');
  return Date.parse(`${date}T${hms}${offset}`) + Number(`0.${micros}`) * 1000;
};
/** Nanoseconds a process's main thread has run and has waited on a run queue for a CPU (/proc/<pid>/schedstat). */
const schedstat = (pid: number | undefined) => {
  const [run, wait] = pid ? readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ').map(Number) : [0, 0];
  return { run: run!, wait: wait!, at: Date.now() };
};
/** The share of the last minute in which some runnable task waited for a CPU (Linux PSI), when the kernel reports it. */
const cpuPressure = () => {
  try {
    return `${/^some .*?avg60=([\d.]+)/m.exec(readFileSync('/proc/pressure/cpu', 'utf8'))![1]}%`;
  } catch {
    return 'n/a';
  }
};
const waitFor = (what: string, probe: () => Promise<boolean> | boolean, ms = 300_000) => waitUntil(what, probe, ms);

const loadBefore = load();
const { postgres, kafka, tributary, call, stop } = await startBenchServices();
const kafkaClient = new Kafka({ clientId: 'bench-latency', brokers: kafka.brokers, logLevel: logLevel.NOTHING });
let recvlogical: ReturnType<typeof spawn> | undefined;
let stoppingBaseline = false;
try {
  const { job, db } = await createEventsJob({ postgres, kafka, call });

  // The sink finds the topic and leaves it as it is (3 partitions, as it would create it).
  const admin = kafkaClient.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: 3, replicationFactor: 1, configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }] }] });
  const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: TOPIC, configNames: ['message.timestamp.type'] }] });
  if (described.resources[0]?.configEntries[0]?.configValue !== 'LogAppendTime') throw new Error(`topic ${TOPIC} is not LogAppendTime: ${JSON.stringify(described.resources[0])}`);
  await admin.disconnect();

  await call('POST', `/jobs/${job.id}/start`);
  await waitFor('streaming', async () => (await call('GET', `/jobs/${job.id}`)).status === 'streaming', 120_000);
  const workerPid = tributary.launcher.pidOf(job.id);

  // Baseline: every COMMIT line of test_decoding, with the events rows its transaction carried.
  await db.query(`SELECT pg_create_logical_replication_slot('latency_baseline', 'test_decoding')`);
  const baseline: Array<{ commitMs: number; arrivedMs: number; rows: number }> = [];
  let rowsInTx = 0;
  let pending = '';
  recvlogical = spawn(RECVLOGICAL, ['-d', postgres.connectionString('bench'), '--slot', 'latency_baseline', '--start', '-o', 'include-timestamp=1', '-o', 'include-xids=0', '-o', 'skip-empty-xacts=1', '-F', '0', '-s', '1', '-f', '-'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let recvlogicalErr = '';
  recvlogical.stderr!.on('data', (d) => (recvlogicalErr += d));
  recvlogical.on('exit', (code) => {
    if (!stoppingBaseline) console.error(`pg_recvlogical exited early (${code}): ${recvlogicalErr}`);
  });
  recvlogical.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const arrivedMs = nowMs();
    const lines = (pending + chunk).split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      if (line.startsWith('table public.events:')) rowsInTx++;
      else if (line.startsWith('COMMIT')) {
        // e.g. "COMMIT (at 2026-11-23 13:40:01.123456+00)": the session's time zone, with its offset
        const m = /\(at (\S+) (\S+?)([+-]\d\d)(?::?(\d\d))?\)/.exec(line);
        if (!m) throw new Error(`unexpected test_decoding line: ${line}`);
        if (rowsInTx) baseline.push({ commitMs: pgTimestampMs(m[1]!, m[2]!, `${m[3]}:${m[4] ?? '00'}`), arrivedMs, rows: rowsInTx });
        rowsInTx = 0;
      }
    }
  });
  await waitFor('pg_recvlogical streaming', async () => (await db.query(`SELECT active FROM pg_replication_slots WHERE slot_name = 'latency_baseline'`)).rows[0].active as boolean, 30_000);

  // The workload: a transaction every TX_ROWS / RATE seconds, on a fixed wall-clock schedule.
  const writers = await Promise.all(Array.from({ length: WRITERS }, async () => {
    const c = new pg.Client({ connectionString: postgres.connectionString('bench') });
    await c.connect();
    return { c, busy: 0, tail: Promise.resolve() as Promise<unknown> };
  }));
  const periodMs = (TX_ROWS / RATE) * 1000;
  const total = Math.round(((WARMUP_SECONDS + SECONDS) * RATE) / TX_ROWS);
  let nextId = 1;
  let late = 0; // transactions issued while every connection was still busy
  let committedRows = 0;
  const inFlight = new Set<Promise<unknown>>();
  const t0 = Date.now();
  const measureFrom = t0 + WARMUP_SECONDS * 1000;
  let schedAtStart = schedstat(undefined);
  console.error(`load before services: ${loadBefore}; writing ${RATE} rows/s for ${WARMUP_SECONDS} + ${SECONDS} s`);
  for (let k = 0; k < total; k++) {
    const due = t0 + k * periodMs;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (k === Math.round((WARMUP_SECONDS * RATE) / TX_ROWS)) schedAtStart = schedstat(workerPid);
    const w = writers.reduce((a, b) => (b.busy < a.busy ? b : a));
    if (w.busy > 0) late++;
    w.busy++;
    const from = nextId;
    nextId += TX_ROWS;
    // on a busy connection the transaction queues behind the running one (issued late, counted above)
    const p = w.tail = w.tail.then(() => w.c.query(`INSERT INTO events (id, account, kind, amount, note) SELECT g, g % 1000, 'purchase', (g % 10000) / 100.0, md5(g::text) FROM generate_series($1::bigint, $2::bigint) g`, [from, from + TX_ROWS - 1]))
      .then(() => (committedRows += TX_ROWS))
      .finally(() => {
        w.busy--;
        inFlight.delete(p);
      });
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  // the worker's main thread: running, and runnable but waiting for a CPU, as shares of the measured window's wall time
  const sched = schedstat(workerPid);
  const workerCpu = ((sched.run - schedAtStart.run) / 1e6 / (sched.at - schedAtStart.at)) * 100;
  const workerWaiting = ((sched.wait - schedAtStart.wait) / 1e6 / (sched.at - schedAtStart.at)) * 100;
  const loadDuring = load();
  const pressure = cpuPressure();
  const endLsn = (await db.query('SELECT pg_current_wal_insert_lsn()::text AS lsn')).rows[0].lsn as string;
  await waitFor('tributary caught up', async () => {
    const j = await call('GET', `/jobs/${job.id}`);
    if (j.status === 'failed') throw new Error(JSON.stringify(j.error));
    return !!j.ackedLsn && (await db.query('SELECT $1::pg_lsn >= $2::pg_lsn AS done', [j.ackedLsn, endLsn])).rows[0].done;
  });
  await waitFor('pg_recvlogical caught up', () => baseline.reduce((n, b) => n + b.rows, 0) >= committedRows, 60_000);
  stoppingBaseline = true;
  recvlogical.kill('SIGINT');
  await call('POST', `/jobs/${job.id}/stop`);
  for (const w of writers) await w.c.end();
  await db.end();

  // Tributary's records, read back now: broker append time − commit time.
  const tributaryMs: number[] = [];
  const dump = process.env.BENCH_DUMP ? ['commit_ms,latency_ms,append_ms'] : undefined; // per record, for a closer look
  const perWindow = new Map<number, number[]>();
  let read = 0;
  let committedInWindow = 0; // the source's achieved rate: changes committed within the BENCH_SECONDS window
  const consumer = kafkaClient.consumer({ groupId: `bench-${randomUUID()}`, maxBytes: 50 * 2 ** 20 });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) {
        read++;
        const commitMs = Number(/"source":\{[^}]*?"ts_ms":(\d+)/.exec(m.value!.toString())![1]);
        if (commitMs < measureFrom) continue;
        if (commitMs < measureFrom + SECONDS * 1000) committedInWindow++;
        const ms = Number(m.timestamp) - commitMs;
        tributaryMs.push(ms);
        if (dump) dump.push(`${commitMs},${ms},${m.timestamp}`);
        const window = Math.floor((commitMs - measureFrom) / 10_000);
        if (!perWindow.has(window)) perWindow.set(window, []);
        perWindow.get(window)!.push(ms);
      }
    },
  });
  await waitFor(`records read back (${read} of ${committedRows})`, () => read >= committedRows, 300_000);
  await consumer.disconnect();
  if (dump) {
    writeFileSync(process.env.BENCH_DUMP!, `${dump.join('\n')}\n`);
    writeFileSync(`${process.env.BENCH_DUMP}.baseline.csv`, `commit_ms,latency_ms,rows\n${baseline.map((x) => `${x.commitMs.toFixed(3)},${(x.arrivedMs - x.commitMs).toFixed(3)},${x.rows}`).join('\n')}\n`);
  }

  // nearest-rank percentiles
  const stats = (xs: number[]) => {
    const s = Float64Array.from(xs).sort();
    const q = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
    return { n: s.length, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: s[s.length - 1]! };
  };
  for (const [w, xs] of [...perWindow].sort((a, b) => a[0] - b[0])) {
    const s = stats(xs);
    console.error(`commits ${w * 10}–${w * 10 + 10} s: ${s.n} records, p50 ${s.p50} ms, p99 ${s.p99} ms, max ${s.max} ms`);
  }
  const t = stats(tributaryMs);
  // the baseline per row: each row of a transaction arrived with its COMMIT line
  const b = stats(baseline.filter((x) => x.commitMs >= measureFrom).flatMap((x) => Array(x.rows).fill(x.arrivedMs - x.commitMs)));
  const measuredRows = t.n;
  const achieved = Math.round(committedInWindow / SECONDS);
  const fmt = (s: ReturnType<typeof stats>, digits: number) => `${s.p50.toFixed(digits)} / ${s.p95.toFixed(digits)} / ${s.p99.toFixed(digits)} / ${s.max.toFixed(digits)} ms`;
  console.error(`issued ${total} transactions, ${late} while all ${WRITERS} connections were busy; worker main thread: ${workerCpu.toFixed(0)}% running, ${workerWaiting.toFixed(0)}% waiting for a CPU; load average ${loadDuring}; CPU pressure (PSI some, avg60) ${pressure}`);
  console.log(`| ${new Date().toISOString().slice(0, 10)} | ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, shared: load ${loadDuring}, CPU pressure ${pressure} | PG 17, Kafka ${KAFKA_VERSIONS.current} | ${RATE.toLocaleString('en-US')} rows/s in tx of ${TX_ROWS}, ${SECONDS} s (achieved ${achieved.toLocaleString('en-US')} rows/s, ${measuredRows.toLocaleString('en-US')} rows) | ${fmt(b, 1)} | ${fmt(t, 0)} | ${workerCpu.toFixed(0)}% / ${workerWaiting.toFixed(0)}% | ${t.p99 <= 50 ? 'yes' : 'no'} |`);
} finally {
  stoppingBaseline = true;
  recvlogical?.kill('SIGINT');
  await stop();
}
