import type { Duration } from '@temporalio/common';
import type { ActivityOptions } from '@temporalio/workflow';

/**
 * Retries and their end. Which errors are retried is the error's own business: an activity throws
 * an ApplicationFailure marked nonRetryable (activities/errors.ts, from SyncError.retryable), so
 * there is no list of codes here. How long they are retried is the run's: every activity of a run
 * stops retrying at the run's deadline (scheduleToCloseTimeout), so a run always ends before its
 * connection's next scheduled slot and the schedule (overlap SKIP) never skips it.
 */

const HOUR = 60 * 60 * 1000;

/**
 * How long a run may last, retries included, by cadence. A scheduled run may start up to the
 * catch-up window (one hour, client/schedules.ts) after its slot, so the next slot can be as close as
 * cadence − 1 h; the budget leaves half an hour more for the last attempt and the failure report:
 * - every 4 hours: 2 h 30 min (next slot ≥ 3 h away);
 * - daily: 12 h, well before the next slot (≥ 23 h away), long enough to outlast a Lucca
 *   maintenance window of a few hours, short enough for the failure to be seen the same working day.
 * Runs started by hand, and schedules created before budgets existed, get the shortest one, which
 * suits every cadence.
 */
export const RUN_BUDGET_MS = { daily: 12 * HOUR, 'every-4h': 2.5 * HOUR } as const;
export const DEFAULT_RUN_BUDGET_MS = RUN_BUDGET_MS['every-4h'];

/** Temporal needs a positive timeout: an activity scheduled at the deadline gets a second, then the run fails. */
const AT_DEADLINE_MS = 1000;

/** Backoff between attempts; tests shorten it through SyncOptions. */
export interface RetryTiming {
  initialIntervalMs?: number;
  maximumIntervalMs?: number;
}

export interface RunPolicies {
  /** Reads from Lucca or the target: paced by the rate limiter, resumed from the heartbeat cursor. */
  read: ActivityOptions;
  /** A read step and, when it ends the read, the plan (stageDataset): planning's timeouts. */
  stage: ActivityOptions;
  /** Planning and writing: idempotent, resumable, heartbeating. */
  work: ActivityOptions;
  /** Short bookkeeping in Postgres. */
  book: ActivityOptions;
}

/**
 * Task queue priority (Temporal's priorityKey, 1 runs first; unset is the default, 3), for the herd:
 * when hundreds of schedules fire in the same minute, every run begins (its row says `running`, its
 * lock is taken) and closes before other tasks waiting in the queue. Only bookkeeping has a key; the
 * other steps keep first come, first served (keying writes before reads showed no measurable gain,
 * dev/bench/FLEET.md).
 */
export const PRIORITY = { book: 1 } as const;

/**
 * The activity options for an activity scheduled at `now` in a run ending at `deadline` (epoch ms).
 * Options are not part of a workflow's replay checks, so they may change from one call to the next.
 */
export function runPolicies(deadline: number, now: number, timing: RetryTiming = {}): RunPolicies {
  const scheduleToCloseTimeout: Duration = Math.max(deadline - now, AT_DEADLINE_MS);
  const backoff = (initial: number, max: number) => ({
    initialInterval: timing.initialIntervalMs ?? initial,
    maximumInterval: timing.maximumIntervalMs ?? max,
    backoffCoefficient: 2,
  });
  const work = { startToCloseTimeout: '30 minutes', heartbeatTimeout: '20 seconds', scheduleToCloseTimeout, retry: backoff(1000, 60_000) } as const;
  return {
    read: { startToCloseTimeout: '15 minutes', heartbeatTimeout: '20 seconds', scheduleToCloseTimeout, retry: backoff(1000, 60_000) },
    stage: work,
    work,
    book: { startToCloseTimeout: '1 minute', scheduleToCloseTimeout, retry: backoff(500, 30_000), priority: { priorityKey: PRIORITY.book } },
  };
}

/**
 * Recording a failed run, after the deadline: its own short budget (Postgres is retried for a
 * quarter of an hour), so the failure path ends too.
 */
export const FAILURE_BOOKKEEPING: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '15 minutes',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' },
};

/** `Last error: Lucca answered 500.` (a retry note's "will retry" dropped: it no longer will). */
export function lastErrorSentence(message: string): string {
  return `Last error: ${message.replace(/;? ?will retry(?: with backoff)?\.?$/, '.')}`;
}
