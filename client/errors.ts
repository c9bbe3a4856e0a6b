import { DrizzleQueryError } from 'drizzle-orm/errors';
import { ConfigError, debugEnabled } from '../config/env.js';
import { ServiceError } from '../services/errors.js';
import { BinaryNotFoundError, StartupError } from '../lib/startup-error.js';

/**
 * A mistake in what the operator typed (unknown connection, bad time, bad URL…): reported as one
 * `error: …` line on stderr with exit code 2, before anything is written.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Runs `fn`; an error of `kind` (bad input a service refused: its message says what to fix) becomes a UsageError. */
export async function asUsage<T>(kind: abstract new (...args: never[]) => Error, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof kind) throw new UsageError(err.message);
    throw err;
  }
}

/** Collapses a message to one line (multi-line library errors included). */
export function oneLine(message: string): string {
  return message.trim().replace(/\s*\n\s*/g, '; ').replace(/\s+/g, ' ').trim();
}

/** Whether an error means "the local database is not there" (refused, unknown host, timeout). */
function isDatabaseUnreachable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && ['ECONNREFUSED', 'ENOTFOUND', 'CONNECT_TIMEOUT', 'EHOSTUNREACH', '3D000', '28P01'].includes(code);
}

function isAddressInUse(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'EADDRINUSE';
}

/** Maps any thrown value to the exit code and the one line printed for it. Never includes a secret. */
export function describeFailure(err: unknown): { code: number; line: string } {
  if (err instanceof UsageError) return { code: EXIT.usage, line: `error: ${oneLine(err.message)}` };
  // A running sync is a state, not a typing mistake: exit 1, like `sync run` refused for the same reason.
  if (err instanceof ServiceError) return { code: err.kind === 'busy' ? EXIT.failed : EXIT.usage, line: `error: ${oneLine(err.message)}` };
  if (err instanceof ConfigError) {
    return { code: EXIT.usage, line: `error: ${oneLine(err.message.replace(/^Invalid configuration:\s*/, 'invalid configuration: '))}` };
  }
  if (err instanceof StartupError || err instanceof BinaryNotFoundError) return { code: EXIT.failed, line: `error: ${oneLine(err.message)}` };
  if (isAddressInUse(err)) {
    const { port } = err as { port?: number };
    return { code: EXIT.failed, line: `error: port ${port ?? '(unknown)'} is already in use: stop what uses it, or choose another port (see .env.example).` };
  }
  if (isDatabaseUnreachable(err)) {
    const code = (err as { code: string }).code;
    return {
      code: EXIT.failed,
      line: `error: PostgreSQL is not reachable (${code}): start the local stack (npm run demo) or set DATABASE_URL.`,
    };
  }
  // A query the database refused: its reason, never the SQL text (which names tables and parameters).
  if (err instanceof DrizzleQueryError) {
    const reason = err.cause instanceof Error ? err.cause.message : 'unknown reason';
    return { code: EXIT.failed, line: `error: the database refused the request (${oneLine(reason)}).` };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: EXIT.failed, line: `error: ${oneLine(message) || 'unexpected failure'}` };
}

/**
 * How every entry point (demo, worker, CLI, test setup) reports a failure: the one line of
 * describeFailure on stderr (`prefix` says what could not be done), the stack trace only when DEBUG
 * is set. Returns the exit code.
 */
export function reportFailure(err: unknown, prefix = ''): number {
  const { code, line } = describeFailure(err);
  process.stderr.write(`${line.replace(/^error: /, `error: ${prefix}`)}\n`);
  if (debugEnabled() && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  return code;
}
