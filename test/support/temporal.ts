import { Runtime, DefaultLogger, NativeConnection, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import { inject } from 'vitest';
import { WORKFLOWS_PATH } from '../../workers/create-worker.js';

let installed = false;
/** Temporal's runtime is a process singleton: install it once, quietly. */
export function installQuietRuntime(): void {
  if (installed) return;
  installed = true;
  // ERROR: expected activity failures (429s, injected 500s) are logged by the SDK at WARN.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** One workflow bundle per test file (bundling takes a second or two). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
  return bundle;
}

/** A client and a worker connection to the suite's real Temporal dev server. */
export async function connectToTestServer() {
  installQuietRuntime();
  const address = inject('temporalAddress');
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  return {
    address,
    client: new Client({ connection, namespace: 'default' }),
    nativeConnection,
    close: async () => {
      await connection.close();
      await nativeConnection.close();
    },
  };
}

let queue = 0;
export const uniqueTaskQueue = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${queue++}`;
