import { NativeConnection, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { parseEnv } from '../config/env.js';
import { migrateDatabase } from '../db/migrate.js';
import { dataConverterFromEnv } from '../lib/codec/data-converter.js';
import { connectClient } from '../client/temporal.js';
import { envChannelRows } from '../services/alerts.js';
import { ensureFleetHealthSchedule } from '../services/fleet.js';
import { createLogger, temporalLogger } from '../lib/logger.js';
import { startMetricsServer } from '../lib/metrics-server.js';
import { reportFailure } from '../client/errors.js';
import { StartupError } from '../lib/startup-error.js';
import { freePort } from '../lib/ports.js';
import { checkDatabaseUrl } from '../db/postgres.js';
import { createWorker, workerConcurrencyFromEnv } from './create-worker.js';
import { buildDeps } from './deps.js';
import { onPostgresConnectionBug } from './postgres-connection-bug.js';

/**
 * A worker process: `npm run worker`, or the `worker` service of docker-compose.yml. Runs until
 * SIGINT/SIGTERM, then drains: running activities get SHUTDOWN_GRACE_SECONDS to finish before they
 * are cancelled and handed back to Temporal (their progress is committed line by line).
 */
async function main() {
  const env = parseEnv();
  const logger = createLogger(env.LOG_LEVEL);
  if (!env.DATABASE_URL) throw new StartupError('DATABASE_URL is not set', 'a standalone worker needs it (`npm run demo` runs its own worker)');
  await checkDatabaseUrl(env.DATABASE_URL);

  // Temporal's runtime metrics are bound on loopback and served together with ours on METRICS_PORT.
  const runtimeMetricsPort = env.METRICS_PORT ? await freePort() : undefined;
  Runtime.install({
    logger: temporalLogger(logger), // the SDK's logs as JSON through pino: redacted, errors without their extra properties
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) },
      ...(runtimeMetricsPort && { metrics: { prometheus: { bindAddress: `127.0.0.1:${runtimeMetricsPort}` } } }),
    },
  });
  await migrateDatabase(env.DATABASE_URL);
  const deps = buildDeps(env, env.DATABASE_URL, logger);
  envChannelRows(env, deps.cipher, env.LUCCA_ALLOWED_HOSTS); // bad ALERT_* settings stop the worker here, not every minute later
  const connection = await NativeConnection.connect({
    address: env.TEMPORAL_ADDRESS,
    ...(env.TEMPORAL_TLS && { tls: true }),
    ...(env.TEMPORAL_API_KEY && { apiKey: env.TEMPORAL_API_KEY }),
  }).catch(async (err: unknown) => {
    await deps.close();
    const refused = /refused/i.test(String(err)) ? 'connection refused' : (err as Error).message.split('\n')[0];
    throw new StartupError(`Temporal is not reachable at ${env.TEMPORAL_ADDRESS} (${refused})`, 'start it, or set TEMPORAL_ADDRESS (and TEMPORAL_TLS, TEMPORAL_API_KEY for a cloud namespace)');
  });
  const worker = await createWorker({
    connection, namespace: env.TEMPORAL_NAMESPACE, taskQueue: env.TEMPORAL_TASK_QUEUE, deps,
    dataConverter: dataConverterFromEnv(env), // payloads and failure messages encrypted (lib/codec)
    shutdownGraceTime: `${env.SHUTDOWN_GRACE_SECONDS} seconds`,
    concurrency: workerConcurrencyFromEnv(env),
    ...(env.WORKFLOW_BUNDLE_PATH && { workflowBundle: { codePath: env.WORKFLOW_BUNDLE_PATH } }),
  });
  // Health, incidents and alerts of every connection, evaluated every minute by a fleetHealth workflow.
  const client = await connectClient(env);
  await ensureFleetHealthSchedule(client, env.TEMPORAL_TASK_QUEUE);
  await client.connection.close();
  const metrics = env.METRICS_PORT && deps.metrics
    ? await startMetricsServer({
        host: env.METRICS_HOST, port: env.METRICS_PORT, registry: deps.metrics.registry,
        ...(runtimeMetricsPort && { temporalMetricsUrl: `http://127.0.0.1:${runtimeMetricsPort}/metrics` }),
        healthy: () => worker.getState() === 'RUNNING',
      })
    : undefined;
  logger.info({
    taskQueue: env.TEMPORAL_TASK_QUEUE, namespace: env.TEMPORAL_NAMESPACE, metrics: metrics?.url ?? null,
    workflowBundle: env.WORKFLOW_BUNDLE_PATH ? 'prebuilt' : 'bundled at start',
  }, 'worker started');
  // The postgres-js dropped-connection bug (postgres-connection-bug.ts): the pool is unusable, so
  // drain and exit 1; the supervisor (compose `restart: unless-stopped`) starts a worker with a fresh pool.
  onPostgresConnectionBug(() => {
    logger.error({}, 'database connection lost inside a transaction (postgres-js bug): draining this worker to restart it');
    process.exitCode = 1;
    if (worker.getState() === 'RUNNING') worker.shutdown();
  });
  try {
    await worker.run();
    logger.info({}, 'worker stopped');
  } finally {
    await metrics?.close();
    await connection.close();
    await deps.close();
  }
}

main().catch((err: unknown) => {
  process.exit(reportFailure(err));
});
