import { Runtime, DefaultLogger, NativeConnection, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import { readFile } from 'node:fs/promises';
import { inject } from 'vitest';
import { BUNDLER_CONVERTER_OPTIONS, createDataConverter, type EncryptedDataConverter } from '../../lib/codec/data-converter.js';
import { parsePayloadKeys } from '../../lib/codec/payload-keys.js';
import { WORKFLOWS_PATH } from '../../workers/create-worker.js';

/** Fixed for the whole test run (like TEST_CREDENTIALS_KEY): every integration test runs encrypted. */
export const TEST_PAYLOAD_KEYS = `test-k1:${Buffer.alloc(32, 11).toString('base64')}`;
let converter: EncryptedDataConverter | undefined;
/** The product's data converter with the test key: clients, workers and replays of the tests use it. */
export function testDataConverter(): EncryptedDataConverter {
  converter ??= createDataConverter(parsePayloadKeys(TEST_PAYLOAD_KEYS));
  return converter;
}

let installed = false;
/** Temporal's runtime is a process singleton: install it once, quietly. */
export function installQuietRuntime(): void {
  if (installed) return;
  installed = true;
  // ERROR: expected activity failures (429s, injected 500s) are logged by the SDK at WARN.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/**
 * The workflow bundle: under vitest, the one the global setup built for the whole run (bundling takes
 * a second or two, once instead of once per file); elsewhere (the soak script), built here once.
 */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= builtBySetup() ?? bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, ...BUNDLER_CONVERTER_OPTIONS, logger: new DefaultLogger('WARN') });
  return bundle;
}

function builtBySetup(): Promise<WorkflowBundleWithSourceMap> | undefined {
  let path: string | undefined;
  try {
    path = inject('workflowBundlePath');
  } catch {
    return undefined; // not under vitest
  }
  return path ? readFile(path, 'utf8').then((code) => ({ code, sourceMap: '' })) : undefined;
}

/** A client and a worker connection to the suite's real Temporal dev server. */
export async function connectToTestServer() {
  installQuietRuntime();
  const address = inject('temporalAddress');
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  return {
    address,
    client: new Client({ connection, namespace: 'default', dataConverter: testDataConverter() }),
    nativeConnection,
    close: async () => {
      await connection.close();
      await nativeConnection.close();
    },
  };
}

let queue = 0;
export const uniqueTaskQueue = (prefix: string) => `${prefix}-${process.pid}-${Date.now().toString(36)}-${queue++}`;
