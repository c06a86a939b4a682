import { cpus, totalmem } from 'node:os';
import { KAFKA_VERSIONS } from '../scripts/services/kafka.ts';
import { createEventsJob, rssKb, startBenchServices, waitFor as waitUntil } from './bench-services.ts';

// A local worker's idle memory: one job on the 6-column table of the other
// benchmarks, started and streaming with nothing to stream. Measured
// BENCH_IDLE_SECONDS (default 10) after the job reached "streaming", once per
// start, BENCH_RUNS starts (default 3; a fresh worker process each time).
// VmRSS is what the process holds now, VmHWM its peak so far (start-up
// included). Prints a Markdown row for bench/RESULTS.md.
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const IDLE_MS = Number(process.env.BENCH_IDLE_SECONDS ?? 10) * 1000;
const LABEL = process.env.BENCH_LABEL ?? '';

const { postgres, kafka, tributary, call, stop } = await startBenchServices();
const waitFor = (what: string, probe: () => Promise<boolean> | boolean, ms = 120_000) => waitUntil(what, probe, ms);

try {
  const { job, db } = await createEventsJob({ postgres, kafka, call });
  await db.end();

  const samples: Array<{ rss: number; hwm: number; startMs: number }> = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await call('POST', `/jobs/${job.id}/start`);
    await waitFor('streaming', async () => {
      const j = await call('GET', `/jobs/${job.id}`);
      if (j.status === 'failed') throw new Error(JSON.stringify(j.error));
      return j.status === 'streaming';
    });
    const startMs = performance.now() - t0;
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const s = rssKb(tributary.launcher.pidOf(job.id));
    samples.push({ ...s, startMs });
    console.error(`run ${i + 1}: VmRSS ${(s.rss / 1024).toFixed(0)} MB, VmHWM ${(s.hwm / 1024).toFixed(0)} MB, start → streaming ${(startMs / 1000).toFixed(1)} s`);
    await call('POST', `/jobs/${job.id}/stop`);
  }

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
  const options = process.env.TRIBUTARY_WORKER_NODE_OPTIONS ? `\`${process.env.TRIBUTARY_WORKER_NODE_OPTIONS}\`` : '(none)';
  console.log(`| ${new Date().toISOString().slice(0, 10)} | ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, shared | PG 17, Kafka ${KAFKA_VERSIONS.current} | ${LABEL} | ${options} | ${samples.map((s) => mb(s.rss)).join(', ')} (median ${mb(median(samples.map((s) => s.rss)))}) | ${samples.map((s) => mb(s.hwm)).join(', ')} (median ${mb(median(samples.map((s) => s.hwm)))}) | ${(median(samples.map((s) => s.startMs)) / 1000).toFixed(1)} s |`);
} finally {
  await stop();
}
