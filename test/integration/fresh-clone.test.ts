/**
 * The README's promise, tried as a new user would: a clone in a fresh folder of mode 0700 (like
 * root's home or `mktemp -d`; CI runs as root, so the embedded PostgreSQL must run as `postgres`
 * without traversing it), `npm run demo` there with DATABASE_URL unset, the commands the demo prints
 * from another process, and the one-line start-up errors. Nothing may be left running or dirty.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, utimesSync, writeFileSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../config/paths.js';
import { freePort, portAnswers } from '../../lib/ports.js';
import { embeddedPostgresHome, removeEmbeddedPostgres } from '../../db/postgres.js';

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

let folder: string;
let clone: string;
let env: Record<string, string>;
let ports: number[];

/** Runs a command in the clone, as its own process group (as a terminal would). */
function start(command: string, args: string[], extraEnv: Record<string, string> = {}) {
  const child = spawn(command, args, { cwd: clone, env: { ...env, ...extraEnv }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const finished = new Promise<Finished>((resolve) => child.once('close', (code, signal) => resolve({ code, signal, ...output })));
  return { child, output, finished };
}

const run = (command: string, args: string[], extraEnv: Record<string, string> = {}) => start(command, args, extraEnv).finished;

/** Processes (other than this test's) whose command line names the clone or its PostgreSQL folder. */
function processesOfTheClone(): string[] {
  const marks = [clone, embeddedPostgresHome(path.join(clone, '.data'))];
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (marks.some((mark) => cmdline.includes(mark))) found.push(`${pid}: ${cmdline.trim()}`);
    } catch {
      // ended meanwhile
    }
  }
  return found;
}

/** Nothing of the clone runs any more, and its ports are free (a stopping server may take a moment). */
async function expectNothingLeft(): Promise<void> {
  for (let i = 0; i < 50 && processesOfTheClone().length > 0; i += 1) await new Promise((r) => setTimeout(r, 100));
  expect(processesOfTheClone()).toEqual([]);
  for (const port of ports) expect(await portAnswers(port), `port ${port} is free`).toBe(false);
}

function expectOneLineError(result: Finished, pattern: RegExp): void {
  expect(result.code, result.stderr).not.toBe(0);
  const lines = result.stderr.split('\n').filter((line) => line.trim() !== '');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

beforeAll(() => {
  folder = mkdtempSync(path.join(tmpdir(), 'lucca-fresh-clone-'));
  expect(statSync(folder).mode & 0o777).toBe(0o700);
  clone = path.join(folder, 'newcomer');
  const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).trim();
  execFileSync('git', ['clone', '--quiet', '--no-checkout', PROJECT_ROOT, clone]);
  execFileSync('git', ['checkout', '--quiet', '--detach', head], { cwd: clone });
  // Installing takes minutes: node_modules is hard-linked from this project and .venv linked to its
  // venv. Both are what `npm run setup` would produce for the same lock and requirements, so its
  // stamps say there is nothing to install; everything else runs as on a fresh clone.
  execFileSync('cp', ['-al', path.join(PROJECT_ROOT, 'node_modules'), path.join(clone, 'node_modules')]);
  symlinkSync(realpathSync(path.join(PROJECT_ROOT, '.venv')), path.join(clone, '.venv'));
  // The stamp setup.mjs writes after `npm ci` (sha-256 of package.json then package-lock.json): this
  // project's own may predate a change of package.json's scripts. A new file, not the hard link.
  const stamp = path.join(clone, 'node_modules', '.setup-stamp');
  rmSync(stamp, { force: true });
  const hash = createHash('sha256');
  for (const file of ['package.json', 'package-lock.json']) hash.update(readFileSync(path.join(clone, file)));
  writeFileSync(stamp, hash.digest('hex'));
  // Copied folders are newer than npm's hidden lock file, which would make every `npx` re-read the
  // whole tree (seconds each); after a real `npm ci` it is newer than they are.
  const hiddenLock = path.join(clone, 'node_modules', '.package-lock.json');
  if (existsSync(hiddenLock)) utimesSync(hiddenLock, new Date(), new Date());
});

beforeAll(async () => {
  const [pg, grpc, ui, codec, web] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  ports = [pg, grpc, ui, codec, web];
  // The user's environment, minus DATABASE_URL: the demo uses its embedded PostgreSQL. Free ports,
  // so the demo never meets the suite's own servers.
  env = {
    PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? folder,
    EMBEDDED_PG_PORT: String(pg), TEMPORAL_ADDRESS: `127.0.0.1:${grpc}`, TEMPORAL_UI_PORT: String(ui), CODEC_PORT: String(codec),
    CONSOLE_PORT: String(web),
  };
});

afterAll(() => {
  if (!folder) return;
  if (clone) removeEmbeddedPostgres(path.join(clone, '.data'));
  rmSync(folder, { recursive: true, force: true });
});

