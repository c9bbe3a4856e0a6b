import type { TargetConnector } from '../connector.js';
import { applyActivities } from './apply.js';
import { createHappyPalClient } from './client.js';
import { fetchActivities } from './fetch.js';
import { planActivities } from './plan.js';
import { decideRunRead, moveReadCursor, usersReadPlanOf } from './read-plan.js';
import { HAPPYPAL } from './target.js';
import { linkedSourceIds } from '../../../db/queries/connections.js';
import { EMPLOYEES } from './plan.js';

/**
 * Lucca's users, then HappyPal's profiles: the parts of the employees dataset's read. Lucca's read is
 * itself in parts on an incremental run (fetch.ts: 0 modified since, 1 contract ends, 2 records to
 * re-judge), so the cursor's part below HAPPYPAL_PART is Lucca's own; HappyPal's pages are read at
 * HAPPYPAL_PART, past any part of Lucca's, so a read resumed from its cursor knows which it was in.
 */
const HAPPYPAL_PART = 10;

/**
 * HappyPal as a target: one dataset (employees), read in two parts (Lucca's users from offset 0, then
 * HappyPal's profiles from page 1), planned with the three-way check, written line by line. Its read
 * plan (prepare) is rules/incremental.ts's UsersReadPlan: a full read, or Lucca's users changed since
 * the cursor and their HappyPal profiles only; its finish moves that cursor once the writes are done.
 */
export const happypalConnector: TargetConnector<'happypal'> = {
  ...HAPPYPAL,
  async checkKey(endpoint) {
    await createHappyPalClient(endpoint).listUsers(1, 1);
  },
  attributeDefinitions: (endpoint) => createHappyPalClient(endpoint).listCustomAttributes(),
  // Out of the scope: never written; a linked profile that leaves it is deactivated (plan-records.ts).
  scope: {
    writtenPeople: (db, connectionId) => linkedSourceIds(db, connectionId, EMPLOYEES),
    words: { written: 'linked profile(s)', leaving: 'deactivated', joining: 'without a profile yet (created or attached by email)' },
  },
  steps(deps) {
    const fetch = fetchActivities(deps);
    const planner = planActivities(deps);
    const apply = applyActivities(deps);
    return {
      prepare: ({ runId, full }) => decideRunRead(deps, runId, !!full),
      async read({ runId, plan, cursor, maxPages }) {
        const read = usersReadPlanOf(plan);
        if (cursor.part < HAPPYPAL_PART) {
          const r = await fetch.fetchSourcePages({ runId, offset: cursor.at, maxPages, ...(read && { read, part: cursor.part }) });
          return r.done
            ? { cursor: { part: HAPPYPAL_PART, at: 1 }, pages: r.pages, done: false, counts: r.counts, phase: 'fetch-target' }
            : { cursor: { part: r.part ?? cursor.part, at: r.offset }, pages: r.pages, done: false, counts: r.counts };
        }
        const r = await fetch.fetchTargetPages({ runId, page: cursor.at, maxPages, ...(read && { read }) });
        return { cursor: { part: HAPPYPAL_PART, at: r.page }, pages: r.pages, done: r.done, counts: r.counts, phase: 'fetch-target' };
      },
      async plan({ runId, plan, confirmDeletions, confirmVisibility }) {
        const read = usersReadPlanOf(plan);
        const p = await planner.planChanges({ runId, confirmDeactivations: confirmDeletions, ...(confirmVisibility && { confirmVisibility }), ...(read && { read }) });
        return { counts: p.counts, message: p.blockedReason, ...(p.blockedReason !== null && { blocked: true }) };
      },
      // A blocked plan left no line `planned` (plan.ts): the write finds nothing to do.
      write: ({ runId, maxLines }) => apply.applyChanges({ runId, maxLines }),
      async finish({ runId, plan, dryRun, blocked }) {
        const read = usersReadPlanOf(plan);
        if (read) await moveReadCursor(deps, { runId, read, dryRun, blocked: !!blocked });
        return { counts: {} };
      },
      // onForbidden is `fail-run`: the workflow never skips a HappyPal dataset.
      reportForbidden: async () => undefined,
    };
  },
};
