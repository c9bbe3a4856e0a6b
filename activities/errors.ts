import { ApplicationFailure } from '@temporalio/common';

/**
 * A failure with a stable code. `retryable: false` stops Temporal's retries; `retryAfterMs`
 * becomes the next retry delay (Retry-After); `httpStatus` is the status that caused it, when an
 * answer did (a 5xx). Messages never carry personal data or secrets.
 */
export class SyncError extends Error {
  override name = 'SyncError';
  constructor(
    public readonly code: string,
    message: string,
    public readonly retryable: boolean,
    public readonly retryAfterMs?: number,
    public readonly httpStatus?: number,
  ) {
    super(message);
  }
}

/** The one place where our errors become Temporal failures. */
export function toApplicationFailure(err: unknown): unknown {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof SyncError) {
    return ApplicationFailure.create({
      type: err.code,
      message: err.message,
      nonRetryable: !err.retryable,
      ...(err.retryAfterMs !== undefined && { nextRetryDelay: err.retryAfterMs }),
    });
  }
  return err;
}

/** Wraps every activity so a SyncError thrown anywhere below reaches Temporal with its type and retry rule. */
export function withFailureMapping<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        throw toApplicationFailure(err);
      }
    };
  }
  return wrapped as T;
}
