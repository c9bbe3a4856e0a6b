import { Context } from '@temporalio/activity';
import type { ActivityInterceptors } from '@temporalio/worker';

/**
 * Heartbeats while an activity waits (for a shared rate budget), without losing its progress.
 *
 * A heartbeat replaces the details the server keeps for the attempt: a heartbeat sent with no
 * details while waiting would wipe the cursor a retried attempt resumes from. So every activity's
 * `heartbeat` is wrapped (once, by the worker's interceptor below) to remember the last details it
 * sent, and `keepActivityAlive()` sends those again. The SDK throttles what reaches the server to
 * one heartbeat per 80 % of the heartbeat timeout, so calling it every few seconds costs nothing.
 */
const lastDetails = new WeakMap<Context, { details: unknown }>();

/** The worker's activity interceptor (workers/create-worker.ts): remembers each attempt's heartbeat details. */
export function rememberHeartbeats(ctx: Context): ActivityInterceptors {
  const send = ctx.heartbeat;
  // Until this attempt heartbeats, the details on record are the previous attempt's: keep sending them.
  lastDetails.set(ctx, { details: ctx.info.heartbeatDetails });
  Object.defineProperty(ctx, 'heartbeat', {
    value: (details?: unknown) => {
      lastDetails.set(ctx, { details });
      send(details);
    },
    configurable: true,
    writable: true,
  });
  return {};
}

/**
 * Tells Temporal the current activity is alive, with its last details. No-op outside an activity
 * (the plain-script baseline, the CLI) and where the worker did not install `rememberHeartbeats`
 * (a heartbeat there could overwrite progress).
 */
export function keepActivityAlive(): void {
  let ctx: Context;
  try {
    ctx = Context.current();
  } catch {
    return;
  }
  const last = lastDetails.get(ctx);
  if (last) ctx.heartbeat(last.details);
}
