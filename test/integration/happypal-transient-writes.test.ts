import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import { and, eq } from 'drizzle-orm';
import { MAX_WRITE_CALLS } from '../../activities/targets/happypal/apply.js';
import { reportLines } from '../../db/schema.js';
import { rename } from '../../dev/simulators/data/mutations.js';
import type { SyncSummary } from '../../workflows/contracts.js';
import { sleep, waitFor } from '../support/chaos.js';
import { activityAttempts, runEvents } from '../support/run-history.js';
import { currentEmployees } from '../support/fixtures.js';
import { activeProfilesByEmail, expectedActiveProfiles } from '../support/oracle.js';
import { createSyncHarness, type SyncHarness } from '../support/sync-harness.js';

/**
 * HappyPal fails a steady share of writes: 500s, and writes lost after their commit (HappyPal
 * created the profile, the answer never arrives). The write phase re-sends those lines within the
 * attempt, or leaves them planned for the next call, instead of failing the activity: Temporal's
 * backoff (1 s, 2 s, 4 s… up to a minute) is not paid once per fault. Before, each fault failed the
 * attempt, and 300 creates at 20 % faults needed some twenty attempts and several minutes of backoff.
 *
 * An outage (every write fails) still fails the attempt quickly, so Temporal backs off: the
 * activity does not loop on empty calls, and it does not send one request per line.
 *
 * A record HappyPal always fails on (a HappyPal bug on that one profile) does not hold the run:
 * after MAX_WRITE_CALLS write calls that each failed all its sends while HappyPal was up, it is
 * reported as an error, the run completes, and the next run tries it again.
 */
const today = new Date().toISOString().slice(0, 10);
/** The write phase's concurrency (activities/targets/happypal/apply.ts CONCURRENCY), which is also its outage threshold. */
const CONCURRENCY = 16;
/** 20 % of writes fail: 10 % answered 500, 10 % lost after the commit (socket closed). */
const TRANSIENT = { errorRate: 0.1, dropRate: 0.1 };

let h: SyncHarness;
afterEach(async () => {
  await h.close();
});

/** Pending attempts of writeDataset (HappyPal's only dataset runs in the run workflow), as Temporal sees them now (1 = first attempt). */
async function pendingApplyAttempt(handle: WorkflowHandle): Promise<number> {
  const described = await handle.client.getHandle(handle.workflowId).describe().catch(() => undefined);
  const pending = (described?.raw.pendingActivities ?? []).filter((a) => a.activityType?.name === 'writeDataset');
  return Math.max(0, ...pending.map((a) => a.attempt ?? 1));
}

/**
 * The run's result, failing as soon as a writeDataset attempt beyond `maxAttempt` is pending: a
 * write phase that needs Temporal's retries to make progress fails here at once instead of
 * crawling through minutes of backoff until the test times out.
 */
async function resultWithoutBackoff(handle: WorkflowHandle, maxAttempt: number): Promise<SyncSummary> {
  let finished = false;
  const result = (handle.result() as Promise<SyncSummary>).finally(() => (finished = true));
  const watch = async (): Promise<never> => {
    while (!finished) {
      const attempt = await pendingApplyAttempt(handle);
      if (attempt > maxAttempt) throw new Error(`writeDataset is on attempt ${attempt}: the write phase relies on Temporal's retries`);
      await sleep(100);
    }
    return new Promise<never>(() => undefined); // the result has settled: it wins the race
  };
  return Promise.race([result, watch()]);
}

/** How many times the run scheduled writeDataset (each call, not each retry of one). */
async function applyCalls(handle: WorkflowHandle): Promise<number> {
  return (await runEvents(handle)).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'writeDataset').length;
}

