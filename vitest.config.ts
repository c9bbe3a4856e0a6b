import { defineConfig } from 'vitest/config';
import { SlowestFirstSequencer } from './test/setup/sequencer.js';

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
    // Five files at a time on two cores: integration files mostly wait (on Temporal timers, workflow
    // tasks, heartbeats, child processes), so the suite used a third of the CPU with three at a time.
    maxWorkers: 5,
    sequence: { sequencer: SlowestFirstSequencer },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/contract/**/*.test.ts'],
          // Unit and contract files keep no state in shared modules: one fork runs many of them and
          // loads the modules once (the suite's CPU time for these files drops by about 60 %).
          isolate: false,
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
