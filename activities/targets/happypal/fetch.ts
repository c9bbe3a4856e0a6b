import { HAPPYPAL_USER_FIELDS, LUCCA_PAGE_LIMIT } from '../../lucca/schemas.js';
import { loadRunContext, type Deps } from '../../deps.js';
import { runFetchLoop, sourceIdOf, type PageRead } from '../../http/fetch-loop.js';
import { stageRows } from '../../../db/queries/staging.js';
import { countLinks, stagedSourcesWithLinks } from '../../../db/queries/plan.js';
import { markFetchComplete, setRunPhase } from '../../../db/queries/runs.js';
import { loadRunContext as loadHappyPalContext } from './context.js';
import { retryIds } from '../../../db/queries/read-cursors.js';
import { idQueries, lookUpTargets, targetLookups, type UsersReadPlan } from '../../../rules/incremental.js';
import type { HappyPalUser } from './schemas.js';
import { storedMappings, storedScope, usersFields } from '../../../rules/connection-config.js';

export const SOURCE_USERS = 'lucca-users';
export const TARGET_USERS = 'happypal-users';
/** Profiles that do not match HappyPal's contract: their id, email and problems only (never written). */
export const TARGET_UNREADABLE = 'happypal-users-unreadable';
/** Profiles per HappyPal page (the API's most; the bench baseline reads with the same). */
export const TARGET_PAGE_SIZE = 1000;
/** Incremental runs: profile lookups per heartbeat (a "page" of the fetch loop), sent a few at a time. */
const LOOKUPS_PER_PAGE = 100;
const LOOKUP_CONCURRENCY = 4;

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
    async fetchSourcePages(input: {
      runId: string; offset: number; maxPages: number;
      /** The run's read plan (absent: a full read, as in histories recorded before incremental reads). */
      read?: UsersReadPlan;
      /** Incremental reads: which part (0 modified since, 1 contract ends, 2 records to re-judge); absent = 0. */
      part?: number;
    }): Promise<FetchResult & { offset: number; part?: number }> {
      const { lucca, connection } = await loadRunContext(deps, input.runId);
      await setRunPhase(db, input.runId, 'fetch-source');
      // The scope's org ids and the mapped sources are read with the six synced fields.
      const fields = usersFields(HAPPYPAL_USER_FIELDS, storedScope(connection.scope), storedMappings(connection.fieldMappings));
      const incremental = input.read && !input.read.full ? input.read : null;
      // The records to re-judge do not change while the run reads (the plan that changes them comes later).
      const retry = incremental
        ? idQueries(await retryIds(deps.db.sql, { connectionId: connection.id, dataset: 'employees', since: incremental.cursorAt ? new Date(incremental.cursorAt) : null }))
        : [];
      const result = await runFetchLoop(deps.db, {
        runId: input.runId,
        start: { part: input.part ?? 0, offset: input.offset },
        maxPages: input.maxPages,
        resume: (start, beat) => (beat && (beat.part ?? 0) > start.part) || (beat && (beat.part ?? 0) === start.part && beat.offset > start.offset)
          ? { part: beat.part ?? 0, offset: beat.offset } : start,
        async readPage({ part, offset }, signal) {
          const base = { offset, fields, formerEmployees: true, signal };
          const query = !incremental ? base
            : part === 0 ? { ...base, modifiedSince: incremental.modifiedSince ?? undefined }
              : part === 1 ? { ...base, ...(incremental.endedBetween && { contractEndBetween: incremental.endedBetween }) }
                : { ...base, offset: 0, ids: retry[offset] };
          if (incremental && part === 2 && retry.length === 0) return { dataset: SOURCE_USERS, page: 0, rows: [], next: { part: 3, offset: 0 }, done: true };
          const page = await lucca.listUsers(query);
          const full = page.items.length >= LUCCA_PAGE_LIMIT;
          const position = part === 2 ? 0 : offset;
          const rows = page.items.map((item, i) => ({ sourceId: sourceIdOf(item, position + i), data: item }));
          if (!incremental) return { dataset: SOURCE_USERS, page: offset / LUCCA_PAGE_LIMIT, rows, next: { part: 0, offset: offset + page.items.length }, done: !full };
          // Part 2 reads one id list per page; parts 0 and 1 page by offset, then the next part starts.
          const next = part === 2
            ? (offset + 1 < retry.length ? { part, offset: offset + 1 } : { part: 3, offset: 0 })
            : (full ? { part, offset: offset + page.items.length } : { part: part + 1, offset: 0 });
          return { dataset: SOURCE_USERS, page: part * 1_000_000 + offset, rows, next, done: next.part > 2 };
        },
      });
      if (result.done) await markFetchComplete(db, input.runId);
      return { offset: result.cursor.offset, part: result.cursor.part, pages: result.pages, done: result.done, counts: { read: result.read } };
    },

    /**
     * Reads the target's current profiles (for matching and the three-way check), same resumable loop.
     * A profile that does not match the contract is staged apart (TARGET_UNREADABLE) and planned as
     * not writable: one odd profile never fails the read.
     */
    async fetchTargetPages(input: {
      runId: string; page: number; maxPages: number;
      /** The run's read plan: an incremental run reads only the profiles of the people it read (absent: all). */
      read?: UsersReadPlan;
    }): Promise<FetchResult & { page: number }> {
      const { happypal, connection } = await loadHappyPalContext(deps, input.runId);
      await setRunPhase(db, input.runId, 'fetch-target');
      const setAside = async (page: number, unreadable: { id: string | null; position: number; email: string | null; problems: string[] }[]) => {
        if (unreadable.length === 0) return;
        await stageRows(deps.db, input.runId, TARGET_UNREADABLE, page, unreadable.map((u) => ({
          sourceId: u.id ?? `unreadable-at-${page}-${u.position}`, data: { email: u.email, problems: u.problems },
        })));
        deps.logger.warn({ runId: input.runId, page, profiles: unreadable.map((u) => u.id ?? `#${u.position}`) }, 'HappyPal profiles that do not match the contract were set aside');
      };
      // HappyPal's pages are numbered from 1, whichever way they are read; a retried attempt resumes after its last heartbeat.
      const readTargetPages = async (readPage: (cursor: { page: number }, signal: AbortSignal) => Promise<PageRead<{ page: number }>>) => {
        const result = await runFetchLoop(deps.db, {
          runId: input.runId, start: { page: input.page }, maxPages: input.maxPages,
          resume: (start, beat) => ({ page: Math.max(start.page, beat?.page ?? 1) }),
          readPage,
        });
        return { page: result.cursor.page, pages: result.pages, done: result.done, counts: {} };
      };
      if (input.read && !input.read.full) {
        // Stable across attempts: the staged read is complete, and links change only in the write phase.
        const employees = { connectionId: connection.id, dataset: 'employees' };
        const sources = await stagedSourcesWithLinks(deps.db.sql, input.runId, SOURCE_USERS, employees);
        const linked = await countLinks(deps.db.sql, employees);
        const lookups = targetLookups(sources);
        if (lookUpTargets(lookups, linked)) {
          const all = [...lookups.ids.map((id) => ({ id })), ...lookups.emails.map((email) => ({ email }))];
          return readTargetPages(async ({ page }, signal) => {
            // Page n (from 1) is lookups [(n-1)·LOOKUPS_PER_PAGE, n·LOOKUPS_PER_PAGE), a few at a time.
            const slice = all.slice((page - 1) * LOOKUPS_PER_PAGE, page * LOOKUPS_PER_PAGE);
            const users: HappyPalUser[] = [];
            const unreadable: { id: string | null; position: number; email: string | null; problems: string[] }[] = [];
            for (let i = 0; i < slice.length; i += LOOKUP_CONCURRENCY) {
              await Promise.all(slice.slice(i, i + LOOKUP_CONCURRENCY).map(async (lookup, j) => {
                if ('id' in lookup) {
                  const found = await happypal.getUser(lookup.id, signal);
                  if (found && 'user' in found) users.push(found.user);
                  else if (found) unreadable.push({ ...found.unreadable, position: i + j });
                } else {
                  // Every profile with this email (a few at most: more than one is itself ambiguous).
                  const list = await happypal.listUsers(1, 100, signal, lookup.email);
                  users.push(...list.data);
                  unreadable.push(...list.unreadable.map((u) => ({ ...u, position: i + j })));
                }
              }));
            }
            await setAside(page, unreadable);
            const done = page * LOOKUPS_PER_PAGE >= all.length;
            return { dataset: TARGET_USERS, page, rows: users.map((user) => ({ sourceId: user.id, data: user })), next: { page: page + 1 }, done };
          });
        }
      }
      return readTargetPages(async ({ page }, signal) => {
        const list = await happypal.listUsers(page, TARGET_PAGE_SIZE, signal);
        await setAside(page, list.unreadable);
        return {
          dataset: TARGET_USERS,
          page,
          rows: list.data.map((user) => ({ sourceId: user.id, data: user })),
          next: { page: list.meta.next_page ?? page + 1 },
          done: list.meta.next_page === null,
        };
      });
    },
  };
}
