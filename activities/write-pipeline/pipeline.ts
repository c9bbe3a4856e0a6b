import { classifyWriteError, Resends, TransientFaults, type WriteFault } from './faults.js';
import { GroupCommit } from './group-commit.js';
import { runPool } from './pool.js';

/**
 * The write pipeline of one activity attempt: lines are written to the target `concurrency` at a
 * time, their results committed in groups (GroupCommit), transient faults sent again later in the
 * same attempt (Resends) until the target looks down (TransientFaults). On cancellation, a `stop`
 * error (a write's or a commit's), a `pause` (429) or an outage, no new line is taken; the ones in
 * flight finish and whatever was written is committed before it returns, so state stays consistent.
 * It never throws: the caller decides from the outcome (throw the failure, the pause, or the last
 * transient error).
 */
export interface WritePipelineOptions<L, R> {
  lines: readonly L[];
  /** A line's key within the attempt (its report line's seq). */
  key: (line: L) => number;
  /** The target's calls for one line; its result (written or refused) waits for the group commit. */
  write: (line: L) => Promise<R>;
  concurrency: number;
  /** Sends of one line per attempt (the first one included). */
  sendsPerAttempt: number;
  /** A re-send waits at least this × (sends so far) after its failure. */
  resendDelayMs: number;
  /** Transient failures in a row, no write answered in between, that mean the target is down. */
  outageAfter: number;
  commit: {
    /** A commit starts once `min` results wait, or `maxWaitMs` after the first of them; at most `batch` each. */
    min: number;
    maxWaitMs: number;
    batch: number;
    run: (results: R[]) => Promise<void>;
  };
  /** No new line once aborted. */
  signal: AbortSignal;
  /** Called after each line and each commit (throttle it: see throttled). */
  heartbeat?: () => void;
  /** What an error of `write` means; default: the SyncError's own retryability (classifyWriteError). */
  classify?: (err: unknown) => WriteFault;
}

export interface WritePipelineOutcome<L> {
  /** The first `stop` error, from a write or a commit: the attempt throws it. */
  failure: unknown;
  /** The first `pause` error (the target asked to slow down). */
  pause: unknown;
  /** Transient failures of the attempt: count, last error, whether the target looks down. */
  faults: TransientFaults;
  /** Lines still failing (with their last error) and those that failed all their sends. */
  resends: Resends<L>;
}

export async function runWritePipeline<L, R>(options: WritePipelineOptions<L, R>): Promise<WritePipelineOutcome<L>> {
  const classify = options.classify ?? classifyWriteError;
  const beat = options.heartbeat ?? (() => undefined);
  let failure: unknown;
  let pause: unknown;
  const committer = new GroupCommit<R>({
    min: options.commit.min,
    maxWaitMs: options.commit.maxWaitMs,
    batch: options.commit.batch,
    commit: async (results) => {
      await options.commit.run(results);
      beat();
    },
    onFailure: (err) => {
      failure ??= err;
    },
  });
  const faults = new TransientFaults(options.outageAfter);
  const resends = new Resends<L>({ sendsPerAttempt: options.sendsPerAttempt, delayMs: options.resendDelayMs, key: options.key });
  // The queue: this call's lines, then the lines to send again (appended as they fail).
  const queue = [...options.lines];
  const stopped = () => options.signal.aborted || failure !== undefined || pause !== undefined || faults.outage;
  await runPool(queue, {
    concurrency: options.concurrency,
    stopped,
    notBefore: (line) => resends.notBefore(line),
    work: async (line) => {
      try {
        const result = await options.write(line);
        faults.answered();
        resends.answered(line);
        committer.add(result);
      } catch (err) {
        const kind = classify(err);
        if (kind === 'stop') failure ??= err;
        else if (kind === 'pause') pause ??= err;
        else {
          faults.failed(err);
          if (resends.failed(line, err) === 'resend') queue.push(line); // else left planned: the next call takes it first
        }
      }
      beat();
    },
  });
  // Whatever was written is committed before the attempt returns, fails or is cancelled.
  await committer.drain();
  return { failure, pause, faults, resends };
}

/** `fn` at most once every `everyMs` (the first call runs). */
export function throttled(everyMs: number, fn: () => void): () => void {
  let last: number | undefined;
  return () => {
    const now = Date.now();
    if (last !== undefined && now - last < everyMs) return;
    last = now;
    fn();
  };
}
