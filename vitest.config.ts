import { defineConfig } from 'vitest/config';

const integration = {
  // One Temporal dev server and one migrated template database for the run ...
  globalSetup: ['test/setup/global-setup.ts'],
  // ... and a database of its own for each file (copied from the template), so files run at the
  // same time without seeing each other's rows, locks or failures. Temporal is shared: each file
  // uses its own task queues, connection names and workflow ids.
  setupFiles: ['test/setup/file-database.ts'],
  testTimeout: 180_000,
  hookTimeout: 180_000,
};

// Temporal's native bridge is not safe in worker threads: every project runs in forked processes.
export default defineConfig({
  test: {
    pool: 'forks',
    // Three files at a time on two cores: integration files mostly wait (on Temporal timers,
    // heartbeats, child processes), so a third one overlaps that waiting at little CPU cost.
    maxWorkers: 3,
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
        test: { name: 'integration', include: ['test/integration/**/*.test.ts'], ...integration },
      },
    ],
  },
});
