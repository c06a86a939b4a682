import { cpus, totalmem } from 'node:os';
import { Kafka, logLevel } from 'kafkajs';
import { KAFKA_VERSIONS } from '../scripts/services/kafka.ts';
import { createEventsJob, peakRssKb, rssKb, startBenchServices, waitFor } from './bench-services.ts';

// Issue 3's second memory figure: the worker's peak RSS while the Kafka broker
// is down for BENCH_OUTAGE_SECONDS (default 60) in the middle of a steady
// write load of BENCH_RATE rows/s (default 5,000, in 100-row transactions).
// The worker must stop reading the replication socket (TCP backpressure)
// rather than buffer the outage's changes, then catch up once the broker is
// back. It also checks nothing was lost: the topic's records (the sum of its
// partitions' end offsets; at-least-once may add duplicates) must be at least
// the rows written. Prints a Markdown row for bench/RESULTS.md.
const RATE = Number(process.env.BENCH_RATE ?? 5_000);
const OUTAGE_MS = Number(process.env.BENCH_OUTAGE_SECONDS ?? 60) * 1000;
const BEFORE_MS = 20_000;
const AFTER_MS = 20_000;
const PER_TX = 100;
const TOPIC = 'bench.public.events';

const { postgres, kafka, tributary, call, stop } = await startBenchServices();
try {
  const { job, db } = await createEventsJob({ postgres, kafka, call });
  await call('POST', `/jobs/${job.id}/start`);
  await waitFor('streaming', async () => (await call('GET', `/jobs/${job.id}`)).status === 'streaming', 120_000);
  const pid = tributary.launcher.pidOf(job.id);
  const idle = rssKb(pid).rss;
  let peak = 0;
  let duringOutage = 0;
  let outage = false;
  const sampler = setInterval(() => {
    const { rss, hwm } = rssKb(pid);
    peak = Math.max(peak, hwm);
    if (outage) duringOutage = Math.max(duringOutage, rss);
  }, 200);

  // The writer: PER_TX-row transactions at RATE rows/s until told to stop.
  let next = 1;
  let writing = true;
  const writer = (async () => {
    const start = performance.now();
    while (writing) {
      const due = start + ((next - 1) / RATE) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await db.query(`INSERT INTO events (id, account, kind, amount, note) SELECT g, g % 1000, 'purchase', (g % 10000) / 100.0, md5(g::text) FROM generate_series($1::bigint, $2::bigint) g`, [next, next + PER_TX - 1]);
      next += PER_TX;
    }
  })();

  await new Promise((r) => setTimeout(r, BEFORE_MS));
  console.error(`broker down for ${OUTAGE_MS / 1000} s`);
  outage = true;
  await kafka.kill();
  await new Promise((r) => setTimeout(r, OUTAGE_MS));
  const statusInOutage = (await call('GET', `/jobs/${job.id}`)).status as string;
  outage = false;
  await kafka.restart();
  const restarted = performance.now();
  console.error('broker back');
  await new Promise((r) => setTimeout(r, AFTER_MS));
  writing = false;
  await writer;
  const rows = next - 1;
  const endLsn = (await db.query('SELECT pg_current_wal_insert_lsn()::text AS lsn')).rows[0].lsn as string;
  await waitFor('caught up', async () => {
    const j = await call('GET', `/jobs/${job.id}`);
    if (j.status === 'failed') throw new Error(JSON.stringify(j.error));
    return Boolean(j.ackedLsn) && ((await db.query('SELECT $1::pg_lsn >= $2::pg_lsn AS done', [j.ackedLsn, endLsn])).rows[0].done as boolean);
  }, 600_000, 100);
  const catchUpS = (performance.now() - restarted) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, peakRssKb(pid));

  const admin = new Kafka({ clientId: 'bench', brokers: kafka.brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const records = (await admin.fetchTopicOffsets(TOPIC)).reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  await admin.disconnect();
  await call('POST', `/jobs/${job.id}/stop`);
  await db.end();
  if (records < rows) throw new Error(`lost changes: ${rows} rows written, ${records} records in ${TOPIC}`);

  const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
  console.log(`| ${new Date().toISOString().slice(0, 10)} | ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB | PG 17, Kafka ${KAFKA_VERSIONS.current} | ${RATE.toLocaleString('en-US')} rows/s, broker down ${OUTAGE_MS / 1000} s | ${rows.toLocaleString('en-US')} rows, ${records.toLocaleString('en-US')} records | job ${statusInOutage} during the outage; caught up ${catchUpS.toFixed(0)} s after the restart | ${mb(idle)} | ${mb(duringOutage)} | **${mb(peak)}** |`);
} finally {
  await stop();
}
