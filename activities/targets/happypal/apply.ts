import { Context } from '@temporalio/activity';
import {
  commitWrittenRecords, countWriteTries, plannedLines, type PlannedLineRow, type RefusedLine, type WrittenRecord,
} from '../../../db/queries/writes.js';
import { setRunPhase } from '../../../db/queries/runs.js';
import type { Deps } from '../../deps.js';
import { loadRunContext, type RunContext } from './context.js';
import { SyncError } from '../../errors.js';
import { exhaustedVerdict, runWritePipeline, throttled } from '../../write-pipeline/index.js';
import { EMPLOYEES } from './plan.js';
import { PlannedWriteSchema } from './plan-model.js';
import { writePlannedLine } from './write-planned-line.js';

/** HappyPal writes in flight at once (the bench baseline writes with the same). */
export const CONCURRENCY = 16;
/** Lines committed together: at least COMMIT_MIN (or what waited COMMIT_MAX_WAIT_MS), at most COMMIT_BATCH. */
const COMMIT_MIN = 200;
const COMMIT_MAX_WAIT_MS = 200;
export const COMMIT_BATCH = 1000;
/** Heartbeats are throttled here too: each one is encoded (and encrypted) by the SDK before core throttles it. */
const HEARTBEAT_EVERY_MS = 1000;
/**
 * Transient write faults (5xx, timeouts, resets, a response lost after HappyPal committed) are
 * handled inside the attempt instead of failing it: Temporal's backoff (1 s, 2 s, 4 s… up to a
 * minute) is for an outage, not for one write in twenty. A line that failed is sent again later in
 * the same attempt, at most SENDS_PER_ATTEMPT times in all, each re-send at least
 * RESEND_DELAY_MS × (sends so far) after its failure (this only waits at the tail of the queue);
 * then it is left `planned` for the next call, which takes it first. Re-sends carry the same
 * idempotency key, so a write that HappyPal committed is answered with its first result.
 */
const SENDS_PER_ATTEMPT = 3;
const RESEND_DELAY_MS = 250;
/**
 * HappyPal is taken as down after OUTAGE_AFTER transient failures in a row (in completion order)
 * with no write answered in between: the attempt takes no new line, so an outage costs about two
 * rounds of in-flight requests, not one per line. At a steady 20 % fault rate, 16 failures in a row
 * happen with probability 0.2^16 ≈ 7e-12.
 */
const OUTAGE_AFTER = CONCURRENCY;
/**
 * A record on which HappyPal keeps failing (a HappyPal bug answering 500 for that one profile) must
 * not hold its run forever. A write call that leaves a line planned after it failed all its
 * SENDS_PER_ATTEMPT sends, while HappyPal was up, counts one try on the line (report_lines.write_tries);
 * at MAX_WRITE_CALLS tries the line is reported failed (action `error`) and the run goes on. Nothing
 * was committed for it, so the next run plans it again. See exhaustedVerdict for "HappyPal was up".
 */
export const MAX_WRITE_CALLS = 5;

/** What HappyPal answered for one line: written (its profile's id) or refused. */
type Answer = { written: WrittenRecord } | { refused: RefusedLine };

/** What a transient error was, with no personal data: a status, or the kind of network fault. */
export function transientCause(err: unknown): string {
  if (!(err instanceof SyncError)) return 'unexpected error';
  if (err.httpStatus !== undefined) return `HTTP ${err.httpStatus}`;
  if (err.code.endsWith('_unreachable')) return 'no answer';
  if (err.code.endsWith('_body_lost')) return 'answer cut off';
  if (err.code.endsWith('_bad_json') || err.code.endsWith('_bad_response')) return 'unreadable answer';
  return err.code;
}

/** The report's error for a line failed after MAX_WRITE_CALLS tries; `lastError` is its last send's error. */
export function exhaustedMessage(lastError: unknown): string {
  return `HappyPal failed on every try (${transientCause(lastError)}, ${MAX_WRITE_CALLS * SENDS_PER_ATTEMPT} sends over ` +
    `${MAX_WRITE_CALLS} write calls); the record is tried again on the next run.`;
}

/** HappyPal's calls for one planned line: written, or refused (422/409); a transient fault throws. */
async function writeLine(run: RunContext, line: PlannedLineRow): Promise<Answer> {
  const plan = PlannedWriteSchema.parse(line.plan);
  const result = await writePlannedLine(run.happypal, { connectionId: run.connection.id, runId: run.run.id }, line, plan);
  if ('targetId' in result) return { written: { seq: line.seq, sourceId: line.sourceId, targetId: result.targetId, commit: plan.commit } };
  return { refused: { seq: line.seq, action: line.action, also: line.also, message: result.message } };
}

