import { parseEnv, type Env } from '../config/env.js';
import { findConnectionByName, type Connection } from '../db/queries/connections.js';
import { cliActor } from '../services/audit.js';
import type { ServiceContext } from '../services/connections.js';
import { createContext, type CliContext } from './context.js';
import { UsageError } from './errors.js';

/**
 * Runs one command with a fresh context and always closes it (pool and Temporal connection), so the
 * process exits promptly. A returned number becomes the exit code.
 */
export async function withContext(fn: (ctx: CliContext) => Promise<number | void>, env: Env = parseEnv()): Promise<void> {
  const ctx = await createContext(env);
  try {
    const code = await fn(ctx);
    if (typeof code === 'number' && code !== 0) process.exitCode = code;
  } finally {
    await ctx.close();
  }
}

export async function requireConnection(ctx: CliContext, name: string): Promise<Connection> {
  const connection = await findConnectionByName(ctx.db, name);
  if (!connection) throw new UsageError(`unknown connection "${name}": run \`lucca-sync connection list\` to see the connections.`);
  return connection;
}

/** The key, masked; or why it cannot be shown (never the key itself). */
export function maskedKey(ctx: CliContext, stored: string, mask: (s: string) => string): string {
  try {
    return mask(ctx.cipher.decrypt(stored));
  } catch {
    return '(encrypted with another CREDENTIALS_KEY)';
  }
}

/** The CLI as a caller of the shared services (services/*): its context, acting as the OS user. */
export function asService(ctx: CliContext): ServiceContext {
  return { db: ctx.db, cipher: ctx.cipher, client: ctx.client, env: ctx.env, actor: cliActor() };
}

/**
 * A command's action that runs with a fresh context (withContext): `.action(inContext(async (ctx, name, options) => …))`.
 * The context comes first, then what commander passes (the arguments, then the options).
 */
export function inContext<A extends unknown[]>(fn: (ctx: CliContext, ...args: A) => Promise<number | void>): (...args: A) => Promise<void> {
  return (...args) => withContext((ctx) => fn(ctx, ...args));
}
