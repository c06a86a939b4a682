import { z } from 'zod';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Where and how much a worker keeps of in-progress streamed transactions.
//
// Memory: 32 MiB of pgoutput bytes across all open streamed transactions, the
// same for every job size. The server streams a transaction only once its
// decoding passed logical_decoding_work_mem (64 MB by default), so a streamed
// transaction is large by definition and holding more of it in memory gains
// little: the spill file is written and read back sequentially, once. A fixed
// figure keeps a worker's peak RSS predictable (bench/RESULTS.md), whatever
// the job's cores. TRIBUTARY_STREAM_MEMORY_MB overrides it.
//
// Disk: one directory per job under the OS temp directory (on Fargate the
// task's ephemeral storage, 20 GiB by default), emptied at start-up; a
// transaction needs about its pgoutput size there. TRIBUTARY_SPILL_DIR moves it.
const SpoolEnv = z.object({
  TRIBUTARY_STREAM_MEMORY_MB: z.coerce.number().positive('TRIBUTARY_STREAM_MEMORY_MB is a number of MiB greater than 0, e.g. 32').default(32),
  TRIBUTARY_SPILL_DIR: z.string().min(1).optional(),
});

export type SpoolSettings = { dir: string; memoryBytes: number };

export function spoolSettings(jobId: string, env: Record<string, string | undefined> = process.env): SpoolSettings {
  const parsed = SpoolEnv.parse(env);
  return {
    dir: join(parsed.TRIBUTARY_SPILL_DIR ?? join(tmpdir(), 'tributary-spill'), jobId),
    memoryBytes: Math.round(parsed.TRIBUTARY_STREAM_MEMORY_MB * 1024 * 1024),
  };
}