/** HappyPal answers a read: it is up (used only when no write of the attempt was answered). */
async function happyPalAnswers(run: RunContext): Promise<boolean> {
  try {
    await run.happypal.listUsers(1, 1);
    return true;
  } catch {
    return false;
  }
}

export function applyActivities(deps: Deps) {
  const { db } = deps.db;
  return {
    /**
     * Applies up to `maxLines` planned lines in order, CONCURRENCY at a time (activities/write-pipeline).
     * A line is marked applied in the same transaction as its link and snapshot (lines are committed
     * in groups, commitWrittenRecords), so a retried attempt (or a new worker after a crash) skips it;
     * a write repeated after a crash carries the same idempotency key, so the target answers with the
     * first result instead of creating a second profile.
     *
     * Transient write faults do not fail the attempt (see SENDS_PER_ATTEMPT, OUTAGE_AFTER): lines
     * still planned at the end make it return `done: false` when this attempt committed anything,
     * so the workflow calls again at once and those lines go first; an attempt that committed
     * nothing throws the last transient error, so Temporal's backoff applies (an outage, never a
     * loop of empty calls). A line that fails every send of MAX_WRITE_CALLS calls while HappyPal is
     * up is failed instead (see MAX_WRITE_CALLS): that is progress, so the run goes on.
     */
    async applyChanges(input: { runId: string; maxLines: number }): Promise<{ done: boolean; counts: Record<string, number> }> {
      const ctx = Context.current();
      const run = await loadRunContext(deps, input.runId);
      await setRunPhase(db, input.runId, 'write');
      const lines = await plannedLines(db, input.runId, { limit: input.maxLines });
      const counts = { written: 0, rejected: 0, failed: 0 };
      const scope = { connectionId: run.connection.id, dataset: EMPLOYEES, runId: run.run.id };
      const outcome = await runWritePipeline<PlannedLineRow, Answer>({
        lines,
        key: (line) => line.seq,
        write: (line) => writeLine(run, line),
        concurrency: CONCURRENCY,
        sendsPerAttempt: SENDS_PER_ATTEMPT,
        resendDelayMs: RESEND_DELAY_MS,
        outageAfter: OUTAGE_AFTER,
        commit: {
          min: COMMIT_MIN,
          maxWaitMs: COMMIT_MAX_WAIT_MS,
          batch: COMMIT_BATCH,
          run: async (answers) => {
            const written = answers.flatMap((a) => ('written' in a ? [a.written] : []));
            const refused = answers.flatMap((a) => ('refused' in a ? [a.refused] : []));
            await commitWrittenRecords(deps.db.sql, scope, written, refused);
            counts.written += written.length;
            counts.rejected += refused.length;
          },
        },
        signal: ctx.cancellationSignal,
        heartbeat: throttled(HEARTBEAT_EVERY_MS, () => ctx.heartbeat({ written: counts.written })),
      });
      const { faults, resends } = outcome;
      if (outcome.failure !== undefined) throw outcome.failure;
      if (ctx.cancellationSignal.aborted) await ctx.cancelled;
      // Lines that failed all their sends: one try each if HappyPal was up (never in an outage).
      let verdict = exhaustedVerdict({
        answered: counts.written + counts.rejected, exhausted: resends.exhausted, failing: [...resends.failing.values()].map((f) => f.line),
      });
      if (verdict === 'probe') verdict = outcome.pause === undefined && (await happyPalAnswers(run)) ? 'count' : 'none';
      if (verdict === 'count') {
        const tried = resends.exhausted.map((l) => ({ seq: l.seq, message: exhaustedMessage(resends.lastError(l)) }));
        counts.failed = await countWriteTries(deps.db.sql, run.run.id, tried, MAX_WRITE_CALLS);
      }
      if (outcome.pause !== undefined) throw outcome.pause;
      const leftPlanned = lines.length - counts.written - counts.rejected - counts.failed;
      if (leftPlanned === 0) return { done: lines.length < input.maxLines, counts };
      deps.logger.warn({
        runId: input.runId, leftPlanned, transientFailures: faults.count, outage: faults.outage,
        code: faults.last instanceof SyncError ? faults.last.code : 'unknown',
        exhausted: resends.exhausted.length, triesCounted: verdict === 'count', failedAfterTries: counts.failed,
      }, 'writes left planned after transient target errors');
      // No progress at all: HappyPal is down (or a line keeps failing, not yet MAX_WRITE_CALLS times); Temporal's backoff applies.
      if (counts.written + counts.rejected + counts.failed === 0) throw faults.last ?? new Error('Planned lines were left unwritten.');
      return { done: false, counts };
    },
  };
}
