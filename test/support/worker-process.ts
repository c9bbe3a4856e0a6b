import { spawn, type ChildProcess } from 'node:child_process';
import { inject } from 'vitest';
import { PROJECT_ROOT } from '../../config/paths.js';
import { TEST_CREDENTIALS_KEY } from './sync-harness.js';
import { TEST_PAYLOAD_KEYS } from './temporal.js';
import { WORKER_NODE_FLAGS } from '../../workers/node-flags.js';
import { testDatabaseUrl } from './database.js';

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/**
 * A real worker process (`workers/main.ts`, the same entry point operators run), on the suite's
 * Temporal and this file's database. One node process (tsx as an import hook), so a SIGKILL kills
 * the worker. It loads the workflow bundle the global setup built (WORKFLOW_BUNDLE_PATH, as
 * `npm run worker:prod` does) instead of bundling at each start, which costs seconds of CPU;
 * `extraEnv: { WORKFLOW_BUNDLE_PATH: '' }` makes it bundle at start, as `npm run worker` does.
 */
export async function startWorkerProcess(taskQueue: string, extraEnv: Record<string, string> = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [...WORKER_NODE_FLAGS, '--import', 'tsx', 'workers/main.ts'], {
    cwd: PROJECT_ROOT,
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: testDatabaseUrl(),
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: taskQueue,
      CREDENTIALS_KEY: TEST_CREDENTIALS_KEY,
      PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
      LUCCA_ALLOWED_HOSTS: '127.0.0.1',
      LUCCA_RATE_LIMIT_PER_MINUTE: '0',
      LOG_LEVEL: 'info',
      WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'),
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // A worker that bundles the workflow code at start (WORKFLOW_BUNDLE_PATH empty) needs CPU for it: on a
  // busy machine that can take a minute.
  const deadline = Date.now() + 120_000;
  while (!output.includes('worker started')) {
    if (child.exitCode !== null) throw new Error(`worker process exited early: ${output}`);
    if (Date.now() > deadline) throw new Error(`worker process did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    output: () => output,
    kill: async (signal) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill(signal);
      await exited;
    },
  };
}
