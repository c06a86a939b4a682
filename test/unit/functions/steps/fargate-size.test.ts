import { describe, expect, it } from 'vitest';
import { fargateSizeFor, FargateSizeError } from '../../../../functions/steps/fargate-size.ts';

describe('fargateSizeFor: a job\'s cores and 4 GB per core as a Fargate size', () => {
  it.each([
    // cores, cpu units, memory MiB: the smallest valid Fargate size holding what the job asked for
    [2, '2048', '8192'], // 2 vCPU, 8 GB: exact
    [3, '4096', '12288'], // no 3-vCPU size: 4 vCPU, still 12 GB
    [4, '4096', '16384'],
    [5, '8192', '20480'], // 8 vCPU takes memory in 4 GB steps from 16
    [8, '8192', '32768'],
    [9, '16384', '40960'], // 16 vCPU: 8 GB steps from 32, so 36 GB becomes 40
    [16, '16384', '65536'],
  ])('%i cores → cpu %s, memory %s', (cpuCores, cpu, memoryMiB) => {
    expect(fargateSizeFor({ cpuCores })).toMatchObject({ cpu, memoryMiB });
  });

  it('never gives less than asked: for every accepted size, vCPU ≥ cores and memory ≥ 4 GB per core', () => {
    for (let cores = 1; cores <= 16; cores++) {
      const size = fargateSizeFor({ cpuCores: cores });
      expect(size.vCpu).toBeGreaterThanOrEqual(cores);
      expect(size.memoryGiB).toBeGreaterThanOrEqual(cores * 4);
    }
  });

  it('refuses a job above 16 vCPU with the limit and the fix in the message', () => {
    expect(() => fargateSizeFor({ cpuCores: 17 })).toThrow(FargateSizeError);
    expect(() => fargateSizeFor({ cpuCores: 32 })).toThrow(/cpuCores = 32 \(128 GB\).*at most 16 vCPU and 120 GB.*16 or less, or split/);
  });

  it('rejects a malformed resources object at the edge', () => {
    expect(() => fargateSizeFor({ cpuCores: 2.5 })).toThrow();
  });
});
