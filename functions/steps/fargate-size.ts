import { z } from 'zod';

// A job's resources (SPEC.md §2: cores, 4 GB of memory per core) as a Fargate
// task size. Fargate offers fixed CPU steps, each with its own memory range and
// increment (AWS ECS docs, "Task CPU and memory"); a job gets the smallest
// size that holds at least what it asked for, never less. Above 16 vCPU there
// is no Fargate size, so the job is refused with the fix in the message.
export const JobResources = z.object({ cpuCores: z.number().int().min(1) });
export type JobResources = z.infer<typeof JobResources>;

export type FargateSize = {
  /** RunTask / task definition units: 1024 per vCPU, as a string. */
  cpu: string;
  memoryMiB: string;
  vCpu: number;
  memoryGiB: number;
};

export const MEMORY_GIB_PER_CORE = 4;

// vCPU → allowed memory in GiB: [min, max, step]
const FARGATE_SIZES: ReadonlyArray<readonly [vCpu: number, min: number, max: number, step: number]> = [
  [1, 2, 8, 1],
  [2, 4, 16, 1],
  [4, 8, 30, 1],
  [8, 16, 60, 4],
  [16, 32, 120, 8],
];

export class FargateSizeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FargateSizeError';
  }
}

export function fargateSizeFor(resources: JobResources): FargateSize {
  const { cpuCores } = JobResources.parse(resources);
  const wantGiB = cpuCores * MEMORY_GIB_PER_CORE;
  for (const [vCpu, min, max, step] of FARGATE_SIZES) {
    if (vCpu < cpuCores) continue;
    const memoryGiB = Math.max(min, Math.ceil((wantGiB - min) / step) * step + min);
    if (memoryGiB > max) continue;
    return { cpu: String(vCpu * 1024), memoryMiB: String(memoryGiB * 1024), vCpu, memoryGiB };
  }
  throw new FargateSizeError(
    `resources.cpuCores = ${cpuCores} (${wantGiB} GB) does not fit one Fargate task, which has at most 16 vCPU and 120 GB: ` +
      'set resources.cpuCores to 16 or less, or split the tables over several jobs',
  );
}
