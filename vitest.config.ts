import { defineConfig } from 'vitest/config';

// Two projects: unit tests need nothing running; integration tests share one
// set of real services (PostgreSQL 16 and 17, Kafka 3.9 and 4.x) started once
// by the global setup.
export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { test: { name: 'infra', include: ['test/infra/**/*.test.ts'], testTimeout: 60_000 } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // 2 cores: services + workers already use both; files run two at a time
          maxWorkers: 2,
          fileParallelism: true,
        },
      },
    ],
  },
});
