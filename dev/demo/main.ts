import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import pino from 'pino';
import { eq } from 'drizzle-orm';
import { parseEnv } from '../../config/env.js';
import { connections } from '../../db/schema.js';
import { describeDemoConsole, startDemoConsole } from './console.js';
import { createDb } from '../../db/client.js';
import { insertConnection, updateConnection } from '../../db/queries/connections.js';
import { startHappyPalSimulator } from '../simulators/happypal/server.js';
import { startDemoLucca } from '../simulators/lucca/fixtures.js';
import { localUiOrigins, startCodecServer, type RunningCodecServer } from '../../lib/codec/codec-server.js';
import { BUNDLER_CONVERTER_OPTIONS, dataConverterFromEnv } from '../../lib/codec/data-converter.js';
import { loadCodecToken } from '../../lib/codec/payload-keys.js';
import { createLogger } from '../../lib/logger.js';
import { StartupError } from '../../lib/startup-error.js';
import { startLocalStack } from '../stack/local-stack.js';
import { resolveDataDir } from '../../config/paths.js';
import { createWorker, WORKFLOWS_PATH } from '../../workers/create-worker.js';
import { buildDeps } from '../../workers/deps.js';
import { onPostgresConnectionBug } from '../../workers/postgres-connection-bug.js';
import type { SyncSummary } from '../../workflows/contracts.js';
import { loadReport } from '../../client/reports/load-report.js';
import { renderText } from '../../client/reports/render-text.js';
import { deleteSchedule, describeSchedule, ensureSchedule, triggerSchedule } from '../../client/schedules.js';
import { reportFailure } from '../../client/errors.js';
import { connectClient } from '../../client/temporal.js';
import { ensureFleetHealthSchedule } from '../../services/fleet.js';

/**
 * `npm run demo [-- --once]`: the whole product on one machine. Real Temporal (dev server + Web UI)
 * and PostgreSQL, simulated Lucca and HappyPal, a worker, a demo connection with its schedule, and a
 * first sync started through that schedule, with its report.
 */
const NAME = 'demo-happypal';
const once = process.argv.includes('--once');
const step = (message: string) => process.stdout.write(`• ${message}\n`);