describe('HappyPal write faults in the write phase', () => {
  beforeEach(async () => {
    h = await createSyncHarness({ company: { employees: 300, seed: 29, asOf: today } });
  });

  it('a steady 20 % of transient write faults: every profile created once, updated once, without Temporal retries', async () => {
    const company = h.lucca.sim.company('demo');
    const expected = () => expectedActiveProfiles(company, today);
    const { id } = await h.addConnection();
    h.happypal.faults.set('createUser', TRANSIENT);
    h.happypal.faults.set('updateUser', TRANSIENT);
    // 100 lines per call: lines left planned by one call are taken first by the next.
    const sync = () => h.withWorker(async () => {
      const handle = await h.start(id, { options: { linesPerActivity: 100 } });
      return { summary: await resultWithoutBackoff(handle, 2), handle };
    });

    // Run 1: every employee is created.
    const first = await sync();
    expect(first.summary.status).toBe('completed');
    expect(first.summary.counts.created).toBe(expected().size);
    const users = h.happypal.state.dump().users;
    expect(users).toHaveLength(expected().size); // created exactly once: no duplicate profile
    expect(activeProfilesByEmail(users)).toEqual(expected());
    expect(await applyCalls(first.handle)).toBeGreaterThanOrEqual(3);
    // At most one retry with backoff (a call whose few left-over lines all failed three times again).
    expect((await activityAttempts(first.handle)).writeDataset).toBeLessThanOrEqual(2);
    const creates = h.happypal.state.dump().requestCounts.createUser ?? {};
    expect(creates['500']).toBeGreaterThan(0);
    expect(creates.dropped).toBeGreaterThan(0);
    // Writes lost after their commit were sent again with their key and answered with the first result.
    const replaysAfterFirst = h.happypal.state.dump().idempotencyReplays;
    expect(replaysAfterFirst).toBeGreaterThan(0);

    // Run 2: 60 renames, under the same faults on updates.
    for (const person of currentEmployees(company).slice(0, 60)) rename(company, person.id, { lastName: `Renommé-${person.id}` });
    const second = await sync();
    expect(second.summary.status).toBe('completed');
    expect(second.summary.counts.updated).toBe(60);
    expect(h.happypal.state.dump().users).toHaveLength(expected().size);
    expect(activeProfilesByEmail(h.happypal.state.dump().users)).toEqual(expected());
    expect((await activityAttempts(second.handle)).writeDataset ?? 1).toBeLessThanOrEqual(2);
    expect(h.happypal.state.dump().requestCounts.updateUser?.dropped).toBeGreaterThan(0);
  });

  it('HappyPal goes down mid-write: the attempt with progress returns, the next fails fast and Temporal backs off; no loop, no duplicate', async () => {
    const company = h.lucca.sim.company('demo');
    const expected = expectedActiveProfiles(company, today);
    const { id } = await h.addConnection();
    h.happypal.faults.set('createUser', { latencyMs: 40 }); // a write phase long enough to go down in
    const summary = await h.withWorker(async () => {
      const handle = await h.start(id); // one call could take every line (linesPerActivity 5,000)
      await waitFor('50 profiles created', () => h.happypal.state.dump().users.length >= 50, { intervalMs: 10 });
      h.happypal.faults.set('createUser', { errorRate: 1 });
      // The second call has failed twice (backed off 1 s, then 2 s): its third attempt is pending.
      const attempt = await waitFor('a third attempt of the second call', async () => {
        const n = await pendingApplyAttempt(handle);
        return n >= 3 ? n : undefined;
      });
      // The first call committed its progress and returned `done: false`; the second made none and
      // threw: two calls in all, then Temporal's retries, never a loop of immediate empty calls.
      expect(await applyCalls(handle)).toBe(2);
      const before = h.happypal.state.dump().users.length;
      expect(before).toBeLessThan(expected.size);
      // Each attempt stopped after CONCURRENCY failures in a row: at most the first round plus the
      // lines taken before the last of that round failed, far from one request per planned line.
      const failed = h.happypal.state.dump().requestCounts.createUser?.['500'] ?? 0;
      expect(failed).toBeGreaterThanOrEqual(attempt * CONCURRENCY);
      expect(failed).toBeLessThanOrEqual((attempt + 1) * 2 * CONCURRENCY);
      expect(failed).toBeLessThan(expected.size - before);

      h.happypal.faults.clear();
      return (await handle.result()) as SyncSummary;
    });
    expect(summary.status).toBe('completed');
    expect(summary.counts.created).toBe(expected.size);
    expect(h.happypal.state.dump().users).toHaveLength(expected.size); // no duplicate
    expect(activeProfilesByEmail(h.happypal.state.dump().users)).toEqual(expected);
  });
});

