import { Context } from '@temporalio/activity';
import { eq } from 'drizzle-orm';
import { stagedRecords, syncRuns } from '../db/schema.js';
import { HAPPYPAL_USER_FIELDS, LUCCA_PAGE_LIMIT } from './connectors/lucca/schemas.js';
import { loadRunContext, type Deps } from './deps.js';

export const SOURCE_USERS = 'lucca-users';
export const TARGET_USERS = 'happypal-users';
const TARGET_PAGE_SIZE = 1000;

export interface FetchResult {
  pages: number;
  done: boolean;
  counts: Record<string, number>;
}

/** A record's id as Lucca sent it, or a stable stand-in for an item too broken to have one. */
function sourceIdOf(item: unknown, position: number): string {
  if (item && typeof item === 'object' && !Array.isArray(item)) {
    const id = (item as Record<string, unknown>).id;
    if (typeof id === 'number' || (typeof id === 'string' && id.length > 0 && id.length < 64)) return String(id);
  }
  return `malformed-at-${position}`;
}

export function fetchActivities(deps: Deps) {
  const { db } = deps.db;

  async function stage(runId: string, dataset: string, page: number, rows: { sourceId: string; data: unknown }[]) {
    for (let i = 0; i < rows.length; i += 1000) {
      const chunk = rows.slice(i, i + 1000).map((r) => ({ runId, dataset, page, sourceId: r.sourceId, data: r.data }));
      if (chunk.length > 0) await db.insert(stagedRecords).values(chunk).onConflictDoNothing();
    }
  }

  return {
    /**
     * Reads Lucca users page by page into staged rows, up to `maxPages`, heartbeating the offset
     * after each staged page. A retried attempt resumes from its last heartbeat; staging is keyed
     * by (run, dataset, record), so a page read twice is stored once.
     */
    async fetchSourcePages(input: { runId: string; offset: number; maxPages: number }): Promise<FetchResult & { offset: number }> {
      const ctx = Context.current();
      const resumed = ctx.info.heartbeatDetails as { offset?: number } | undefined;
      let offset = Math.max(input.offset, resumed?.offset ?? 0);
      const { lucca } = await loadRunContext(deps, input.runId);
      await db.update(syncRuns).set({ phase: 'fetch-source' }).where(eq(syncRuns.id, input.runId));
      let pages = 0;
      let read = 0;
      let done = false;
      while (pages < input.maxPages && !done) {
        const page = await lucca.listUsers({
          offset, fields: HAPPYPAL_USER_FIELDS, formerEmployees: true, signal: ctx.cancellationSignal,
        });
        const rows = page.items.map((item, i) => ({ sourceId: sourceIdOf(item, offset + i), data: item }));
        await stage(input.runId, SOURCE_USERS, offset / LUCCA_PAGE_LIMIT, rows);
        offset += page.items.length;
        read += page.items.length;
        pages += 1;
        done = page.items.length < LUCCA_PAGE_LIMIT;
        ctx.heartbeat({ offset });
      }
      if (done) await db.update(syncRuns).set({ fetchComplete: true }).where(eq(syncRuns.id, input.runId));
      return { offset, pages, done, counts: { read } };
    },

    /** Reads the target's current profiles (for matching and the three-way check), same resumable shape. */
    async fetchTargetPages(input: { runId: string; page: number; maxPages: number }): Promise<FetchResult & { page: number }> {
      const ctx = Context.current();
      const resumed = ctx.info.heartbeatDetails as { page?: number } | undefined;
      let page = Math.max(input.page, resumed?.page ?? 1);
      const { happypal } = await loadRunContext(deps, input.runId);
      await db.update(syncRuns).set({ phase: 'fetch-target' }).where(eq(syncRuns.id, input.runId));
      let pages = 0;
      let done = false;
      while (pages < input.maxPages && !done) {
        const list = await happypal.listUsers(page, TARGET_PAGE_SIZE, ctx.cancellationSignal);
        await stage(input.runId, TARGET_USERS, page, list.data.map((user) => ({ sourceId: user.id, data: user })));
        pages += 1;
        done = list.meta.next_page === null;
        page = list.meta.next_page ?? page + 1;
        ctx.heartbeat({ page });
      }
      return { page, pages, done, counts: {} };
    },
  };
}
