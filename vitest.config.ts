import { configDefaults, defineConfig } from 'vitest/config';
import { SlowestFirstSequencer } from './test/setup/sequencer.js';

/**
 * Integration files whose assertions are about wall-clock timing (schedules every 5 s, a 10 s
 * catch-up window; a statement caught waiting on a table lock, a Temporal crash landing mid-write):
 * they run after every other file, one at a time, so that a busy machine cannot shift their timers.
 */
const ALONE = [
  'test/integration/chaos-schedule-catchup.test.ts', 'test/integration/chaos-postgres.test.ts', 'test/integration/chaos-temporal-restart.test.ts',
];

const integration = {
  // One Temporal dev server and one migrated template database for the run (per project) ...
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
        test: { name: 'integration', include: ['test/integration/**/*.test.ts'], exclude: [...configDefaults.exclude, ...ALONE], ...integration },
      },
      {
        extends: true,
        // groupOrder 1: after the unit and integration files (group 0) have all finished.
        test: { name: 'integration-alone', include: ALONE, maxWorkers: 1, sequence: { groupOrder: 1 }, ...integration },
      },
    ],
  },
});
