import path from 'node:path';
import { PROJECT_ROOT } from '../config/paths.js';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Env } from '../config/env.js';
import { createActivities, type Deps } from '../activities/index.js';
import type { Connectors } from '../activities/targets/connector.js';
import { rememberHeartbeats } from '../activities/http/keep-alive.js';

export const WORKFLOWS_PATH = path.join(PROJECT_ROOT, 'workflows', 'index.ts');

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: Deps;
  /**
   * The product's data converter (lib/codec/data-converter.ts): payloads encrypted, failures encoded.
   * Required, so no worker runs in clear by accident.
   */
  dataConverter: DataConverter;
  /**
   * A prebuilt workflow bundle (production, tests); otherwise workflows are bundled at start, with
   * the converter paths of `dataConverter`. A prebuilt bundle must have been made with the same
   * paths (`bundleWorkflowCode({ ...BUNDLER_CONVERTER_OPTIONS })`).
   */
  workflowBundle?: WorkerOptions['workflowBundle'];
  shutdownGraceTime?: WorkerOptions['shutdownGraceTime'];
  /** The targets this worker runs: every registered one (activities/targets/connectors.ts) unless given (tests add a fake one). */
  connectors?: Connectors;
  /** How much one worker takes on at once (config/env.ts WORKER_*; defaults: WORKER_CONCURRENCY_DEFAULTS). */
  concurrency?: Partial<WorkerConcurrency>;
}

/** The herd knobs of one worker process (README, "Running in production"). */
export interface WorkerConcurrency {
  /** Activities (a page of reads, a batch of writes) one worker runs at once. */
  maxConcurrentActivityTaskExecutions: number;
  /** Workflow tasks (orchestration steps, milliseconds each) one worker runs at once. */
  maxConcurrentWorkflowTaskExecutions: number;
  /** Workflow executions kept in memory between tasks (more: fewer replays, more RSS). */
  maxCachedWorkflows: number;
}

/**
 * Chosen from `npm run bench:fleet` (dev/bench/FLEET.md) on 2 cores: past 8 activities at once a
 * worker only queues more work behind its CPU and its 20 database connections (workers/deps.ts),
 * and grows its memory; workflow tasks are short, so a few slots keep every sync moving.
 */
export const WORKER_CONCURRENCY_DEFAULTS: WorkerConcurrency = {
  maxConcurrentActivityTaskExecutions: 8,
  maxConcurrentWorkflowTaskExecutions: 10,
  maxCachedWorkflows: 100,
};

/** The WORKER_* settings that are set (the rest keep WORKER_CONCURRENCY_DEFAULTS). */
export function workerConcurrencyFromEnv(env: Pick<Env, 'WORKER_MAX_CONCURRENT_ACTIVITIES' | 'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS' | 'WORKER_MAX_CACHED_WORKFLOWS'>): Partial<WorkerConcurrency> {
  return {
    ...(env.WORKER_MAX_CONCURRENT_ACTIVITIES !== undefined && { maxConcurrentActivityTaskExecutions: env.WORKER_MAX_CONCURRENT_ACTIVITIES }),
    ...(env.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS !== undefined && { maxConcurrentWorkflowTaskExecutions: env.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS }),
    ...(env.WORKER_MAX_CACHED_WORKFLOWS !== undefined && { maxCachedWorkflows: env.WORKER_MAX_CACHED_WORKFLOWS }),
  };
}

/** The one way a worker is made: the demo, the worker process and the tests all use it. */
export function createWorker(options: CreateWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: createActivities(options.deps, options.connectors),
    dataConverter: options.dataConverter,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    shutdownGraceTime: options.shutdownGraceTime ?? '10 seconds',
    ...WORKER_CONCURRENCY_DEFAULTS,
    ...options.concurrency,
    // Heartbeats sent while waiting for a shared budget repeat the activity's last details (keep-alive.ts).
    interceptors: { activity: [rememberHeartbeats] },
  });
}
