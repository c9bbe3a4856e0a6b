import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec } from './encryption-codec.js';
import { loadPayloadKeys, type PayloadKey } from './payload-keys.js';
import { PROJECT_ROOT, resolveDataDir } from '../../config/paths.js';

/**
 * Module path of the failure converter (encodeCommonAttributes: true). A path, not an instance,
 * because it also runs inside the workflow sandbox: give it to `bundleWorkflowCode` too.
 */
export const FAILURE_CONVERTER_PATH = path.join(PROJECT_ROOT, 'lib', 'codec', 'failure-converter.cjs');

/** What `bundleWorkflowCode` needs so the bundled workflows encode failures like the worker does. */
export const BUNDLER_CONVERTER_OPTIONS = { failureConverterPath: FAILURE_CONVERTER_PATH } as const;

export type EncryptedDataConverter = DataConverter & { payloadCodecs: [EncryptionCodec]; failureConverterPath: string };

/**
 * THE data converter of the product: client, worker and workflow bundle all use it. Payloads are
 * encrypted with AES-256-GCM under the first key; failures (messages, stack traces) are encoded
 * into payloads first, so they are encrypted too.
 */
export function createDataConverter(keys: readonly PayloadKey[]): EncryptedDataConverter {
  return { payloadCodecs: [new EncryptionCodec(keys)], failureConverterPath: FAILURE_CONVERTER_PATH };
}

const memo = new Map<string, EncryptedDataConverter>();

/** The converter for an environment: PAYLOAD_KEYS, or the development key in DATA_DIR. One per key set. */
export function dataConverterFromEnv(env: { PAYLOAD_KEYS?: string | undefined; DATA_DIR: string }): EncryptedDataConverter {
  const dataDir = resolveDataDir(env.DATA_DIR);
  const memoKey = env.PAYLOAD_KEYS ? `keys:${env.PAYLOAD_KEYS}` : `dir:${dataDir}`;
  let converter = memo.get(memoKey);
  if (!converter) {
    converter = createDataConverter(loadPayloadKeys(env.PAYLOAD_KEYS, dataDir));
    memo.set(memoKey, converter);
  }
  return converter;
}
