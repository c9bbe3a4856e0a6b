/**
 * The Node.js flags a worker process runs with, wherever it is started: the Dockerfile's CMD, the
 * `worker` scripts of package.json, the benchmark and the tests' worker processes
 * (test/unit/worker-node-flags.test.ts keeps them in step).
 *
 * A heap cap. V8 sizes its old space from the machine's memory (about 4 GB on 24 GB) and lets
 * garbage pile up to hundreds of MB before a full collection: a 100,000-employee sync peaked at
 * 440–550 MB resident while its live data stayed under 100 MB (dev/bench/FINDINGS.md). The planner
 * keeps a bounded number of records in memory (activities/targets/happypal/plan.ts), so a cap is safe, and with it
 * V8 collects earlier: about 300–350 MB at the peak, no slower. Raise it for a worker that
 * must plan very large Reflect datasets (their planner still holds one dataset's rows at once).
 */
export const WORKER_NODE_FLAGS = ['--max-old-space-size=256'] as const;
