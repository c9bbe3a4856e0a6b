import type { TargetConnector } from '../connector.js';
import { applyActivities } from './apply.js';
import { createHappyPalClient } from './client.js';
import { fetchActivities } from './fetch.js';
import { planActivities } from './plan.js';
import { HAPPYPAL } from './target.js';

/** Lucca's users, then HappyPal's profiles: the two parts of the employees dataset's read. */
const LUCCA_PART = 0;
const HAPPYPAL_PART = 1;

/**
 * HappyPal as a target: one dataset (employees), read in two parts (Lucca's users from offset 0, then
 * HappyPal's profiles from page 1), planned with the three-way check, written line by line. It reads
 * everything every run, so its read plan is always full and its finish has nothing to move.
 */
export const happypalConnector: TargetConnector<'happypal'> = {
  ...HAPPYPAL,
  async checkKey(endpoint) {
    await createHappyPalClient(endpoint).listUsers(1, 1);
  },
  steps(deps) {
    const fetch = fetchActivities(deps);
    const planner = planActivities(deps);
    const apply = applyActivities(deps);
    return {
      prepare: async () => ({ full: true }),
      async read({ runId, cursor, maxPages }) {
        if (cursor.part === LUCCA_PART) {
          const r = await fetch.fetchSourcePages({ runId, offset: cursor.at, maxPages });
          return r.done
            ? { cursor: { part: HAPPYPAL_PART, at: 1 }, pages: r.pages, done: false, counts: r.counts, phase: 'fetch-target' }
            : { cursor: { part: LUCCA_PART, at: r.offset }, pages: r.pages, done: false, counts: r.counts };
        }
        const r = await fetch.fetchTargetPages({ runId, page: cursor.at, maxPages });
        return { cursor: { part: HAPPYPAL_PART, at: r.page }, pages: r.pages, done: r.done, counts: r.counts, phase: 'fetch-target' };
      },
      async plan({ runId, confirmDeletions, confirmVisibility }) {
        const p = await planner.planChanges({ runId, confirmDeactivations: confirmDeletions, ...(confirmVisibility && { confirmVisibility }) });
        return { counts: p.counts, message: p.blockedReason, ...(p.blockedReason !== null && { blocked: true }) };
      },
      // A blocked plan left no line `planned` (plan.ts): the write finds nothing to do.
      write: ({ runId, maxLines }) => apply.applyChanges({ runId, maxLines }),
      finish: async () => ({ counts: {} }),
      // onForbidden is `fail-run`: the workflow never skips a HappyPal dataset.
      reportForbidden: async () => undefined,
    };
  },
};
