import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Deps } from '../../activities/index.js';
import type { DatasetSteps, TargetConnector } from '../../activities/targets/connector.js';
import { datasetActivities } from '../../activities/targets/dataset-activities.js';
import type { TargetName } from '../../activities/targets/registry.js';
import { createDb, type DbHandle } from '../../db/client.js';
import { connections, syncRuns } from '../../db/schema.js';
import { createCredentialCipher } from '../../lib/credentials.js';
import { createLogger } from '../../lib/logger.js';
import type { DatasetPages, DatasetStaged, ReadCursor } from '../../workflows/contracts.js';
import { testDatabaseUrl } from '../support/database.js';

/**
 * stageDataset, the activity that reads and plans a dataset in as few calls as its page budget
 * allows, on a scripted target whose read is two parts (as HappyPal's: the source's pages, then the
 * target's from part 10), with the run in the suite's Postgres and the activity in Temporal's mock
 * activity environment (its attempt number is what changes).
 */
const cipher = createCredentialCipher(Buffer.alloc(32, 5));
let db: DbHandle;
let runId: string;

/** Part 0: `sourcePages` pages, then part 10 from page 1: `targetPages` pages. Records each call. */
function scripted(sourcePages: number, targetPages: number) {
  const calls: { cursor: ReadCursor; maxPages: number }[] = [];
  let plans = 0;
  const steps: DatasetSteps = {
    prepare: async () => ({ full: true }),
    async read({ cursor, maxPages }): Promise<DatasetPages> {
      calls.push({ cursor, maxPages });
      if (cursor.part === 0) {
        const pages = Math.min(maxPages, sourcePages - cursor.at);
        const at = cursor.at + pages;
        return at >= sourcePages
          ? { cursor: { part: 10, at: 1 }, pages, done: false, counts: { read: pages }, phase: 'fetch-target' }
          : { cursor: { part: 0, at }, pages, done: false, counts: { read: pages } };
      }
      const pages = Math.min(maxPages, targetPages - cursor.at + 1);
      const at = cursor.at + pages;
      return { cursor: { part: 10, at }, pages, done: at > targetPages, counts: {}, phase: 'fetch-target' };
    },
    plan: async () => {
      plans += 1;
      return { counts: { planned_created: 2 }, message: null };
    },
    write: async () => ({ done: true, counts: {} }),
    finish: async () => ({ counts: {} }),
    reportForbidden: async () => undefined,
  };
  const connector = { name: 'scripted', steps: () => steps } as unknown as TargetConnector;
  return { calls, plans: () => plans, connector };
}

function activities(connector: TargetConnector) {
  const deps = { db, cipher, logger: createLogger('silent'), today: () => '2026-12-01' } as unknown as Deps;
  return datasetActivities(deps, { scripted: connector });
}

const stage = { dataset: 'employees', plan: { full: true }, confirmDeletions: false };

beforeAll(async () => {
  db = createDb(testDatabaseUrl(), { max: 2 });
  const [connection] = await db.db.insert(connections).values({
    name: `stage-${process.pid}-${Date.now().toString(36)}`, target: 'scripted' as TargetName, luccaUrl: 'http://127.0.0.1:9/lucca',
    luccaKeyEnc: cipher.encrypt('lucca-key'), targetUrl: 'http://127.0.0.1:9/target', targetKeyEnc: cipher.encrypt('target-key'), active: true,
  }).returning();
  const [run] = await db.db.insert(syncRuns).values({ connectionId: connection!.id, workflowId: `stage-${connection!.id}`, trigger: 'manual' }).returning();
  runId = run!.id;
});
afterAll(async () => {
  await db?.close();
});

describe('stageDataset', () => {
  it("reads the source's pages, then the target's, then plans, in one call when the page budget covers them", async () => {
    const s = scripted(2, 1);
    const staged = await new MockActivityEnvironment({ attempt: 1 }).run(activities(s.connector).stageDataset, { runId, ...stage, cursor: { part: 0, at: 0 }, maxPages: 10 });
    expect(staged).toMatchObject({ done: true, pages: 3, counts: { read: 2 }, phase: 'fetch-target', planned: { counts: { planned_created: 2 } } });
    expect(s.calls).toEqual([{ cursor: { part: 0, at: 0 }, maxPages: 10 }, { cursor: { part: 10, at: 1 }, maxPages: 8 }]);
    expect(s.plans()).toBe(1);
  });

  it('stops at the page budget, across parts, without planning', async () => {
    const s = scripted(3, 5);
    const staged: DatasetStaged = await new MockActivityEnvironment({ attempt: 1 }).run(activities(s.connector).stageDataset, { runId, ...stage, cursor: { part: 0, at: 0 }, maxPages: 4 });
    expect(staged).toMatchObject({ done: false, pages: 4, cursor: { part: 10, at: 2 } });
    expect(staged.planned).toBeUndefined();
    expect(s.plans()).toBe(0);
  });

  it("a retried attempt reads one step from the workflow's cursor, whatever part the failed attempt reached", async () => {
    const s = scripted(2, 1);
    const staged = await new MockActivityEnvironment({ attempt: 2, heartbeatDetails: { page: 3 } }).run(activities(s.connector).stageDataset, {
      runId, ...stage, cursor: { part: 0, at: 0 }, maxPages: 10,
    });
    // The source's part only: the target's is read by the next call, from its first page, with its own heartbeats.
    expect(staged).toMatchObject({ done: false, pages: 2, cursor: { part: 10, at: 1 } });
    expect(s.calls).toEqual([{ cursor: { part: 0, at: 0 }, maxPages: 10 }]);
    expect(s.plans()).toBe(0);
  });

  it('a read that does not move stops the call instead of asking again', async () => {
    const s = scripted(2, 1);
    const stuck = { ...s.connector, steps: () => ({ ...s.connector.steps({} as Deps), read: async ({ cursor }: { cursor: ReadCursor }) => ({ cursor, pages: 0, done: false, counts: {} }) }) };
    const staged = await new MockActivityEnvironment({ attempt: 1 }).run(activities(stuck as TargetConnector).stageDataset, { runId, ...stage, cursor: { part: 0, at: 0 }, maxPages: 10 });
    expect(staged).toMatchObject({ done: false, pages: 0, cursor: { part: 0, at: 0 } });
  });
});
