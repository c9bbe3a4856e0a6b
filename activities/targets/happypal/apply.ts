import { setTimeout as delay } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import { and, asc, eq } from 'drizzle-orm';
import { plannedOnly, reportLines, syncRuns } from '../../../db/schema.js';
import type { RecordRejection } from './client.js';
import type { Deps } from '../../deps.js';
import { loadRunContext, type RunContext } from './context.js';
import { SyncError } from '../../errors.js';
import { EMPLOYEES } from './plan.js';
import { PlannedWriteSchema, type PlannedWrite } from './plan-model.js';
import { writePlannedLine } from './write-planned-line.js';

const CONCURRENCY = 16;
/** Lines committed together: at least COMMIT_MIN (or what waited COMMIT_MAX_WAIT_MS), at most COMMIT_BATCH. */
const COMMIT_MIN = 200;
const COMMIT_MAX_WAIT_MS = 200;
const COMMIT_BATCH = 1000;
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
/** The columns of a planned report line that the write phase reads. */
type Line = Pick<typeof reportLines.$inferSelect, 'seq' | 'sourceId' | 'targetId' | 'action' | 'also' | 'plan' | 'writeTries'>;
interface Written { line: Line; plan: PlannedWrite; targetId: string }
interface Rejected { line: Line; rejection: RecordRejection }

/**
 * What an exception from one line's write means for the attempt:
 * - `resend`: a transient fault (a retryable SyncError without Retry-After): the line is sent again
 *   or left planned; the attempt goes on with other lines.
 * - `pause`: HappyPal asked us to slow down (429): no new line; the attempt commits and throws, so
 *   Temporal's next retry waits what Retry-After says (SyncError.retryAfterMs → nextRetryDelay).
 * - `stop`: anything else (a refused key, a bug, a database error): no new line, commit, throw;
 *   Temporal retries it or not as the error itself says (SyncError.retryable, activities/errors.ts).
 */
export type WriteFault = 'resend' | 'pause' | 'stop';

export function classifyWriteError(err: unknown): WriteFault {
  if (!(err instanceof SyncError) || !err.retryable) return 'stop';
  return err.retryAfterMs === undefined ? 'resend' : 'pause';
}

/** A line with a transient failure in this attempt. */
export interface FailingLine {
  seq: number;
  /** Tries counted by earlier write calls. */
  writeTries: number;
}

/**
 * Whether the lines that failed all their sends in this attempt count one try each:
 * - `count`: HappyPal answered other writes in this attempt (written or refused): it is up, and
 *   only these records fail.
 * - `probe`: no write was answered, but every line that failed in this attempt had already failed
 *   all its sends in an earlier call while HappyPal was up (write_tries > 0): count them if HappyPal
 *   answers a read now. This is the end of a run, where such lines are the only ones left and no
 *   other write can show that HappyPal is up; without it they would be retried with backoff forever.
 *   A line never counted (a fresh line failing too) means HappyPal may be down: no probe.
 * - `none`: nothing to count, or HappyPal looks down (an outage): Temporal's backoff applies and no
 *   try is counted, so an outage never fails a line. Lines not sent, or stopped with sends left
 *   (an outage stop), are never counted.
 */
export function exhaustedVerdict(attempt: {
  /** Lines written or refused by HappyPal in this attempt. */
  answered: number;
  /** Lines that failed all their SENDS_PER_ATTEMPT sends in this attempt. */
  exhausted: readonly FailingLine[];
  /** Every line with a transient failure in this attempt that is still planned (the exhausted ones too). */
  failing: readonly FailingLine[];
}): 'count' | 'probe' | 'none' {
  if (attempt.exhausted.length === 0) return 'none';
  if (attempt.answered > 0) return 'count';
  return attempt.failing.every((l) => l.writeTries > 0) ? 'probe' : 'none';
}

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

/** The transient write failures of one attempt: the last one, and whether HappyPal looks down. */
class TransientFaults {
  count = 0;
  last: unknown;
  private inARow = 0;
  /** HappyPal answered a write (written or refused): it is up. */
  answered(): void {
    this.inARow = 0;
  }
  failed(err: unknown): void {
    this.count += 1;
    this.inARow += 1;
    this.last = err;
  }
  get outage(): boolean {
    return this.inARow >= OUTAGE_AFTER;
  }
}

