import { eq } from 'drizzle-orm';
import { syncRuns } from '../../../db/schema.js';
import { HAPPYPAL_USER_FIELDS, LUCCA_PAGE_LIMIT } from '../../lucca/schemas.js';
import { loadRunContext, type Deps } from '../../deps.js';
import { loadRunContext as loadHappyPalContext } from './context.js';
import { runFetchLoop, sourceIdOf, stageRows } from '../../http/fetch-loop.js';

export const SOURCE_USERS = 'lucca-users';
export const TARGET_USERS = 'happypal-users';
/** Profiles that do not match HappyPal's contract: their id, email and problems only (never written). */
export const TARGET_UNREADABLE = 'happypal-users-unreadable';
const TARGET_PAGE_SIZE = 1000;

export interface FetchResult {
  pages: number;
  done: boolean;
  counts: Record<string, number>;
}

export function fetchActivities(deps: Deps) {
  const { db } = deps.db;

  return {
    /**
     * Reads Lucca users page by page into staged rows, up to `maxPages`, heartbeating the offset
     * after each staged page (the shared loop of activities/http/fetch-loop.ts). A retried attempt resumes
     * from its last heartbeat; staging is keyed by (run, dataset, record), so a page read twice is
     * stored once.
     */
    async fetchSourcePages(input: { runId: string; offset: number; maxPages: number }): Promise<FetchResult & { offset: number }> {
      const { lucca } = await loadRunContext(deps, input.runId);
      await db.update(syncRuns).set({ phase: 'fetch-source' }).where(eq(syncRuns.id, input.runId));
      const result = await runFetchLoop(deps.db, {
        runId: input.runId,
        start: { offset: input.offset },
        maxPages: input.maxPages,
        resume: (start, beat) => ({ offset: Math.max(start.offset, beat?.offset ?? 0) }),
        async readPage({ offset }, signal) {
          const page = await lucca.listUsers({ offset, fields: HAPPYPAL_USER_FIELDS, formerEmployees: true, signal });
          return {
            dataset: SOURCE_USERS,
            page: offset / LUCCA_PAGE_LIMIT,
            rows: page.items.map((item, i) => ({ sourceId: sourceIdOf(item, offset + i), data: item })),
            next: { offset: offset + page.items.length },
            done: page.items.length < LUCCA_PAGE_LIMIT,
          };
        },
      });
      if (result.done) await db.update(syncRuns).set({ fetchComplete: true }).where(eq(syncRuns.id, input.runId));
      return { offset: result.cursor.offset, pages: result.pages, done: result.done, counts: { read: result.read } };
    },

    /**
     * Reads the target's current profiles (for matching and the three-way check), same resumable loop.
     * A profile that does not match the contract is staged apart (TARGET_UNREADABLE) and planned as
     * not writable: one odd profile never fails the read.
     */
    async fetchTargetPages(input: { runId: string; page: number; maxPages: number }): Promise<FetchResult & { page: number }> {
      const { happypal } = await loadHappyPalContext(deps, input.runId);
      await db.update(syncRuns).set({ phase: 'fetch-target' }).where(eq(syncRuns.id, input.runId));
      const result = await runFetchLoop(deps.db, {
        runId: input.runId,
        start: { page: input.page },
        maxPages: input.maxPages,
        resume: (start, beat) => ({ page: Math.max(start.page, beat?.page ?? 1) }),
        async readPage({ page }, signal) {
          const list = await happypal.listUsers(page, TARGET_PAGE_SIZE, signal);
          if (list.unreadable.length > 0) {
            await stageRows(deps.db, input.runId, TARGET_UNREADABLE, page, list.unreadable.map((u) => ({
              sourceId: u.id ?? `unreadable-at-${page}-${u.position}`, data: { email: u.email, problems: u.problems },
            })));
            deps.logger.warn({ runId: input.runId, page, profiles: list.unreadable.map((u) => u.id ?? `#${u.position}`) }, 'HappyPal profiles that do not match the contract were set aside');
          }
          return {
            dataset: TARGET_USERS,
            page,
            rows: list.data.map((user) => ({ sourceId: user.id, data: user })),
            next: { page: list.meta.next_page ?? page + 1 },
            done: list.meta.next_page === null,
          };
        },
      });
      return { page: result.cursor.page, pages: result.pages, done: result.done, counts: {} };
    },
  };
}