describe('a fresh clone in a 0700 folder, DATABASE_URL unset', () => {
  it('`npm run demo -- --once` prints the report, exits 0, leaves nothing running and the clone clean', async () => {
    const result = await run('npm', ['run', 'demo', '--', '--once']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Run [0-9a-f-]{36}: completed, schedule trigger/m);
    expect(result.stdout).toContain('Ready in');
    expect(result.stdout).toContain(`embedded in ${embeddedPostgresHome(path.join(clone, '.data'))}`);
    await expectNothingLeft();
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: clone, encoding: 'utf8' })).toBe('');
  });

  it('while `npm run demo` is up, its printed commands work from another process; Ctrl-C stops it cleanly', async () => {
    const demo = start('npm', ['run', 'demo']);
    try {
      while (!demo.output.stdout.includes('Ctrl-C stops everything')) {
        if (demo.child.exitCode !== null) throw new Error(`the demo stopped: ${demo.output.stderr}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      // Exactly as printed (whereToLook in dev/demo/main.ts).
      expect(demo.output.stdout).toContain('npx lucca-sync sync run demo-happypal --wait');
      const runId = /^Run ([0-9a-f-]{36}):/m.exec(demo.output.stdout)?.[1] ?? 'missing';
      const [test, ...others] = await Promise.all([
        run('npx', ['lucca-sync', 'connection', 'test', 'demo-happypal']),
        run('npx', ['lucca-sync', 'connection', 'show', 'demo-happypal']),
        run('npx', ['lucca-sync', 'runs', 'list', 'demo-happypal']),
        run('npx', ['lucca-sync', 'report', 'show', runId]),
        run('.venv/bin/temporal', ['workflow', 'list']),
      ]);
      expect(test.code, test.stderr).toBe(0);
      expect(test.stdout).toContain('The key is usable for the sync.');
      for (const other of others) expect(other.code, other.stderr).toBe(0);
      expect(others[2]?.stdout).toContain(`Run ${runId}: completed`);
      expect(others[3]?.stdout).toContain('sync-demo-happypal-');
      const sync = await run('npx', ['lucca-sync', 'sync', 'run', 'demo-happypal', '--wait']);
      expect(sync.code, sync.stderr + sync.stdout).toBe(0);
    } finally {
      if (demo.child.exitCode === null && demo.child.pid) process.kill(-demo.child.pid, 'SIGINT'); // Ctrl-C in its terminal
    }
    const stopped = await demo.finished;
    // npm itself ends by the signal, as in a terminal; the demo under it stops everything, cleanly.
    if (stopped.signal) expect(stopped.signal).toBe('SIGINT');
    else expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stderr).toBe('');
    expect(stopped.stdout).toContain('Stopping…\nStopped: the worker, the simulators, Temporal and PostgreSQL are down.');
    await expectNothingLeft();
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: clone, encoding: 'utf8' })).toBe('');
  });
});

describe('a start-up failure is one line with the cause and the fix, and leaves nothing running', () => {
  // The cases run side by side (one start-up each, nothing shared between them) to keep the file short.
  it('the Temporal port taken by another program; an unreachable DATABASE_URL (demo, worker, CLI); a missing Temporal binary', async () => {
    const [, grpc] = ports;
    const squatter: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => squatter.listen(grpc, '127.0.0.1', resolve));
    const url = `postgres://postgres:secret-pw@127.0.0.1:${await freePort()}/nowhere`;
    // Each demo opens its codec endpoint first: one port each, so the cases never meet.
    const codecPorts = [await freePort(), await freePort()];
    ports.push(...codecPorts);
    const unreachable = /DATABASE_URL \(127\.0\.0\.1:\d+\/nowhere\) is not reachable \(ECONNREFUSED\): start that PostgreSQL or fix DATABASE_URL/;
    try {
      const [portTaken, demo, worker, cli, noTemporal] = await Promise.all([
        // The embedded PostgreSQL has started by the time the port is found taken: it must be stopped again.
        run('npm', ['run', 'demo', '--', '--once']),
        run('npm', ['run', 'demo', '--', '--once'], { DATABASE_URL: url, CODEC_PORT: String(codecPorts[0]) }),
        run('npm', ['run', 'worker'], { DATABASE_URL: url }),
        run('npx', ['lucca-sync', 'runs', 'list', 'demo-happypal'], { DATABASE_URL: url }),
        run('npm', ['run', 'demo', '--', '--once'], { TEMPORAL_CLI_PATH: path.join(folder, 'no-such-temporal'), CODEC_PORT: String(codecPorts[1]) }),
      ]);
      expectOneLineError(portTaken, new RegExp(`port ${grpc} \\(TEMPORAL_ADDRESS .*\\) is in use .*: stop it, or set TEMPORAL_ADDRESS`));
      expectOneLineError(demo, unreachable);
      expectOneLineError(worker, unreachable);
      expectOneLineError(cli, /PostgreSQL is not reachable \(ECONNREFUSED\)/);
      for (const result of [demo, worker, cli]) expect(result.stderr).not.toContain('secret-pw');
      expectOneLineError(noTemporal, /TEMPORAL_CLI_PATH is set to ".*no-such-temporal", which is not an executable file: point it to/);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
    await expectNothingLeft();
  });
});
