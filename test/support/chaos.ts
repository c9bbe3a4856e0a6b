import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, makeTelemetryFilterString, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { and, eq, sql } from 'drizzle-orm';
import postgres from 'postgres';
import type { Deps } from '../../activities/index.js';
import { createDb, type DbHandle } from '../../db/client.js';
import type { NewConnection } from '../../db/queries/connections.js';
import { reportLines, stagedRecords, syncRuns } from '../../db/schema.js';
import type { GenerateCompanyOptions } from '../../dev/simulators/data/company.js';
import { startHappyPalSimulator, type HappyPalSimulator } from '../../dev/simulators/happypal/server.js';
import { startDemoLucca, type DemoLucca } from '../../dev/simulators/lucca/fixtures.js';
import { freePort } from '../../lib/ports.js';
import { startTemporalServer, temporalAnswers, type RunningTemporal } from '../../dev/stack/temporal-server.js';
import type { SyncInput, SyncSummary } from '../../workflows/contracts.js';
import { createHarnessCore, HARNESS_CREDENTIALS_KEY } from './harness-core.js';
import { testDataConverter, uniqueTaskQueue } from './temporal.js';
export { activityAttempts } from './run-history.js';

/**
 * Chaos-test helpers. Nothing here reads vitest's `inject`: the same pieces serve the integration
 * tests (given the suite's Temporal address and database) and the soak script (which starts its
 * own Temporal dev server and database).
 */

/** The test credentials key (same value as sync-harness, so a spawned worker process can decrypt). */
export const CHAOS_CREDENTIALS_KEY = HARNESS_CREDENTIALS_KEY;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns something other than undefined/null/false; fails after the deadline. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  { timeoutMs = 60_000, intervalMs = 50, retryErrors = false }: { timeoutMs?: number; intervalMs?: number; retryErrors?: boolean } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // retryErrors: a probe that fails (e.g. its own connection was just dropped) counts as "not yet".
    const value = retryErrors ? await Promise.resolve().then(probe).catch(() => undefined) : await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export interface ChaosHarnessOptions {
  temporalAddress: string;
  databaseUrl: string;
  company?: GenerateCompanyOptions;
  /** Seeds of the simulators' fault draws (so a scenario replays). */
  luccaSeed?: number;
  happypalSeed?: number;
  dbMax?: number;
  /** Task queue; a unique one by default. */
  taskQueue?: string;
}

export interface ChaosHarness {
  db: DbHandle;
  client: Client;
  nativeConnection: NativeConnection;
  taskQueue: string;
  temporalAddress: string;
  lucca: DemoLucca;
  happypal: HappyPalSimulator;
  deps: Deps;
  addConnection(overrides?: Partial<NewConnection> & { fullReadDays?: number | null }): Promise<{ id: string; name: string }>;
  start(connectionId: string, input?: Partial<SyncInput>): Promise<WorkflowHandle>;
  /** A new in-process worker on the harness's task queue (not yet running). */
  newWorker(): Promise<Worker>;
  withWorker<T>(fn: () => Promise<T>): Promise<T>;
  sync(connectionId: string, input?: Partial<SyncInput>): Promise<SyncSummary>;
  close(): Promise<void>;
}

/**
 * Temporal's runtime is a process singleton. Installs a quiet one unless one exists already (a test
 * file that also uses sync-harness installs its own first): the SDK's core logs every poll retried
 * while a server is down at WARN, which is expected noise here.
 */
export function installChaosRuntime(): void {
  if (Runtime._instance !== undefined) return;
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR', other: 'ERROR' }) } },
  });
}

/**
 * Real Temporal (at `temporalAddress`), real Postgres (`databaseUrl`), fresh Lucca and HappyPal
 * simulators. Like test/support/sync-harness.ts, but with explicit addresses, so it can point at a
 * Temporal server a test starts (and stops) itself, and be used outside vitest.
 */
export async function createChaosHarness(options: ChaosHarnessOptions): Promise<ChaosHarness> {
  installChaosRuntime();
  const connection = await Connection.connect({ address: options.temporalAddress });
  const nativeConnection = await NativeConnection.connect({ address: options.temporalAddress });
  const client = new Client({ connection, namespace: 'default', dataConverter: testDataConverter() });
  const db = createDb(options.databaseUrl, { max: options.dbMax ?? 10 });
  const lucca = await startDemoLucca({
    company: options.company ?? { employees: 60, seed: 7 },
    rateLimitPerMinute: 0,
    ...(options.luccaSeed !== undefined && { seed: options.luccaSeed }),
  });
  const happypal = await startHappyPalSimulator({ rateLimitPerMinute: 0, ...(options.happypalSeed !== undefined && { seed: options.happypalSeed }) });
  const temporal = {
    client, nativeConnection,
    close: async () => {
      await connection.close();
      await nativeConnection.close();
    },
  };
  const { deps, taskQueue, start, newWorker, withWorker, sync, addConnection, close } = createHarnessCore({
    db, temporal, lucca, target: happypal, targetKind: 'happypal', taskQueue: options.taskQueue ?? uniqueTaskQueue('chaos'),
    workflowIdPrefix: 'chaos-sync', namePrefix: 'chaos', modelNow: true, defaultFullReadDays: 0,
  });
  return {
    db, client, nativeConnection, taskQueue, temporalAddress: options.temporalAddress, lucca, happypal, deps,
    start, newWorker, withWorker, sync, addConnection, close,
  };
}

