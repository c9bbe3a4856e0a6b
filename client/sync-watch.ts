import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { progressQuery, type SyncProgress, type SyncSummary } from '../workflows/contracts.js';
import { formatCounts } from './output.js';
import { renderProgress, textBar } from './progress-line.js';

export type WatchResult = { ok: true; summary: SyncSummary } | { ok: false; message: string };

export interface WatchOptions {
  tty: boolean;
  intervalMs?: number;
  /** Printed once when the run shows no progress for workerHintMs (default 10 s): no worker is polling. */
  workerHint?: string | undefined;
  workerHintMs?: number;
  write(text: string): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Follows a run until it closes: polls the workflow's `progress` query every 500 ms (bounded by a
 * short deadline, so a busy or absent worker never stalls the loop) and writes a line when it moves.
 */
export async function watchRun(client: Client, handle: WorkflowHandle, options: WatchOptions): Promise<WatchResult> {
  let settled: WatchResult | undefined;
  const result = handle.result().then(
    (summary: SyncSummary) => (settled = { ok: true, summary }),
    (err: unknown) => (settled = { ok: false, message: failureMessage(err) }),
  );
  let last = '';
  let hint = options.workerHint;
  const hintAt = Date.now() + (options.workerHintMs ?? 10_000);
  while (!settled) {
    if (!last && hint && Date.now() > hintAt) {
      options.write(`${hint}\n`);
      hint = undefined;
    }
    const progress = await client
      .withDeadline(Date.now() + 2_000, () => handle.query(progressQuery))
      .catch(() => undefined as SyncProgress | undefined);
    if (progress && !settled) {
      const line = renderProgress(progress, { tty: options.tty });
      if (line !== last) options.write(options.tty ? `\r\x1b[2K${line}` : `${line}\n`);
      last = line;
    }
    await Promise.race([result, sleep(options.intervalMs ?? 500)]);
  }
  const done = settled as WatchResult;
  if (options.tty && done.ok) {
    // The bar ends full, with the final counts.
    options.write(`\r\x1b[2K${textBar(1)} done · ${formatCounts(done.summary.counts)}\n`);
  } else if (options.tty && last) options.write('\n');
  return done;
}

function failureMessage(err: unknown): string {
  if (err instanceof WorkflowFailedError) {
    const cause = err.cause;
    return cause?.message ? cause.message : err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
