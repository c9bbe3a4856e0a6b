import { RetryState } from '@temporalio/common';
import { ActivityFailure, ApplicationFailure, proxyActivities, TemporalFailure, TimeoutFailure, workflowInfo } from '@temporalio/workflow';
import type { FailureDetail } from '../activities/errors.js';
import type { Activities } from '../activities/index.js';
import type { SyncOptions } from './contracts.js';
import { DEFAULT_RUN_BUDGET_MS, FAILURE_BOOKKEEPING, lastErrorSentence, runPolicies } from './policies.js';

/** The run's deadline (epoch ms): the start of its first execution (continue-as-new keeps it) plus its budget. */
export function runDeadline(budgetMs: number | undefined): number {
  return workflowInfo().startTime.getTime() + (budgetMs ?? DEFAULT_RUN_BUDGET_MS);
}

/** Activity stubs whose retries end at the run's deadline; made for each call, as the time left shrinks. */
export function activitiesUntil(deadline: number, options: SyncOptions = {}) {
  const p = runPolicies(deadline, Date.now(), {
    initialIntervalMs: options.retryInitialIntervalMs, maximumIntervalMs: options.retryMaximumIntervalMs,
  });
  return {
    read: proxyActivities<Activities>(p.read), stage: proxyActivities<Activities>(p.stage), work: proxyActivities<Activities>(p.work),
    book: proxyActivities<Activities>(p.book),
  };
}

/** Adds an activity's counts to a run's (or a dataset's) running totals. */
export function addCounts(totals: Record<string, number>, counts: Record<string, number>): void {
  for (const [key, n] of Object.entries(counts)) totals[key] = (totals[key] ?? 0) + n;
}

/**
 * Called after each activity: once the server suggests it, or after `maxActivities` activities,
 * `continueWith` continues the workflow as new (with its cursor), so its history stays small.
 */
export function checkpointEvery(maxActivities: number, continueWith: () => Promise<never>): () => Promise<void> {
  let activities = 0;
  return async () => {
    activities += 1;
    if (workflowInfo().continueAsNewSuggested || activities >= maxActivities) await continueWith();
  };
}

/** Recording a run's failure, after its deadline too. */
export const failureBook = proxyActivities<Activities>(FAILURE_BOOKKEEPING);

/** The ApplicationFailure at the bottom of a failure chain (an activity's own error), if any. */
export function rootApplicationFailure(err: unknown): ApplicationFailure | undefined {
  let found: ApplicationFailure | undefined;
  for (let current: unknown = err; current instanceof Error; current = (current as Error).cause) {
    if (current instanceof ApplicationFailure) found = current;
    if (!(current instanceof TemporalFailure)) break;
  }
  return found;
}

/** Whether an activity in the chain stopped because the run's time budget ran out (schedule-to-close). */
function budgetSpent(err: unknown): boolean {
  for (let current: unknown = err; current instanceof Error; current = (current as Error).cause) {
    if (current instanceof ActivityFailure && current.retryState === RetryState.TIMEOUT) return true;
    if (current instanceof TimeoutFailure) return true;
    if (!(current instanceof TemporalFailure)) break;
  }
  return false;
}

/** The service the failure is about, as the activity named it (activities/errors.ts serviceOf; none in older histories). */
function serviceOf(cause: ApplicationFailure | undefined): string | undefined {
  const detail: unknown = cause?.details?.[0];
  if (typeof detail !== 'object' || detail === null) return undefined;
  const service = (detail as Partial<FailureDetail>).service;
  return typeof service === 'string' ? service : undefined;
}

function duration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return `${Math.max(1, Math.round(ms / 1000))} s`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h === 0 ? `${m} min` : m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/**
 * A failure told plainly, with what to do. An activity out of time (the run's budget spent on
 * retries of a transient fault) says so, gives the last error and tells that the next run picks up.
 */
export function failureMessage(err: unknown, budgetMs: number | undefined): string {
  const cause = rootApplicationFailure(err);
  if (budgetSpent(err)) {
    // The server's timeout rarely carries the last attempt's error: finishRun adds it from the run's `retrying:` note.
    const service = serviceOf(cause);
    return `Gave up: the run's time budget (${duration(budgetMs ?? DEFAULT_RUN_BUDGET_MS)}) ran out while retrying. ` +
      'Nothing read is lost, and the next scheduled run starts as usual. If this repeats, check that ' +
      `${service ? `${service} is` : 'Lucca and the target are'} up (status page) and reachable from the workers, ` +
      'then start a run by hand with `lucca-sync sync run <connection>`.' +
      (cause ? ` ${lastErrorSentence(cause.message)}` : '');
  }
  if (cause) return cause.message;
  return err instanceof Error ? err.message : 'The sync failed.';
}

export function failureType(err: unknown): string {
  if (budgetSpent(err)) return 'run_budget_spent';
  return rootApplicationFailure(err)?.type ?? 'sync_failed';
}
