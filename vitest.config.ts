import { defineConfig } from 'vitest/config';

// Temporal's native bridge is not safe in worker threads: every project runs in forked processes.
export default defineConfig({
  test: {
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/contract/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/setup/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // Integration files share one Temporal server and one database; run them one at a time
          // so a machine with two cores is not oversubscribed and timings stay readable.
          fileParallelism: false,
        },
      },
    ],
  },
});
