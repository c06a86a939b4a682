import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres } from '../scripts/services/postgres.ts';
import { KAFKA_VERSIONS, startKafka } from '../scripts/services/kafka.ts';
import { startLocalTributary } from '../functions/api/local.ts';
import { createLogger } from '../shared/logger.ts';

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
/** A process's peak resident memory so far (VmHWM), in KiB; 0 once it is gone. */
export const peakRssKb = (pid: number | undefined): number => rssKb(pid).hwm;
