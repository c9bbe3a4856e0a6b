import { Context } from '@temporalio/activity';
import type { DbHandle } from '../../db/client.js';
import { stageRows, type StagedRow } from '../../db/queries/staging.js';

/**
 * The paged read loop shared by every connector (HappyPal's Lucca users and HappyPal profiles,
 * Reflect's four Lucca datasets): read a page, stage its rows in Postgres, heartbeat the cursor,
 * until `maxPages` or the end. A retried attempt resumes from its last heartbeat; staging is keyed
 * by (run, dataset, record), so a page read twice is stored once. Records never leave Postgres.
 */
export interface PageRead<C> {
  /** Staged dataset name of these rows (e.g. `lucca-users`). */
  dataset: string;
  /** Page number recorded with the rows (informational). */
  page: number;
  rows: StagedRow[];
  /** The cursor after this page: what a resumed attempt starts from. */
  next: C;
  done: boolean;
}

export interface FetchLoopInput<C> {
  runId: string;
  /** The cursor the workflow passed in. */
  start: C;
  maxPages: number;
  /** Combines the input cursor with the heartbeat of a previous attempt (absent: start from the input). */
  resume?: (start: C, heartbeat: C | undefined) => C;
  readPage(cursor: C, signal: AbortSignal): Promise<PageRead<C>>;
}

export interface FetchLoopResult<C> {
  cursor: C;
  pages: number;
  /** Rows read (staged or already staged). */
  read: number;
  done: boolean;
}

/** Runs the loop inside an activity (heartbeats and cancellation come from its Context). */
export async function runFetchLoop<C>(db: DbHandle, input: FetchLoopInput<C>): Promise<FetchLoopResult<C>> {
  const ctx = Context.current();
  const heartbeat = ctx.info.heartbeatDetails as C | undefined;
  let cursor = input.resume ? input.resume(input.start, heartbeat) : input.start;
  let pages = 0;
  let read = 0;
  let done = false;
  while (pages < input.maxPages && !done) {
    const page = await input.readPage(cursor, ctx.cancellationSignal);
    await stageRows(db, input.runId, page.dataset, page.page, page.rows);
    cursor = page.next;
    read += page.rows.length;
    pages += 1;
    done = page.done;
    ctx.heartbeat(cursor);
  }
  return { cursor, pages, read, done };
}

/** A record's id as the source sent it, or a stable stand-in for an item too broken to have one. */
export function sourceIdOf(item: unknown, position: number): string {
  if (item && typeof item === 'object' && !Array.isArray(item)) {
    const id = (item as Record<string, unknown>).id;
    if (typeof id === 'number' || (typeof id === 'string' && id.length > 0 && id.length < 64)) return String(id);
  }
  return `malformed-at-${position}`;
}