async function main() {
  const env = parseEnv();
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const started = Date.now();
  // Bundling the workflows takes seconds: done while the servers start (and once for any worker).
  const workflowBundle = bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, ...BUNDLER_CONVERTER_OPTIONS, logger: new DefaultLogger('WARN') });
  workflowBundle.catch(() => undefined); // a failure is reported where it is awaited

  // Every payload Temporal stores is encrypted; the codec endpoint lets the Web UI show it decrypted.
  const dataConverter = dataConverterFromEnv(env);
  const codecToken = loadCodecToken(env.CODEC_TOKEN, resolveDataDir(env.DATA_DIR));
  const codec = await startCodecServer({
    codec: dataConverter.payloadCodecs[0], token: codecToken, host: env.CODEC_HOST, port: env.CODEC_PORT,
    allowedOrigins: env.CODEC_ALLOWED_ORIGINS.length > 0 ? env.CODEC_ALLOWED_ORIGINS : localUiOrigins(env.TEMPORAL_UI_PORT),
  }).catch((err: unknown) => {
    throw new StartupError(
      `the codec endpoint could not listen on ${env.CODEC_HOST}:${env.CODEC_PORT} (${(err as { code?: string }).code ?? (err as Error).message})`,
      'stop what uses that port, or set CODEC_PORT to a free port',
    );
  });
  const stack = await startLocalStack(env, { codecEndpoint: codec.uiEndpoint });
  step(`Temporal ${stack.temporal.owned ? 'dev server started' : 'already running'} at ${env.TEMPORAL_ADDRESS}; Web UI ${stack.temporal.uiUrl}`);
  step(`payloads encrypted (AES-256-GCM, key "${dataConverter.payloadCodecs[0].currentKeyId}"); codec endpoint ${codec.url}`);
  step(`PostgreSQL ${stack.postgres.clusterDir ? `embedded in ${stack.postgres.clusterDir} (port ${env.EMBEDDED_PG_PORT})` : 'from DATABASE_URL'}, schema migrated`);
  const today = new Date().toISOString().slice(0, 10);
  const lucca = await startDemoLucca({ company: { employees: 200, seed: 2026, asOf: today } });
  lucca.sim.company('demo').clock.useWallClock();
  const happypal = await startHappyPalSimulator();
  // Two people already have a HappyPal profile (typed by hand, other case): the sync attaches them.
  for (const user of lucca.sim.company('demo').users.slice(3, 5)) {
    happypal.state.seedUser({ first_name: user.firstName, last_name: user.lastName ?? '', email: user.mail.toUpperCase(), by: 'hr' });
  }
  step(`Lucca simulator ${lucca.url} (200 employees), HappyPal simulator ${happypal.url}`);

  // The worker's structured logs go to a file, so the terminal shows the story and the report.
  const logFile = path.join(resolveDataDir(env.DATA_DIR), 'logs', 'demo-worker.log');
  mkdirSync(path.dirname(logFile), { recursive: true });
  const logger = createLogger(env.LOG_LEVEL, pino.destination({ dest: logFile, sync: false }));
  const client = await connectClient(env);
  const workerConnection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS });
  const inProcess = await replaceableWorker(async () => {
    const deps = buildDeps(env, stack.databaseUrl, logger);
    const worker = await createWorker({
      connection: workerConnection, namespace: env.TEMPORAL_NAMESPACE, taskQueue: env.TEMPORAL_TASK_QUEUE, deps, dataConverter,
      workflowBundle: await workflowBundle,
    });
    return { deps, worker, running: worker.run() };
  });
  step(`worker polling task queue "${env.TEMPORAL_TASK_QUEUE}" (logs: ${path.relative(process.cwd(), logFile)})`);

  // The simulators are new on every start, so the demo connection is made anew too.
  await deleteSchedule(client, NAME);
  const { db, cipher } = await inProcess.deps();
  await db.db.delete(connections).where(eq(connections.name, NAME));
  const connection = await insertConnection(db.db, cipher, {
    name: NAME, target: 'happypal', luccaUrl: lucca.url, luccaKey: lucca.apiKey, targetUrl: happypal.url, targetKey: happypal.apiKey,
  });
  // The simulators listen on loopback over http: allowed for this connection only, stored with it,
  // so the worker and the CLI (`connection test`, `sync run` from another terminal) accept them
  // while LUCCA_ALLOWED_HOSTS stays as configured for every other connection.
  await updateConnection(db.db, connection.id, { allowedHosts: [new URL(lucca.url).host, new URL(happypal.url).host] });
  await ensureSchedule(client, {
    connection, cadence: { kind: 'daily', hour: 6, minute: 0, timezone: 'Europe/Paris' }, taskQueue: env.TEMPORAL_TASK_QUEUE,
    jitterSeconds: env.SCHEDULE_JITTER_SECONDS,
  });
  await ensureFleetHealthSchedule(client, env.TEMPORAL_TASK_QUEUE); // health, incidents and alerts every minute
  step(`connection "${NAME}" with schedule sync-${NAME} (daily 06:00 Europe/Paris); first sync triggered through it`);
  await triggerSchedule(client, NAME);
  const workflowId = await firstScheduledRun(NAME, client);
  const summary = (await client.workflow.getHandle(workflowId).result()) as SyncSummary;
  const report = await loadReport((await inProcess.deps()).db.db, summary.runId);
  process.stdout.write(`\n${renderText(report, { maxPerAction: 3 })}\n`);
  // The web console, on its own pool (the worker's is replaced if its connection breaks).
  const consoleDb = createDb(stack.databaseUrl, { max: 4 });
  const webConsole = await startDemoConsole({ env, db: consoleDb.db, cipher, client, connections: [NAME], company: 'demo' });
  process.stdout.write(whereToLook(stack.temporal.uiUrl ?? '', workflowId, summary.runId, Date.now() - started));
  process.stdout.write(`  Web console            ${describeDemoConsole(webConsole.url, webConsole.logins).replace(/^Console: /, '').replace(/\n/g, '\n                         ')}\n`);
  process.stdout.write(codecHelp(codec, codecToken, workflowId, stack.temporal.owned));

  const shutdown = async () => {
    // On Ctrl-C the Temporal runtime already drains the worker (its own signal handling).
    await webConsole.close();
    await consoleDb.close();
    await inProcess.stop();
    await workerConnection.close();
    await client.connection.close();
    await lucca.sim.close();
    await happypal.close();
    await codec.close();
    await stack.stop();
  };
  if (once) {
    await shutdown();
    return;
  }
  process.stdout.write('\nThe demo stays up (worker, simulators, Temporal, Web UI). Ctrl-C stops everything cleanly.\n');
  await new Promise<void>((resolve) => {
    // A Ctrl-C may arrive twice at once (the terminal's, and one relayed by a parent process): only
    // a second one a while later, while stopping takes long, stops at once (leaving PostgreSQL to
    // stop on its own signal).
    let firstAt: number | undefined;
    const onSignal = () => {
      if (firstAt === undefined) {
        firstAt = Date.now();
        resolve();
      } else if (Date.now() - firstAt > 2_000) {
        process.stderr.write('error: stopped before a clean shutdown (second Ctrl-C): run the demo again to start over.\n');
        process.exit(130);
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  process.stdout.write('\nStopping…\n');
  await shutdown();
  process.stdout.write('Stopped: the worker, the simulators, Temporal and PostgreSQL are down.\n');
}

interface WorkerOnPool { deps: ReturnType<typeof buildDeps>; worker: Worker; running: Promise<void> }

/**
 * The demo's worker runs in this process, with no supervisor to restart it. On the postgres-js
 * dropped-connection bug (workers/postgres-connection-bug.ts) its pool is unusable: the worker is
 * drained and replaced by a new one on a new pool, while the rest of the demo stays up; Temporal
 * retries the activity that failed on the new worker. Any other uncaught exception stays fatal.
 */
async function replaceableWorker(start: () => Promise<WorkerOnPool>) {
  let current = await start();
  let replacing: Promise<void> | undefined;
  let stopping = false;
  const drain = async (old: WorkerOnPool) => {
    if (old.worker.getState() === 'RUNNING') old.worker.shutdown();
    try {
      await old.running;
    } finally {
      await old.deps.close();
    }
  };
  // Stays installed to the end: the broken pool's timers may still fire while the demo stops.
  onPostgresConnectionBug(() => {
    if (replacing || stopping) return; // other connections of the same broken pool, or the demo is stopping anyway
    step('database connection lost inside a transaction (postgres-js bug): replacing the worker and its database pool');
    current.deps.logger.error({}, 'database connection lost inside a transaction (postgres-js bug): replacing the in-process worker');
    // The old worker's end is not news here (its pool is known broken): only a failed start is.
    replacing = drain(current).catch(() => undefined).then(start).then((next) => {
      current = next;
      step('worker replaced; polling again');
    }).finally(() => (replacing = undefined));
    replacing.catch((err: unknown) => {
      process.exit(reportFailure(err, 'the demo worker could not be replaced: '));
    });
  });
  return {
    /** The current worker's deps (once a replacement in progress is done): its pool is usable. */
    async deps() {
      await replacing;
      return current.deps;
    },
    async stop() {
      stopping = true;
      await replacing;
      await drain(current);
    },
  };
}

async function firstScheduledRun(name: string, client: Awaited<ReturnType<typeof connectClient>>): Promise<string> {
  for (let i = 0; i < 200; i += 1) {
    const info = (await describeSchedule(client, name))?.info;
    const action = info?.runningActions[0] ?? info?.recentActions.at(-1)?.action;
    if (action) return action.workflow.workflowId;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('The schedule did not start the first sync within 20 s.');
}

function whereToLook(uiUrl: string, workflowId: string, runId: string, elapsedMs: number): string {
  return [
    '',
    `Ready in ${(elapsedMs / 1000).toFixed(1)} s. Where to look:`,
    `  Web UI, this run       ${uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`,
    `  Web UI, the schedule   ${uiUrl}/namespaces/default/schedules/sync-${NAME}`,
    '  Operator CLI           npx lucca-sync connection show demo-happypal',
    '                         npx lucca-sync runs list demo-happypal',
    `                         npx lucca-sync report show ${runId}            (the full report)`,
    `                         npx lucca-sync report show ${runId} --html report.html`,
    '                         npx lucca-sync sync run demo-happypal --wait      (while the demo is up)',
    '  Temporal CLI           .venv/bin/temporal workflow list',
    `                         .venv/bin/temporal workflow show --workflow-id ${workflowId}`,
    `                         .venv/bin/temporal schedule describe --schedule-id sync-${NAME}`,
    '',
  ].join('\n');
}

/** How to read the encrypted payloads: the Web UI's codec setting, the CLI flags, and the token. */
function codecHelp(codec: RunningCodecServer, token: string, workflowId: string, ownServer: boolean): string {
  return [
    '  Encrypted payloads     Temporal stores ciphertext; an operator decrypts through the codec endpoint (loopback only).',
    `    codec token          ${token}   (CODEC_TOKEN, else kept in DATA_DIR/codec.token)`,
    `    Web UI codec setting ${codec.uiEndpoint}`,
    ownServer
      ? '                         (already set on this dev server: --ui-codec-endpoint)'
      : '                         (paste it in the Web UI: top-right "Configure data encoder" › Remote codec endpoint)',
    `    Temporal CLI         .venv/bin/temporal workflow show --workflow-id ${workflowId} \\`,
    `                           --codec-endpoint ${codec.url} --codec-auth 'Bearer ${token}'`,
    '',
  ].join('\n');
}

main().catch((err: unknown) => {
  // Exiting stops what was started: the Temporal dev server and the embedded PostgreSQL end with this process.
  process.exit(reportFailure(err));
});
