import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type Deps } from '../activities/index.js';
import type { Connectors } from '../activities/targets/connector.js';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

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
    maxCachedWorkflows: 100,
  });
}