// ---------------------------------------------------------------------------------------------
// Where a run is: read from Postgres (sync_runs.phase, staged rows, report lines).

export type RunRow = typeof syncRuns.$inferSelect;

export async function runOf(db: DbHandle, workflowId: string): Promise<RunRow | undefined> {
  return (await db.db.select().from(syncRuns).where(eq(syncRuns.workflowId, workflowId)))[0];
}

export async function stagedCount(db: DbHandle, runId: string, dataset = 'lucca-users'): Promise<number> {
  const [row] = await db.db.select({ n: sql<number>`count(*)::int` }).from(stagedRecords)
    .where(and(eq(stagedRecords.runId, runId), eq(stagedRecords.dataset, dataset)));
  return row?.n ?? 0;
}

/** Report lines of a run by outcome (planned, applied, failed, skipped, reported). */
export async function outcomes(db: DbHandle, runId: string): Promise<Record<string, number>> {
  const rows = await db.db.select({ outcome: reportLines.outcome, n: sql<number>`count(*)::int` }).from(reportLines)
    .where(eq(reportLines.runId, runId)).groupBy(reportLines.outcome);
  return Object.fromEntries(rows.map((r) => [r.outcome, r.n]));
}

export async function lineCount(db: DbHandle, runId: string): Promise<number> {
  const [row] = await db.db.select({ n: sql<number>`count(*)::int` }).from(reportLines).where(eq(reportLines.runId, runId));
  return row?.n ?? 0;
}

