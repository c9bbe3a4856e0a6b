import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SyncError } from '../../activities/errors.js';
import {
  GroupCommit, Resends, runPool, runWritePipeline, throttled, TransientFaults, type WritePipelineOptions,
} from '../../activities/write-pipeline/index.js';

/** The write pipeline's parts (activities/write-pipeline), on fake timers: no test waits on the wall clock. */

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A promise resolved from outside: a target request (or a commit) in flight, answered when the test says. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const transient = () => new SyncError('happypal_unavailable', 'HappyPal answered 500; will retry with backoff.', true, undefined, 500);
const tooMany = () => new SyncError('happypal_rate_limited', 'HappyPal answered 429.', true, 5000, 429);
const refusedKey = () => new SyncError('happypal_unauthorized', 'HappyPal refused the API key.', false, undefined, 401);

describe('runPool', () => {
  it('runs at most `concurrency` items at once, in queue order, and takes items appended while it runs', async () => {
    const queue = [1, 2, 3, 4, 5];
    let inFlight = 0;
    let peak = 0;
    const started: number[] = [];
    const pool = runPool(queue, {
      concurrency: 2,
      work: async (n) => {
        started.push(n);
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        if (n === 2) queue.push(6);
        await Promise.resolve();
        inFlight -= 1;
      },
    });
    await pool;
    expect(peak).toBe(2);
    expect(started).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('takes no new item once stopped; the item in flight finishes', async () => {
    let stop = false;
    const done: number[] = [];
    await runPool([1, 2, 3, 4], {
      concurrency: 1,
      stopped: () => stop,
      work: async (n) => {
        if (n === 2) stop = true;
        done.push(n);
      },
    });
    expect(done).toEqual([1, 2]);
  });

  it('waits for an item\'s notBefore time, and leaves it untaken if the pool stopped meanwhile', async () => {
    const done: string[] = [];
    let stop = false;
    const pool = runPool(['now', 'later'], {
      concurrency: 1,
      stopped: () => stop,
      notBefore: (item) => (item === 'later' ? Date.now() + 500 : undefined),
      work: async (item) => {
        done.push(item);
      },
    });
    await vi.advanceTimersByTimeAsync(499);
    expect(done).toEqual(['now']);
    stop = true;
    await vi.advanceTimersByTimeAsync(1);
    await pool;
    expect(done).toEqual(['now']);
  });

  it('starts no worker for an empty queue', async () => {
    const work = vi.fn(async () => undefined);
    await runPool([], { concurrency: 4, work });
    expect(work).not.toHaveBeenCalled();
  });
});

describe('GroupCommit', () => {
  it('commits at once when `min` results wait, at most `batch` per call, the rest in the next call', async () => {
    const commits: number[][] = [];
    const gc = new GroupCommit<number>({ min: 3, maxWaitMs: 200, batch: 2, commit: async (rs) => void commits.push(rs) });
    gc.add(1);
    gc.add(2);
    expect(commits).toEqual([]);
    gc.add(3);
    await vi.advanceTimersByTimeAsync(0);
    expect(commits).toEqual([[1, 2], [3]]);
  });

  it('commits what waited `maxWaitMs` after the first result, not before', async () => {
    const commits: number[][] = [];
    const gc = new GroupCommit<number>({ min: 100, maxWaitMs: 200, batch: 1000, commit: async (rs) => void commits.push(rs) });
    gc.add(1);
    await vi.advanceTimersByTimeAsync(150);
    gc.add(2);
    await vi.advanceTimersByTimeAsync(49);
    expect(commits).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(commits).toEqual([[1, 2]]);
  });

  it('accumulates while a commit runs, commits one after the other, and drain waits for the last', async () => {
    const commits: number[][] = [];
    const first = deferred();
    let calls = 0;
    const gc = new GroupCommit<number>({
      min: 1, maxWaitMs: 200, batch: 1000,
      commit: async (rs) => {
        calls += 1;
        commits.push(rs);
        if (calls === 1) await first.promise;
      },
    });
    gc.add(1);
    await vi.advanceTimersByTimeAsync(0);
    gc.add(2);
    gc.add(3);
    await vi.advanceTimersByTimeAsync(0);
    expect(commits).toEqual([[1]]); // the second waits for the first
    const drained = gc.drain();
    first.resolve();
    await drained;
    expect(commits).toEqual([[1], [2, 3]]);
    expect(gc.waiting).toBe(0);
  });

  it('after a failed commit commits nothing more, keeps the first error and tells it once', async () => {
    const boom = new Error('database down');
    const onFailure = vi.fn();
    const commits: number[][] = [];
    const gc = new GroupCommit<number>({
      min: 1, maxWaitMs: 200, batch: 1000, onFailure,
      commit: async (rs) => {
        commits.push(rs);
        throw boom;
      },
    });
    gc.add(1);
    await vi.advanceTimersByTimeAsync(0);
    gc.add(2);
    await gc.drain();
    expect(commits).toEqual([[1]]);
    expect(gc.failure).toBe(boom);
    expect(onFailure).toHaveBeenCalledTimes(1);
    expect(gc.waiting).toBe(1);
  });
});

describe('Resends', () => {
  it('sends a failing line again at most `sendsPerAttempt` times in all, each later than the last by delay × sends', () => {
    const r = new Resends<{ seq: number }>({ sendsPerAttempt: 3, delayMs: 250, key: (l) => l.seq });
    const line = { seq: 7 };
    expect(r.notBefore(line)).toBeUndefined();
    expect(r.failed(line, 'e1', 1000)).toBe('resend');
    expect(r.notBefore(line)).toBe(1250);
    expect(r.failed(line, 'e2', 2000)).toBe('resend');
    expect(r.notBefore(line)).toBe(2500);
    expect(r.failed(line, 'e3', 3000)).toBe('exhausted');
    expect(r.exhausted).toEqual([line]);
    expect(r.lastError(line)).toBe('e3');
  });

  it('a line answered after a failure is no longer failing', () => {
    const r = new Resends<{ seq: number }>({ sendsPerAttempt: 3, delayMs: 250, key: (l) => l.seq });
    r.failed({ seq: 1 }, 'e', 0);
    r.answered({ seq: 1 });
    expect(r.failing.size).toBe(0);
    expect(r.lastError({ seq: 1 })).toBeUndefined();
  });
});

describe('TransientFaults (outage detection)', () => {
  it('is an outage after `outageAfter` failures in a row; an answer in between resets the row', () => {
    const f = new TransientFaults(3);
    f.failed('a');
    f.failed('b');
    f.answered();
    f.failed('c');
    f.failed('d');
    expect(f.outage).toBe(false);
    f.failed('e');
    expect(f.outage).toBe(true);
    expect(f.count).toBe(5);
    expect(f.last).toBe('e');
  });
});

describe('throttled', () => {
  it('calls through at most once per period, the first call at once', async () => {
    const fn = vi.fn();
    const beat = throttled(1000, fn);
    beat();
    beat();
    expect(fn).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(999);
    beat();
    expect(fn).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    beat();
    expect(fn).toHaveBeenCalledTimes(2);
  });
});

interface Line { seq: number }
const linesOf = (n: number): Line[] => Array.from({ length: n }, (_, i) => ({ seq: i }));

/** A pipeline over `lines` whose target answers with `answer(line, send)` (send: 1 for the first). */
function pipeline(lines: Line[], answer: (line: Line, send: number) => Promise<number>, more: Partial<WritePipelineOptions<Line, number>> = {}) {
  const sends = new Map<number, number>();
  const committed: number[][] = [];
  const controller = new AbortController();
  const run = runWritePipeline<Line, number>({
    lines,
    key: (l) => l.seq,
    write: (line) => {
      const send = (sends.get(line.seq) ?? 0) + 1;
      sends.set(line.seq, send);
      return answer(line, send);
    },
    concurrency: 4,
    sendsPerAttempt: 3,
    resendDelayMs: 250,
    outageAfter: 4,
    commit: { min: 2, maxWaitMs: 200, batch: 1000, run: async (rs) => void committed.push(rs) },
    signal: controller.signal,
    ...more,
  });
  return { run, sends, committed, controller };
}

describe('runWritePipeline', () => {
  it('writes every line and commits every answer before it returns', async () => {
    const p = pipeline(linesOf(5), async (l) => l.seq);
    const outcome = await p.run;
    expect(p.committed.flat().sort()).toEqual([0, 1, 2, 3, 4]);
    expect(outcome.failure).toBeUndefined();
    expect(outcome.faults.count).toBe(0);
  });

  it('sends a line that failed transiently again, after the resend delay, and commits its answer', async () => {
    const p = pipeline(linesOf(2), async (l, send) => {
      if (l.seq === 1 && send === 1) throw transient();
      return l.seq;
    });
    await vi.advanceTimersByTimeAsync(249);
    expect(p.sends.get(1)).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    const outcome = await p.run;
    expect(p.sends.get(1)).toBe(2);
    expect(p.committed.flat().sort()).toEqual([0, 1]);
    expect(outcome.resends.failing.size).toBe(0);
    expect(outcome.resends.exhausted).toEqual([]);
    expect(outcome.faults.count).toBe(1);
  });

  it('leaves a line planned (exhausted) after it failed all its sends; the other lines are written', async () => {
    const p = pipeline(linesOf(3), async (l) => {
      if (l.seq === 0) throw transient();
      return l.seq;
    });
    await vi.advanceTimersByTimeAsync(250 + 500);
    const outcome = await p.run;
    expect(p.sends.get(0)).toBe(3);
    expect(outcome.resends.exhausted).toEqual([{ seq: 0 }]);
    expect([...outcome.resends.failing.keys()]).toEqual([0]);
    expect(p.committed.flat().sort()).toEqual([1, 2]);
  });

  it('an outage (outageAfter failures in a row) takes no new line: a few rounds in flight, not one send per line', async () => {
    const p = pipeline(linesOf(100), async () => {
      throw transient();
    });
    await vi.advanceTimersByTimeAsync(10_000);
    const outcome = await p.run;
    expect(outcome.faults.outage).toBe(true);
    expect(p.sends.size).toBe(4); // the first round of four failed: no fifth line was taken
    expect(p.committed).toEqual([]);
  });

  it('a 429 (pause) takes no new line; what was written before is committed, the error is returned', async () => {
    const p = pipeline(linesOf(10), async (l) => {
      if (l.seq === 5) throw tooMany();
      return l.seq;
    }, { concurrency: 1 });
    const outcome = await p.run;
    expect(outcome.pause).toBeInstanceOf(SyncError);
    expect(outcome.failure).toBeUndefined();
    expect(p.committed.flat()).toEqual([0, 1, 2, 3, 4]);
    expect(p.sends.has(6)).toBe(false);
  });

  it('a non-retryable error (stop) takes no new line and is returned as the failure; written lines are committed', async () => {
    const p = pipeline(linesOf(10), async (l) => {
      if (l.seq === 3) throw refusedKey();
      return l.seq;
    }, { concurrency: 1 });
    const outcome = await p.run;
    expect(outcome.failure).toBeInstanceOf(SyncError);
    expect(p.committed.flat()).toEqual([0, 1, 2]);
    expect(p.sends.has(4)).toBe(false);
  });

  it('a failed commit stops the attempt: no new line, the commit error is the failure', async () => {
    const boom = new Error('database down');
    const gate = deferred();
    const sent: number[] = [];
    const controller = new AbortController();
    const run = runWritePipeline<Line, number>({
      lines: linesOf(20), key: (l) => l.seq, concurrency: 1, sendsPerAttempt: 3, resendDelayMs: 250, outageAfter: 4,
      write: async (l) => {
        sent.push(l.seq);
        if (l.seq === 2) await gate.promise;
        return l.seq;
      },
      commit: { min: 2, maxWaitMs: 200, batch: 1000, run: async () => { throw boom; } },
      signal: controller.signal,
    });
    await vi.advanceTimersByTimeAsync(0); // lines 0 and 1 written, their commit failed while line 2 is in flight
    gate.resolve();
    const outcome = await run;
    expect(outcome.failure).toBe(boom);
    expect(sent).toEqual([0, 1, 2]);
  });

  it('on cancellation takes no new line; the lines in flight finish and are committed', async () => {
    const gate = deferred();
    const p = pipeline(linesOf(10), async (l) => {
      await gate.promise;
      return l.seq;
    }, { concurrency: 2 });
    await vi.advanceTimersByTimeAsync(0);
    expect(p.sends.size).toBe(2);
    p.controller.abort();
    gate.resolve();
    await p.run;
    expect(p.committed.flat().sort((a, b) => a - b)).toEqual([0, 1]);
    expect(p.sends.size).toBe(2);
  });

  it('heartbeats after lines and commits', async () => {
    const heartbeat = vi.fn();
    const p = pipeline(linesOf(3), async (l) => l.seq, { heartbeat });
    await p.run;
    expect(heartbeat.mock.calls.length).toBeGreaterThanOrEqual(3 + p.committed.length);
  });
});
