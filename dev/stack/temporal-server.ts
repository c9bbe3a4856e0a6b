import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { StartupError } from '../../lib/startup-error.js';
import { portAnswers } from '../../lib/ports.js';
import { stopChild } from '../../lib/stop-child.js';

export interface TemporalServerOptions {
  cliPath: string;
  /** host:port of the gRPC frontend. */
  address: string;
  uiPort: number;
  /** SQLite file for persistence; omit for an in-memory server. */
  dbFile?: string;
  headless?: boolean;
  codecEndpoint?: string;
  namespace?: string;
  /** Serve the server's Prometheus metrics (among them `action`, what Temporal Cloud bills) on this port. */
  metricsPort?: number;
  /** Ms to wait for the server to answer. */
  startTimeoutMs?: number;
}

export interface RunningTemporal {
  address: string;
  uiUrl: string | undefined;
  /** False when a server was already answering and was reused. */
  owned: boolean;
  pid: number | undefined;
  stop(): Promise<void>;
}

/** True when a Temporal frontend answers on `address`. */
export async function temporalAnswers(address: string, timeoutMs = 1500): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: timeoutMs });
    await connection.workflowService.getSystemInfo({});
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

/**
 * Starts `temporal server start-dev`, or reuses a server already answering on the address.
 * The process is stopped by `stop()` (SIGTERM, then SIGKILL after 10 s) and when this process exits.
 */
export async function startTemporalServer(options: TemporalServerOptions): Promise<RunningTemporal> {
  const [host, port] = splitAddress(options.address);
  const uiUrl = options.headless ? undefined : `http://${host === '0.0.0.0' ? 'localhost' : host}:${options.uiPort}`;
  if (await temporalAnswers(options.address)) {
    return { address: options.address, uiUrl, owned: false, pid: undefined, stop: async () => undefined };
  }
  // A port taken by another program would only show up as the dev server's own multi-line error.
  if (await portAnswers(port, host === '0.0.0.0' ? '127.0.0.1' : host)) {
    throw new StartupError(
      `port ${port} (TEMPORAL_ADDRESS ${options.address}) is in use by a program that is not a Temporal server`,
      'stop it, or set TEMPORAL_ADDRESS to a free host:port',
    );
  }
  if (!options.headless && (await portAnswers(options.uiPort))) {
    throw new StartupError(`port ${options.uiPort} (TEMPORAL_UI_PORT, the Web UI) is in use`, 'stop what uses it, or set TEMPORAL_UI_PORT to a free port');
  }
  const args = ['server', 'start-dev', '--ip', host, '--port', String(port), '--log-level', 'warn'];
  args.push('--namespace', options.namespace ?? 'default');
  if (options.dbFile) {
    mkdirSync(path.dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
    // Write-ahead log without an fsync per commit: every workflow task is a few SQLite commits, and
    // on a busy disk the fsyncs dominate. Committed writes still survive a killed server (they are
    // in the OS's cache), which is what the restart tests and a developer's Ctrl-C need.
    args.push('--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=off');
  }
  if (options.headless) args.push('--headless');
  else args.push('--ui-port', String(options.uiPort));
  if (options.codecEndpoint) args.push('--ui-codec-endpoint', options.codecEndpoint);
  if (options.metricsPort) args.push('--metrics-port', String(options.metricsPort));

  const child = spawn(options.cliPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const spawnFailed = new Promise<Error>((resolve) => child.once('error', resolve));
  let spawnError: Error | undefined;
  // Only notes a failed spawn for the polling loop below; `spawnFailed` resolves (never rejects).
  void spawnFailed.then((err) => (spawnError = err));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  while (!(await temporalAnswers(options.address, 1000))) {
    if (spawnError) {
      process.removeListener('exit', killOnExit);
      throw new StartupError(`the Temporal CLI ${options.cliPath} could not be run (${spawnError.message})`, 'run `npm run setup`, or set TEMPORAL_CLI_PATH');
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      process.removeListener('exit', killOnExit);
      throw new StartupError(
        `the Temporal dev server stopped at start (${child.exitCode ?? child.signalCode}: ${lastLine(stderr) || 'no output'})`,
        'check TEMPORAL_ADDRESS, TEMPORAL_UI_PORT and DATA_DIR; run with DEBUG=1 for details',
      );
    }
    if (Date.now() > deadline) {
      await stopChild(child, 'SIGTERM', 10_000);
      process.removeListener('exit', killOnExit);
      throw new StartupError(
        `the Temporal dev server did not answer on ${options.address} in time (${lastLine(stderr) || 'no output'})`,
        'check that nothing else uses the port, and that the machine is not overloaded',
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    address: options.address,
    uiUrl,
    owned: true,
    pid: child.pid,
    stop: async () => {
      await stopChild(child, 'SIGTERM', 10_000);
      process.removeListener('exit', killOnExit);
    },
  };
}

function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).at(-1)?.trim().slice(0, 300) ?? '';
}

export function splitAddress(address: string): [string, number] {
  const index = address.lastIndexOf(':');
  return [address.slice(0, index), Number(address.slice(index + 1))];
}