/** Waits for the run row of a workflow, then returns it. */
export function runRowOf(db: DbHandle, workflowId: string, timeoutMs = 60_000): Promise<RunRow> {
  return waitFor(`the run row of ${workflowId}`, () => runOf(db, workflowId), { timeoutMs });
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL faults.

/**
 * Terminates every backend of the application (`application_name = 'lucca-connectors'`) on the
 * current database, from a separate admin connection. Returns how many were terminated.
 */
export async function terminateAppBackends(databaseUrl: string): Promise<number> {
  const admin = postgres(databaseUrl, { max: 1, onnotice: () => undefined, connection: { application_name: 'chaos-admin' } });
  try {
    const rows = await admin<{ ok: boolean }[]>`
      select pg_terminate_backend(pid) as ok from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid() and application_name = 'lucca-connectors'`;
    return rows.filter((r) => r.ok).length;
  } finally {
    await admin.end({ timeout: 5 });
  }
}

/** A separate admin connection (not the application's name, so terminations spare it). */
export function adminSql(databaseUrl: string): postgres.Sql {
  return postgres(databaseUrl, { max: 2, onnotice: () => undefined, connection: { application_name: 'chaos-admin' } });
}

// ---------------------------------------------------------------------------------------------
// A Temporal dev server of the test's own, on a SQLite file, that can be stopped and restarted.

export interface OwnTemporal {
  address: string;
  dbFile: string;
  /** Graceful stop (SIGTERM, as `temporal server start-dev` gets from an operator's Ctrl-C). */
  stop(): Promise<void>;
  /** Hard crash: SIGKILL of the server process. */
  kill(): Promise<void>;
  /** Starts it again on the same port and the same SQLite file. */
  restart(): Promise<void>;
  running(): boolean;
  /** Stops it and removes its files. */
  dispose(): Promise<void>;
}

export async function startOwnTemporal(cliPath: string): Promise<OwnTemporal> {
  const dir = mkdtempSync(path.join(tmpdir(), 'chaos-temporal-'));
  const dbFile = path.join(dir, 'temporal.sqlite');
  const address = `127.0.0.1:${await freePort()}`;
  const launch = async () =>
    startTemporalServer({ cliPath, address, uiPort: 0, headless: true, dbFile, startTimeoutMs: 90_000 });
  let server: RunningTemporal | undefined = await launch();
  if (!server.owned) throw new Error(`a Temporal server already answered on ${address}`);
  const gone = async () => {
    await waitFor('the Temporal server to stop answering', async () => !(await temporalAnswers(address, 500)), { timeoutMs: 30_000, intervalMs: 100 });
  };
  return {
    address,
    dbFile,
    running: () => server !== undefined,
    async stop() {
      await server?.stop();
      server = undefined;
      await gone();
    },
    async kill() {
      const pid = server?.pid;
      if (pid === undefined) return;
      process.kill(pid, 'SIGKILL');
      await waitFor('the Temporal server process to exit', () => {
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      }, { timeoutMs: 30_000, intervalMs: 50 });
      await server?.stop(); // the child has exited: only clears the exit hook
      server = undefined;
      await gone();
    },
    async restart() {
      if (server) throw new Error('the Temporal server is still running');
      // The port was ours a moment ago; retry briefly if the OS has not released it yet.
      const deadline = Date.now() + 60_000;
      for (;;) {
        try {
          server = await launch();
          return;
        } catch (err) {
          if (Date.now() > deadline) throw err;
          await sleep(500);
        }
      }
    },
    async dispose() {
      await server?.stop().catch(() => undefined);
      server = undefined;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Counts of requests HappyPal answered, by endpoint and status (from its own request log). */
export function happyPalRequests(happypal: HappyPalSimulator): Record<string, Record<string, number>> {
  return happypal.state.dump().requestCounts;
}

/** Lucca `users` answers by status (e.g. { '200': 3, '500': 1, '429': 2 }). */
export function luccaUsersByStatus(lucca: DemoLucca): Record<string, number> {
  return lucca.sim.stats.snapshot().byEndpoint.users?.byStatus ?? {};
}

// ---------------------------------------------------------------------------------------------
// Lock gates: hold a table lock from an admin connection so a phase blocks inside Postgres at a
// known point (the plan's transaction, a staging insert, a write's commit), whatever the speed
// of the machine. Released explicitly.

export interface LockGate {
  /** Backends of the application waiting on the locked table. */
  waiters(): Promise<number[]>;
  release(): Promise<void>;
}

export async function lockTable(databaseUrl: string, table: string): Promise<LockGate> {
  if (!/^[a-z_]+$/.test(table)) throw new Error(`not a table name: ${table}`);
  const admin = adminSql(databaseUrl);
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const holder = admin.begin(async (tx) => {
    await tx.unsafe(`lock table ${table} in exclusive mode`);
    locked();
    await released;
  });
  await Promise.race([isLocked, holder]);
  return {
    async waiters() {
      const rows = await admin<{ pid: number }[]>`
        select l.pid from pg_locks l
        join pg_class c on c.oid = l.relation
        join pg_stat_activity a on a.pid = l.pid
        where c.relname = ${table} and not l.granted and a.datname = current_database() and a.application_name = 'lucca-connectors'`;
      return rows.map((r) => r.pid);
    },
    async release() {
      release();
      await holder;
      await admin.end({ timeout: 5 });
    },
  };
}

/** True while a backend with this pid exists on the current database. */
export async function backendAlive(databaseUrl: string, pid: number): Promise<boolean> {
  const admin = adminSql(databaseUrl);
  try {
    const rows = await admin`select 1 from pg_stat_activity where pid = ${pid} and datname = current_database()`;
    return rows.length > 0;
  } finally {
    await admin.end({ timeout: 5 });
  }
}

// ---------------------------------------------------------------------------------------------
// A supervisor for worker processes (what compose's `restart: unless-stopped` does in production).

export interface SupervisedProcess {
  child: import('node:child_process').ChildProcess;
  output(): string;
  kill(signal: NodeJS.Signals): Promise<void>;
}

export interface Supervisor {
  /** Every exit seen so far, with the tail of the process's output. */
  exits: { code: number | null; signal: NodeJS.Signals | null; output: string }[];
  current(): SupervisedProcess;
  stop(): Promise<void>;
}

/** Starts a process with `start` and starts a new one whenever it exits, until `stop()`. */
export async function supervise(start: () => Promise<SupervisedProcess>): Promise<Supervisor> {
  let stopped = false;
  let current = await start();
  const exits: Supervisor['exits'] = [];
  let restarting: Promise<void> = Promise.resolve();
  const watch = (proc: SupervisedProcess) => {
    proc.child.once('exit', (code, signal) => {
      exits.push({ code, signal, output: proc.output().slice(-4000) });
      if (stopped) return;
      restarting = (async () => {
        const next = await start();
        current = next;
        if (stopped) await next.kill('SIGKILL');
        else watch(next);
      })();
    });
  };
  watch(current);
  return {
    exits,
    current: () => current,
    async stop() {
      stopped = true;
      await restarting.catch(() => undefined);
      await current.kill('SIGKILL');
    },
  };
}
