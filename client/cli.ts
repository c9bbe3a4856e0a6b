import { runCli } from './program.js';

/**
 * A reader that stops early (`lucca-sync connection list | head -1`, `| true`) closes the pipe: the
 * rest of the output has nowhere to go, which is not a failure. Exit quietly with the code so far.
 */
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  });
}

/**
 * Entry point of `lucca-sync` (bin/lucca-sync.mjs, `npm run cli`). Resources are closed by each
 * command; the unref'd timer only makes sure a stray handle can never keep the process alive.
 */
const code = await runCli(process.argv.slice(2));
process.exitCode = code;
setTimeout(() => process.exit(code), 2_000).unref();
