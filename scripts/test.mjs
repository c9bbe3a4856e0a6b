#!/usr/bin/env node
// `npm test` after the set-up: type-checking, linting and vitest at the same time (the integration
// tests mostly wait on servers, so the checkers' CPU time costs little wall time there), each one's
// result kept. The checkers' output is printed at the end, so that it does not cut into vitest's.
// Exits non-zero when any of them fails. Arguments go to vitest.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

const finished = (child) => new Promise((resolve) => child.once('close', (code, signal) => resolve(code ?? (signal ? 1 : 0))));

/** A checker run beside vitest: its output kept for the end, with its wall time. */
function check(name, command, args, passed) {
  const started = Date.now();
  const child = spawn(bin(command), args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const result = finished(child).then((code) => ({ name, code, output, passed, seconds: (Date.now() - started) / 1000 }));
  return { child, result };
}

// `npm run lint` as package.json writes it (one command, one cache), without npm's start-up time.
const [linter, ...lintArgs] = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).scripts.lint.split(' ');
const checks = [
  check('tsc --noEmit', 'tsc', ['--noEmit'], 'no type errors'),
  check('eslint', linter, lintArgs, 'no problems'),
];
const vitest = spawn(bin('vitest'), ['run', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
// Ctrl-C reaches every child through the terminal; a SIGTERM sent to this process is passed on.
process.once('SIGTERM', () => {
  for (const { child } of checks) child.kill('SIGTERM');
  vitest.kill('SIGTERM');
});

const [vitestCode, ...results] = await Promise.all([finished(vitest), ...checks.map((c) => c.result)]);
let code = vitestCode;
for (const r of results) {
  if (r.code !== 0) {
    process.stderr.write(`\n${r.name} failed (${r.seconds.toFixed(1)} s):\n${r.output}`);
    if (code === 0) code = r.code;
  } else process.stdout.write(`${r.name}: ${r.passed} (${r.seconds.toFixed(1)} s).\n`);
}
process.exit(code);
