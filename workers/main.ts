import { NativeConnection } from '@temporalio/worker';
import { parseEnv } from '../config/env.js';
import { migrateDatabase } from '../db/migrate.js';
import { createLogger } from '../lib/logger.js';
import { createWorker } from './create-worker.js';
import { buildDeps } from './deps.js';

/** A worker process: `npm run worker`. Runs until SIGINT/SIGTERM, then drains gracefully. */
async function main() {
  const env = parseEnv();
  const logger = createLogger(env.LOG_LEVEL);
  if (!env.DATABASE_URL) throw new Error('DATABASE_URL must be set for a standalone worker (the demo starts its own).');
  await migrateDatabase(env.DATABASE_URL);
  const deps = buildDeps(env, env.DATABASE_URL, logger);
  const connection = await NativeConnection.connect({
    address: env.TEMPORAL_ADDRESS,
    ...(env.TEMPORAL_TLS && { tls: true }),
    ...(env.TEMPORAL_API_KEY && { apiKey: env.TEMPORAL_API_KEY }),
  });
  const worker = await createWorker({ connection, namespace: env.TEMPORAL_NAMESPACE, taskQueue: env.TEMPORAL_TASK_QUEUE, deps });
  logger.info({ taskQueue: env.TEMPORAL_TASK_QUEUE, namespace: env.TEMPORAL_NAMESPACE }, 'worker started');
  try {
    await worker.run();
  } finally {
    await connection.close();
    await deps.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
