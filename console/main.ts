import { parseEnv } from '../config/env.js';
import { createContext } from '../client/context.js';
import { connectClient } from '../client/temporal.js';
import { createLogger } from '../lib/logger.js';
import { startConsole } from './server.js';

/** `npm run console`: the web console and its API, until SIGINT or SIGTERM. */
const env = parseEnv();
const logger = createLogger(env.LOG_LEVEL);
const ctx = await createContext(env);
const console_ = await startConsole({ env, db: ctx.db, cipher: ctx.cipher, client: () => connectClient(env), logger });
logger.info({ url: console_.url }, 'console listening');
process.stdout.write(`Console: ${console_.url} (create an account with: npx lucca-sync users add --email you@example.com --role operator)\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    // A signal handler cannot wait: the process ends in the chain itself, and a failed close is an
    // unhandled rejection, which ends it with the error printed.
    void console_.close().then(() => ctx.close()).then(() => process.exit(0));
  });
}
