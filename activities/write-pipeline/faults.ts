import { SyncError } from '../errors.js';

/**
 * What an exception from one line's write means for the attempt:
 * - `resend`: a transient fault (a retryable SyncError without Retry-After): the line is sent again
 *   or left planned; the attempt goes on with other lines.
 * - `pause`: the target asked us to slow down (429): no new line; the attempt commits and throws, so
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
 * - `count`: the target answered other writes in this attempt (written or refused): it is up, and
 *   only these records fail.
 * - `probe`: no write was answered, but every line that failed in this attempt had already failed
 *   all its sends in an earlier call while the target was up (write_tries > 0): count them if the
 *   target answers a read now. This is the end of a run, where such lines are the only ones left and
 *   no other write can show that the target is up; without it they would be retried with backoff forever.
 *   A line never counted (a fresh line failing too) means the target may be down: no probe.
 * - `none`: nothing to count, or the target looks down (an outage): Temporal's backoff applies and
 *   no try is counted, so an outage never fails a line. Lines not sent, or stopped with sends left
 *   (an outage stop), are never counted.
 */
export function exhaustedVerdict(attempt: {
  /** Lines written or refused by the target in this attempt. */
  answered: number;
  /** Lines that failed all their sends in this attempt. */
  exhausted: readonly FailingLine[];
  /** Every line with a transient failure in this attempt that is still planned (the exhausted ones too). */
  failing: readonly FailingLine[];
}): 'count' | 'probe' | 'none' {
  if (attempt.exhausted.length === 0) return 'none';
  if (attempt.answered > 0) return 'count';
  return attempt.failing.every((l) => l.writeTries > 0) ? 'probe' : 'none';
}

/**
 * Outage detection: the target is taken as down after `outageAfter` transient failures in a row
 * (in completion order) with no write answered in between.
 */
export class TransientFaults {
  count = 0;
  last: unknown;
  private inARow = 0;
  constructor(private readonly outageAfter: number) {}
  /** The target answered a write (written or refused): it is up. */
  answered(): void {
    this.inARow = 0;
  }
  failed(err: unknown): void {
    this.count += 1;
    this.inARow += 1;
    this.last = err;
  }
  get outage(): boolean {
    return this.inARow >= this.outageAfter;
  }
}

/**
 * Resends within one attempt: a line that failed is sent again, at most `sendsPerAttempt` times in
 * all, each re-send at least `delayMs` × (sends so far) after its failure; then it is exhausted (left
 * planned). Keeps each failing line's last error until the line is answered.
 */
export class Resends<L> {
  /** The lines with a transient failure (still planned), with their last error, by key. */
  readonly failing = new Map<number, { line: L; err: unknown }>();
  /** The lines that failed all their sends, in the order they did. */
  readonly exhausted: L[] = [];
  private readonly sends = new Map<number, number>();
  private readonly notBeforeAt = new Map<number, number>();

  constructor(private readonly options: { sendsPerAttempt: number; delayMs: number; key: (line: L) => number }) {}

  /** Records a transient failure: `resend` (queue it again) or `exhausted` (leave it planned). */
  failed(line: L, err: unknown, now = Date.now()): 'resend' | 'exhausted' {
    const key = this.options.key(line);
    this.failing.set(key, { line, err });
    const sent = this.sends.get(key) ?? 1;
    if (sent >= this.options.sendsPerAttempt) {
      this.exhausted.push(line);
      return 'exhausted';
    }
    this.sends.set(key, sent + 1);
    this.notBeforeAt.set(key, now + this.options.delayMs * sent);
    return 'resend';
  }

  /** The target answered the line (written or refused): it no longer fails. */
  answered(line: L): void {
    this.failing.delete(this.options.key(line));
  }

  /** Epoch ms before which the line must not be sent again (undefined: never failed). */
  notBefore(line: L): number | undefined {
    return this.notBeforeAt.get(this.options.key(line));
  }

  /** The last error of a line that failed. */
  lastError(line: L): unknown {
    return this.failing.get(this.options.key(line))?.err;
  }
}
