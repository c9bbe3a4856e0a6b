/**
 * Every way of starting a worker process runs it with the same Node flags (workers/node-flags.ts):
 * the Docker image, the npm scripts operators use, and (through the constant) the bench and the
 * tests' worker processes. A heap cap set in one place and forgotten in another is a worker that
 * behaves differently in production than in the figures.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../config/paths.js';
import { WORKER_NODE_FLAGS } from '../../workers/node-flags.js';

const read = (file: string) => readFileSync(path.join(PROJECT_ROOT, file), 'utf8');

/** The node arguments before `workers/main.ts` in a command line, without `--import tsx`. */
function flagsBeforeWorker(args: string[]): string[] {
  const end = args.indexOf('workers/main.ts');
  expect(end, `workers/main.ts in ${args.join(' ')}`).toBeGreaterThan(0);
  const before = args.slice(args.indexOf('node') + 1, end);
  return before.filter((a, i) => a !== '--import' && before[i - 1] !== '--import');
}

describe('worker node flags', () => {
  it('the Docker image starts the worker with them', () => {
    // The last stage is the default target: the worker's.
    const cmd = read('Dockerfile').split('\n').filter((l) => l.startsWith('CMD ')).at(-1);
    expect(flagsBeforeWorker(JSON.parse(cmd?.slice(4) ?? '[]') as string[])).toEqual([...WORKER_NODE_FLAGS]);
  });

  it.each(['worker', 'worker:prod'])('npm run %s starts the worker with them', (script) => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    const command = scripts[script] ?? '';
    expect(flagsBeforeWorker(command.split(/\s+/))).toEqual([...WORKER_NODE_FLAGS]);
  });

  it('the bench and the tests take them from the constant', () => {
    expect(read('dev/bench/infra.ts')).toContain('WORKER_NODE_FLAGS');
    expect(read('test/support/worker-process.ts')).toContain('WORKER_NODE_FLAGS');
  });
});
