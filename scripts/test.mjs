#!/usr/bin/env node
// `npm test` after the set-up: type-checking and vitest at the same time (the integration tests
// mostly wait on servers, so the type-checker's CPU time costs little wall time there), each one's
// result kept. tsc's output is printed at the end, so that it does not cut into vitest's. Exits
// non-zero when either fails. Arguments go to vitest.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

const finished = (child) => new Promise((resolve) => child.once('close', (code, signal) => resolve(code ?? (signal ? 1 : 0))));

const tsc = spawn(bin('tsc'), ['--noEmit'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
let tscOutput = '';
tsc.stdout.on('data', (chunk) => (tscOutput += chunk));
tsc.stderr.on('data', (chunk) => (tscOutput += chunk));
const vitest = spawn(bin('vitest'), ['run', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
// Ctrl-C reaches both through the terminal; a SIGTERM sent to this process is passed on.
process.once('SIGTERM', () => {
  tsc.kill('SIGTERM');
  vitest.kill('SIGTERM');
});

const [tscCode, vitestCode] = await Promise.all([finished(tsc), finished(vitest)]);
if (tscCode !== 0) process.stderr.write(`\ntsc --noEmit failed:\n${tscOutput}`);
else process.stdout.write('tsc --noEmit: no type errors.\n');
process.exit(tscCode !== 0 ? tscCode : vitestCode);