describe('a record HappyPal always fails on', () => {
  beforeEach(async () => {
    h = await createSyncHarness({ company: { employees: 100, seed: 29, asOf: today } });
  });

  /** The run's result within `ms` (or the test fails and the workflow is terminated): without the rule, the run never ends. */
  async function resultWithin(handle: WorkflowHandle, maxAttempt: number, ms: number): Promise<SyncSummary> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the run did not finish within ${ms} ms`)), ms);
    });
    try {
      return await Promise.race([resultWithoutBackoff(handle, maxAttempt), deadline]);
    } catch (err) {
      await handle.terminate('test: the run did not finish').catch(() => undefined);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  it('is reported failed after MAX_WRITE_CALLS write calls and the run completes; the next run creates it, once', async () => {
    const company = h.lucca.sim.company('demo');
    const expected = expectedActiveProfiles(company, today);
    const broken = currentEmployees(company)[40];
    if (!broken) throw new Error('no employee');
    const brokenEmail = broken.mail.trim().normalize('NFC').toLowerCase();
    const { id } = await h.addConnection();
    h.happypal.state.reject(broken.mail, 500); // every write on this one record answers 500, forever
    const sync = (maxAttempt: number) => h.withWorker(async () => {
      const handle = await h.start(id);
      return { summary: await resultWithin(handle, maxAttempt, 90_000), handle };
    });

    // Run 1: the first call writes every other line and counts one try on the broken one; the line
    // is then alone, and each retry of the second call counts one more (HappyPal answers a read):
    // its 4th attempt reaches MAX_WRITE_CALLS and fails the line.
    const first = await sync(MAX_WRITE_CALLS - 1);
    expect(first.summary.status).toBe('completed');
    expect(first.summary.counts).toMatchObject({ created: expected.size - 1, error: 1 });
    const others = new Map(expected);
    others.delete(brokenEmail);
    const users = h.happypal.state.dump().users;
    expect(users).toHaveLength(expected.size - 1); // every other profile created exactly once
    expect(activeProfilesByEmail(users)).toEqual(others);
    const [line] = await h.db.db.select().from(reportLines)
      .where(and(eq(reportLines.runId, first.summary.runId), eq(reportLines.sourceId, String(broken.id))));
    expect(line).toMatchObject({
      outcome: 'failed', action: 'error', also: ['created'], writeTries: MAX_WRITE_CALLS,
      error: 'HappyPal failed on every try (HTTP 500, 15 sends over 5 write calls); the record is tried again on the next run.',
    });
    expect(h.happypal.state.dump().requestCounts.createUser?.['500']).toBe(MAX_WRITE_CALLS * 3); // 3 sends per call
    expect(await applyCalls(first.handle)).toBe(2);
    expect((await activityAttempts(first.handle)).writeDataset).toBe(MAX_WRITE_CALLS - 1);

    // Run 2: HappyPal is fixed; the record is planned again and created, once.
    h.happypal.state.reject(broken.mail, null);
    const second = await sync(1);
    expect(second.summary.status).toBe('completed');
    expect(second.summary.counts.created).toBe(1);
    expect(second.summary.counts.error ?? 0).toBe(0);
    expect(h.happypal.state.dump().users).toHaveLength(expected.size);
    expect(activeProfilesByEmail(h.happypal.state.dump().users)).toEqual(expected);
    expect(h.happypal.state.dump().requestCounts.createUser?.['201']).toBe(expected.size);
  });
});
