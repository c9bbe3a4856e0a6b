/**
 * Group commit: results wait in memory until the committer takes them, all at once, in one call of
 * `commit`; while it commits, the next ones accumulate. A commit starts once `min` results wait, or
 * `maxWaitMs` after the first of them; it takes at most `batch` at a time (more go to the next call,
 * at once). Commits run one after the other. After a commit failed nothing more is committed: the
 * error is kept in `failure`, for the caller to stop and throw.
 */
export interface GroupCommitOptions<R> {
  min: number;
  maxWaitMs: number;
  batch: number;
  commit: (results: R[]) => Promise<void>;
  /** Told of the commit error that stopped the committer (once). */
  onFailure?: (err: unknown) => void;
}

export class GroupCommit<R> {
  /** The first commit error, once one failed. */
  failure: unknown;
  private readonly pending: R[] = [];
  private committing: Promise<void> = Promise.resolve();
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: GroupCommitOptions<R>) {}

  /** Results waiting for a commit. */
  get waiting(): number {
    return this.pending.length;
  }

  /** Adds a result: committed at once if `min` wait, else within `maxWaitMs`. */
  add(result: R): void {
    this.pending.push(result);
    if (this.pending.length >= this.options.min) this.commitPending();
    else this.timer ??= setTimeout(() => this.commitPending(), this.options.maxWaitMs);
  }

  /** Starts a commit of everything waiting (after the one running, if any). */
  commitPending(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.scheduled) return;
    this.scheduled = true;
    this.committing = this.committing.then(async () => {
      this.scheduled = false;
      while (this.pending.length > 0) await this.options.commit(this.pending.splice(0, this.options.batch));
    });
    this.committing.catch((err: unknown) => {
      if (this.failure !== undefined) return;
      this.failure = err;
      this.options.onFailure?.(err);
    });
  }

  /** Commits whatever waits and resolves when every commit is over (never rejects: see `failure`). */
  async drain(): Promise<void> {
    this.commitPending();
    await this.committing.catch(() => undefined);
  }
}
