import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { isTargetName, TARGETS } from './targets/registry.js';

/**
 * A failure with a stable code. `retryable` is the one source of truth for retries: false stops
 * Temporal's retries at once (ApplicationFailure nonRetryable), whatever the code. `retryAfterMs`
 * becomes the next retry delay (Retry-After); `httpStatus` is the status that caused it, when an
 * answer did (a 5xx). `maxAttempts` bounds the retries of an error no backoff is likely to fix (an
 * HTML page instead of JSON): from that attempt of the activity on (Temporal's attempt number, which
 * counts every failed attempt of the activity, whatever its cause) it is no longer retried. Other
 * retryable errors retry until the run's deadline (workflows/policies.ts). Messages never carry
 * personal data or secrets.
 */
export class SyncError extends Error {
  override name = 'SyncError';
  constructor(
    public readonly code: string,
    message: string,
    public readonly retryable: boolean,
    public readonly retryAfterMs?: number,
    public readonly httpStatus?: number,
    public readonly maxAttempts?: number,
  ) {
    super(message);
  }
}

/** The activity's attempt number (1 for the first), or undefined outside an activity. */
function currentAttempt(): number | undefined {
  try {
    return Context.current().info.attempt;
  } catch {
    return undefined;
  }
}

/** Whether Temporal may run the activity again after this error on `attempt`. */
export function willRetry(err: SyncError, attempt: number | undefined): boolean {
  return err.retryable && (err.maxAttempts === undefined || (attempt ?? 1) < err.maxAttempts);
}

/**
 * The service an error code is about (`happypal_unavailable`: HappyPal), as people write it; none for
 * codes of no service. Sent in the failure's details, so the workflow can name it without a list of its own.
 */
export function serviceOf(code: string): string | undefined {
  const prefix = code.split('_')[0] ?? '';
  if (prefix === 'lucca') return 'Lucca';
  return isTargetName(prefix) ? TARGETS[prefix].label : undefined;
}

/** What a failure's details hold (its first detail): read by workflows/run-activities.ts. */
export interface FailureDetail {
  service: string;
}

/** The one place where our errors become Temporal failures. */
export function toApplicationFailure(err: unknown, attempt = currentAttempt()): unknown {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof SyncError) {
    const retry = willRetry(err, attempt);
    const spent = err.retryable && !retry;
    const service = serviceOf(err.code);
    return ApplicationFailure.create({
      type: err.code,
      message: spent ? `${err.message} (Gave up after ${attempt} attempts.)` : err.message,
      nonRetryable: !retry,
      ...(service && { details: [{ service } satisfies FailureDetail] }),
      ...(retry && err.retryAfterMs !== undefined && { nextRetryDelay: err.retryAfterMs }),
    });
  }
  return err;
}

/** What the run's row shows while an activity of it retries (`retrying: …`), and when one recovers. */
export interface FailureHooks {
  retrying(runId: string, message: string): Promise<void>;
  recovered(runId: string): Promise<void>;
}

/** The run an activity works for, from its input (`{ runId }`); beginRun has none yet. */
function runIdOf(args: readonly unknown[]): string | undefined {
  const input = args[0];
  if (input && typeof input === 'object' && 'runId' in input && typeof input.runId === 'string') return input.runId;
  return undefined;
}

/** Our own messages carry no personal data; anything else (a driver's error) may quote a value. */
function retryNote(err: unknown): string {
  return err instanceof SyncError ? err.message : `an internal error (${err instanceof Error ? err.name : 'unknown'}); see the worker log`;
}

/**
 * Wraps every activity so a SyncError thrown anywhere below reaches Temporal with its type and retry
 * rule, and, with hooks, so the run's row says why it is retrying (and stops saying so once it recovered).
 */
export function withFailureMapping<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T, hooks?: FailureHooks): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args: never[]) => {
      const attempt = currentAttempt();
      const runId = runIdOf(args);
      let result: unknown;
      try {
        result = await fn(...args);
      } catch (err) {
        const failure = toApplicationFailure(err, attempt);
        const retrying = failure instanceof ApplicationFailure ? !failure.nonRetryable : !(failure instanceof CancelledFailure);
        // Best effort: the note never hides the error itself.
        if (hooks && runId && retrying) await hooks.retrying(runId, retryNote(err)).catch(() => undefined);
        throw failure;
      }
      if (hooks && runId && attempt !== undefined && attempt > 1) await hooks.recovered(runId).catch(() => undefined);
      return result;
    };
  }
  return wrapped as T;
}
