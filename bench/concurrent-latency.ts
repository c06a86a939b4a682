import { readFileSync } from 'node:fs';

/** Cumulative CPU time of some process, in ms. */
export type CpuMeter = () => Promise<number>;

export type LatencyRow = {
  name: string;
  p50: number;
  p99: number;
  requests: number;
  /** Requests per second over the phase. */
  rate: number;
  /** CPU ms per request, per meter: where the two shared cores went during the phase. */
  cpuPerRequest: Record<string, number>;
};

/**
 * `clients` loops, each sending `perClient` requests one after the other
 * (closed loop: a slow server slows the clients, as real clients would be),
 * after `warmup` unmeasured requests per client so that JIT compilation and
 * connection set-up are not in the figures.
 */
export async function measureConcurrent(
  name: string,
  opts: { clients: number; perClient: number; warmup: number; meters: Record<string, CpuMeter> },
  request: (i: number) => Promise<void>,
): Promise<LatencyRow> {
  const { clients, perClient, warmup } = opts;
  await Promise.all(Array.from({ length: clients }, async (_, c) => {
    for (let i = 0; i < warmup; i++) await request(-(c * warmup + i) - 1);
  }));
  const before = await sample(opts.meters);
  const start = performance.now();
  const times: number[] = [];
  await Promise.all(Array.from({ length: clients }, async (_, c) => {
    for (let i = 0; i < perClient; i++) {
      const t = performance.now();
      await request(c * perClient + i);
      times.push(performance.now() - t);
    }
  }));
  const seconds = (performance.now() - start) / 1000;
  const after = await sample(opts.meters);
  times.sort((a, b) => a - b);
  // nearest rank: the smallest time at or above which q of the requests finished
  const p = (q: number) => times[Math.max(0, Math.ceil(q * times.length) - 1)];
  const cpuPerRequest = Object.fromEntries(Object.keys(opts.meters).map((k) => [k, (after[k] - before[k]) / times.length]));
  return { name, p50: p(0.5), p99: p(0.99), requests: times.length, rate: times.length / seconds, cpuPerRequest };
}

async function sample(meters: Record<string, CpuMeter>) {
  const out: Record<string, number> = {};
  for (const [k, m] of Object.entries(meters)) out[k] = await m();
  return out;
}

/** utime + stime of another process from /proc (Linux), in ms; fields 14 and 15 count clock ticks of 1/100 s. */
export function procCpuMs(pid: number): CpuMeter {
  return async () => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // the command name may hold spaces
    return (Number(fields[11]) + Number(fields[12])) * 10;
  };
}

export function formatRow(r: LatencyRow): string {
  const cpu = Object.entries(r.cpuPerRequest).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ');
  return `${r.name}: p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms (${r.requests} requests, ${r.rate.toFixed(0)}/s; CPU ms per request: ${cpu})`;
}
