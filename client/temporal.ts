import { Client, Connection } from '@temporalio/client';
import type { Env } from '../config/env.js';
import { dataConverterFromEnv } from '../lib/codec/data-converter.js';

export class TemporalUnreachableError extends Error {
  override name = 'TemporalUnreachableError';
}

/**
 * A Temporal client for env.TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE, with TLS and an API key when the
 * environment asks for them. Fails fast (5 s) with a message that says what to start.
 */
export async function connectClient(
  env: Pick<Env, 'TEMPORAL_ADDRESS' | 'TEMPORAL_NAMESPACE' | 'TEMPORAL_TLS' | 'TEMPORAL_API_KEY' | 'PAYLOAD_KEYS' | 'DATA_DIR'>,
  options: { connectTimeoutMs?: number } = {},
): Promise<Client> {
  let connection: Connection;
  try {
    connection = await Connection.connect({
      address: env.TEMPORAL_ADDRESS,
      connectTimeout: options.connectTimeoutMs ?? 5_000,
      ...(env.TEMPORAL_TLS && { tls: true }),
      ...(env.TEMPORAL_API_KEY && { apiKey: env.TEMPORAL_API_KEY }),
    });
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new TemporalUnreachableError(
      `Temporal is not reachable at ${env.TEMPORAL_ADDRESS} (${reason}): start the local stack (npm run demo) or set TEMPORAL_ADDRESS.`,
    );
  }
  // Payloads and failure messages are encrypted (lib/codec): the same converter as the workers.
  return new Client({ connection, namespace: env.TEMPORAL_NAMESPACE, dataConverter: dataConverterFromEnv(env) });
}
