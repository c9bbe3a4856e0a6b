import { runCli } from './program.js';

/**
 * Entry point of `lucca-sync` (bin/lucca-sync.mjs, `npm run cli`). Resources are closed by each
 * command; the unref'd timer only makes sure a stray handle can never keep the process alive.
 */
const code = await runCli(process.argv.slice(2));
process.exitCode = code;
setTimeout(() => process.exit(code), 2_000).unref();