export function applyActivities(deps: Deps) {
  const { db } = deps.db;

  /**
   * The database commit of a batch of lines: links, snapshots (the new base), conflicts and the
   * lines' outcomes, in ONE transaction, so a line is marked applied only together with its link
   * and snapshot. Multi-row statements whose rows travel as one JSON parameter: a batch of 500 lines
   * costs a handful of round trips instead of five per line.
   */
  async function commitBatch(ctx: RunContext, done: Written[], rejected: Rejected[]): Promise<void> {
    if (done.length === 0 && rejected.length === 0) return;
    const connectionId = ctx.connection.id;
    const runId = ctx.run.id;
    const json = (rows: unknown[]) => JSON.stringify(rows);
    const links = done.filter((w) => w.plan.commit.link).map((w) => ({ s: w.line.sourceId, t: w.targetId }));
    const snaps = done.filter((w) => w.plan.commit.snapshot)
      .map((w) => ({ s: w.line.sourceId, f: w.plan.commit.snapshot, k: w.plan.commit.kept, st: w.plan.commit.status }));
    const statusOnly = done.filter((w) => !w.plan.commit.snapshot && w.plan.commit.status)
      .map((w) => ({ s: w.line.sourceId, st: w.plan.commit.status }));
    const opened = done.flatMap((w) => w.plan.commit.openConflicts.map((f) => ({
      s: w.line.sourceId, t: w.targetId, field: f.field, b: f.base, src: f.source, tgt: f.target,
    })));
    const closed = done.flatMap((w) => w.plan.commit.closeConflicts.map((field) => ({ s: w.line.sourceId, field })));
    const applied = done.map((w) => ({ seq: w.line.seq, t: w.targetId }));
    const failed = rejected.map((r) => ({ seq: r.line.seq, e: r.rejection.message, a: [r.line.action, ...r.line.also] }));
    await deps.db.sql.begin(async (tx) => {
      if (links.length > 0) {
        await tx`insert into record_links (connection_id, dataset, source_id, target_id)
          select ${connectionId}::uuid, ${EMPLOYEES}, x.s, x.t from jsonb_to_recordset(${json(links)}::jsonb) as x(s text, t text)
          on conflict (connection_id, dataset, source_id) do update set target_id = excluded.target_id`;
      }
      if (snaps.length > 0) {
        await tx`insert into snapshots (connection_id, dataset, source_id, fields, kept, target_status, run_id, updated_at)
          select ${connectionId}::uuid, ${EMPLOYEES}, x.s, x.f, x.k, x.st, ${runId}::uuid, now()
          from jsonb_to_recordset(${json(snaps)}::jsonb) as x(s text, f jsonb, k jsonb, st text)
          on conflict (connection_id, dataset, source_id) do update set fields = excluded.fields, kept = excluded.kept,
            target_status = excluded.target_status, run_id = excluded.run_id, updated_at = excluded.updated_at`;
      }
      if (statusOnly.length > 0) {
        await tx`update snapshots sn set target_status = x.st, run_id = ${runId}::uuid, updated_at = now()
          from jsonb_to_recordset(${json(statusOnly)}::jsonb) as x(s text, st text)
          where sn.connection_id = ${connectionId}::uuid and sn.dataset = ${EMPLOYEES} and sn.source_id = x.s`;
      }
      if (opened.length > 0) {
        await tx`insert into conflicts (connection_id, dataset, source_id, target_id, field, base_value, source_value, target_value, opened_run_id, last_seen_run_id)
          select ${connectionId}::uuid, ${EMPLOYEES}, x.s, x.t, x.field, x.b, x.src, x.tgt, ${runId}::uuid, ${runId}::uuid
          from jsonb_to_recordset(${json(opened)}::jsonb) as x(s text, t text, field text, b text, src text, tgt text)
          on conflict (connection_id, dataset, source_id, field) where status = 'open'
          do update set source_value = excluded.source_value, target_value = excluded.target_value, last_seen_run_id = excluded.last_seen_run_id`;
      }
      if (closed.length > 0) {
        await tx`update conflicts c set status = 'resolved', resolution = 'converged', resolved_at = now()
          from jsonb_to_recordset(${json(closed)}::jsonb) as x(s text, field text)
          where c.connection_id = ${connectionId}::uuid and c.source_id = x.s and c.status = 'open' and c.field = x.field`;
      }
      if (applied.length > 0) {
        await tx`update report_lines r set outcome = 'applied', target_id = x.t
          from jsonb_to_recordset(${json(applied)}::jsonb) as x(seq int, t text)
          where r.run_id = ${runId}::uuid and r.seq = x.seq`;
      }
      if (failed.length > 0) {
        await tx`update report_lines r set outcome = 'failed', error = x.e, also = x.a, action = 'error'
          from jsonb_to_recordset(${json(failed)}::jsonb) as x(seq int, e text, a jsonb)
          where r.run_id = ${runId}::uuid and r.seq = x.seq`;
      }
    });
  }

  /**
   * Counts one try on each line that failed all its sends in this attempt (see exhaustedVerdict);
   * a line reaching MAX_WRITE_CALLS is failed like a refused one (action `error`, its actions kept in
   * `also`). One statement, after the attempt's last commit. Returns how many lines it failed.
   */
  async function countTries(ctx: RunContext, exhausted: { seq: number; lastError: unknown }[]): Promise<number> {
    if (exhausted.length === 0) return 0;
    const rows = JSON.stringify(exhausted.map((l) => ({ seq: l.seq, e: exhaustedMessage(l.lastError) })));
    const updated = await deps.db.sql<{ outcome: string }[]>`update report_lines r set write_tries = r.write_tries + 1,
        outcome = case when r.write_tries + 1 >= ${MAX_WRITE_CALLS} then 'failed' else r.outcome end,
        action = case when r.write_tries + 1 >= ${MAX_WRITE_CALLS} then 'error' else r.action end,
        also = case when r.write_tries + 1 >= ${MAX_WRITE_CALLS} then jsonb_build_array(r.action) || r.also else r.also end,
        error = case when r.write_tries + 1 >= ${MAX_WRITE_CALLS} then x.e else r.error end
      from jsonb_to_recordset(${rows}::jsonb) as x(seq int, e text)
      where r.run_id = ${ctx.run.id}::uuid and r.seq = x.seq and r.outcome = 'planned'
      returning r.outcome`;
    return updated.filter((r) => r.outcome === 'failed').length;
  }

  /** HappyPal answers a read: it is up (used only when no write of the attempt was answered). */
  async function happyPalAnswers(ctx: RunContext): Promise<boolean> {
    try {
      await ctx.happypal.listUsers(1, 1);
      return true;
    } catch {
      return false;
    }
  }

  return {
    /**
     * Applies up to `maxLines` planned lines in order, CONCURRENCY at a time. A line is marked
     * applied in the same transaction as its link and snapshot (lines are committed in groups, see
     * commitBatch), so a retried attempt (or a new worker after a crash) skips it; a write repeated
     * after a crash carries the same idempotency key, so the target answers with the first result
     * instead of creating a second profile.
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
      await db.update(syncRuns).set({ phase: 'write' }).where(eq(syncRuns.id, input.runId));
      // Only what the write needs: not the report's diffs (`changes`, `reasons`), the largest part of a line.
      const lines: Line[] = await db.select({
        seq: reportLines.seq, sourceId: reportLines.sourceId, targetId: reportLines.targetId,
        action: reportLines.action, also: reportLines.also, plan: reportLines.plan, writeTries: reportLines.writeTries,
      }).from(reportLines)
        .where(and(eq(reportLines.runId, input.runId), plannedOnly))
        .orderBy(asc(reportLines.seq)).limit(input.maxLines);
      const counts = { written: 0, rejected: 0, failed: 0 };
      // Group commit: written lines wait in memory until the committer takes them, all at once, in one
      // transaction; while it commits, the next ones accumulate. A commit starts once COMMIT_MIN lines
      // wait, or COMMIT_MAX_WAIT_MS after the first of them. Nothing is marked applied before its commit.
      const written: Written[] = [];
      const rejected: Rejected[] = [];
      let committing: Promise<void> = Promise.resolve();
      let scheduled = false;
      let timer: NodeJS.Timeout | undefined;
      let failure: unknown;
      const maybeCommit = () => {
        if (written.length + rejected.length >= COMMIT_MIN) commitPending();
        else timer ??= setTimeout(commitPending, COMMIT_MAX_WAIT_MS);
      };
      const commitPending = () => {
        clearTimeout(timer);
        timer = undefined;
        if (scheduled) return;
        scheduled = true;
        committing = committing.then(async () => {
          scheduled = false;
          while (written.length > 0 || rejected.length > 0) {
            const done = written.splice(0, COMMIT_BATCH);
            const refused = rejected.splice(0, COMMIT_BATCH);
            await commitBatch(run, done, refused);
            counts.written += done.length;
            counts.rejected += refused.length;
            beat();
          }
        });
        committing.catch((err: unknown) => {
          failure ??= err;
        });
      };
      // Heartbeats are throttled here too: each one is encoded (and encrypted) by the SDK before core throttles it.
      let lastBeat = 0;
      const beat = () => {
        const now = Date.now();
        if (now - lastBeat < HEARTBEAT_EVERY_MS) return;
        lastBeat = now;
        ctx.heartbeat({ written: counts.written });
      };
      // The queue: this call's lines, then the lines to send again (appended as they fail).
      const queue = [...lines];
      const sends = new Map<number, number>();
      const notBefore = new Map<number, number>();
      // The lines with a transient failure (still planned), with their last error; those that failed all their sends.
      const failing = new Map<number, { line: Line; err: unknown }>();
      const exhausted: Line[] = [];
      const faults = new TransientFaults();
      let pause: unknown;
      // On cancellation, a failure, a 429 or an outage, take no new line; the ones in flight finish and commit, so state stays consistent.
      const stopped = () => ctx.cancellationSignal.aborted || failure !== undefined || pause !== undefined || faults.outage;
      const onError = (line: Line, err: unknown) => {
        const kind = classifyWriteError(err);
        if (kind === 'stop') failure ??= err;
        else if (kind === 'pause') pause ??= err;
        else {
          faults.failed(err);
          failing.set(line.seq, { line, err });
          const sent = sends.get(line.seq) ?? 1;
          if (sent >= SENDS_PER_ATTEMPT) {
            exhausted.push(line); // left planned: the next call takes it first
            return;
          }
          sends.set(line.seq, sent + 1);
          notBefore.set(line.seq, Date.now() + RESEND_DELAY_MS * sent);
          queue.push(line);
        }
      };
      let next = 0;
      const worker = async () => {
        while (next < queue.length && !stopped()) {
          const line = queue[next++] as Line;
          const wait = (notBefore.get(line.seq) ?? 0) - Date.now();
          // At most RESEND_DELAY_MS × (SENDS_PER_ATTEMPT - 1): short enough not to need a cancellation hook.
          if (wait > 0) await delay(wait);
          if (stopped()) break; // the line stays planned
          try {
            const plan = PlannedWriteSchema.parse(line.plan);
            const result = await writePlannedLine(run.happypal, { connectionId: run.connection.id, runId: run.run.id }, line, plan);
            faults.answered();
            failing.delete(line.seq);
            if ('targetId' in result) written.push({ line, plan, targetId: result.targetId });
            else rejected.push({ line, rejection: result });
          } catch (err) {
            onError(line, err);
          }
          maybeCommit();
          beat();
        }
      };
      await Promise.all(Array.from({ length: Math.min(CONCURRENCY, lines.length) }, worker));
      // Whatever was written is committed before the activity returns, fails or is cancelled.
      commitPending();
      await committing.catch(() => undefined);
      if (failure !== undefined) throw failure;
      if (ctx.cancellationSignal.aborted) await ctx.cancelled;
      // Lines that failed all their sends: one try each if HappyPal was up (never in an outage).
      let verdict = exhaustedVerdict({
        answered: counts.written + counts.rejected, exhausted, failing: [...failing.values()].map((f) => f.line),
      });
      if (verdict === 'probe') verdict = pause === undefined && (await happyPalAnswers(run)) ? 'count' : 'none';
      if (verdict === 'count') counts.failed = await countTries(run, exhausted.map((l) => ({ seq: l.seq, lastError: failing.get(l.seq)?.err })));
      if (pause !== undefined) throw pause;
      const leftPlanned = lines.length - counts.written - counts.rejected - counts.failed;
      if (leftPlanned === 0) return { done: lines.length < input.maxLines, counts };
      deps.logger.warn({
        runId: input.runId, leftPlanned, transientFailures: faults.count, outage: faults.outage,
        code: faults.last instanceof SyncError ? faults.last.code : 'unknown',
        exhausted: exhausted.length, triesCounted: verdict === 'count', failedAfterTries: counts.failed,
      }, 'writes left planned after transient target errors');
      // No progress at all: HappyPal is down (or a line keeps failing, not yet MAX_WRITE_CALLS times); Temporal's backoff applies.
      if (counts.written + counts.rejected + counts.failed === 0) throw faults.last ?? new Error('Planned lines were left unwritten.');
      return { done: false, counts };
    },
  };
}
