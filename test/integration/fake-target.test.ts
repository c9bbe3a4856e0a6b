import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createDispatcher } from '../../activities/http/http.js';
import { createPostgresRateLimiter } from '../../activities/http/rate-limiter.js';
import type { Deps } from '../../activities/index.js';
import { CONNECTORS } from '../../activities/targets/connectors.js';
import type { TargetName } from '../../activities/targets/registry.js';
import { createDb, type DbHandle } from '../../db/client.js';
import { connections, reportLines, syncRuns } from '../../db/schema.js';
import { startDemoLucca, type DemoLucca } from '../../dev/simulators/lucca/fixtures.js';
import { createCredentialCipher } from '../../lib/credentials.js';
import { createLogger } from '../../lib/logger.js';
import type { SyncInput, SyncSummary } from '../../workflows/contracts.js';
import { createWorker } from '../../workers/create-worker.js';
import { fakeConnector, type FakeStore } from '../support/fake-target/connector.js';
import { testDatabaseUrl } from '../support/database.js';
import { connectToTestServer, testDataConverter, uniqueTaskQueue, workflowBundle } from '../support/temporal.js';

/**
 * A target the product does not have, registered the way a worker takes its targets, synced end to end
 * by the real syncConnection and syncDataset workflows on the suite's Temporal and Postgres, from a
 * Lucca simulator. Nothing in the product names it.
 */
let temporal: Awaited<ReturnType<typeof connectToTestServer>>;
let db: DbHandle;
let lucca: DemoLucca;
let deps: Deps;
const dispatcher = createDispatcher();
const store: FakeStore = new Map();
const taskQueue = uniqueTaskQueue('fake');
const cipher = createCredentialCipher(Buffer.alloc(32, 3));
let connectionId: string;

beforeAll(async () => {
  temporal = await connectToTestServer();
  db = createDb(testDatabaseUrl(), { max: 5 });
  lucca = await startDemoLucca({ company: { employees: 30, seed: 11 }, rateLimitPerMinute: 0 });
  deps = {
    db, cipher, dispatcher, limiter: createPostgresRateLimiter(db.sql, 0), logger: createLogger('silent'),
    allowedHosts: ['127.0.0.1'], today: () => lucca.sim.company('demo').clock.today(),
  };
  // The CLI refuses a target it does not know (TargetNameSchema); the test stores one as a newer version would.
  const [row] = await db.db.insert(connections).values({
    name: `fake-${process.pid}-${Date.now().toString(36)}`, target: 'fake' as TargetName, luccaUrl: lucca.url,
    luccaKeyEnc: cipher.encrypt(lucca.apiKey), targetUrl: 'http://127.0.0.1:9/fake', targetKeyEnc: cipher.encrypt('fake-target-key'), active: true,
  }).returning();
  connectionId = row!.id;
});
afterAll(async () => {
  await dispatcher.close();
  await lucca?.sim.close();
  await db?.close();
  await temporal?.close();
});

async function sync(): Promise<{ summary: SyncSummary; workflowId: string }> {
  const worker = await createWorker({
    connection: temporal.nativeConnection, namespace: 'default', taskQueue, deps, dataConverter: testDataConverter(),
    workflowBundle: await workflowBundle(), connectors: { ...CONNECTORS, fake: fakeConnector(store) },
  });
  const workflowId = `test-fake-${randomBytes(4).toString('hex')}`;
  const summary = await worker.runUntil(temporal.client.workflow.execute('syncConnection', {
    taskQueue, workflowId, args: [{ connectionId, trigger: 'manual', options: { pagesPerActivity: 1, linesPerActivity: 7 } } satisfies SyncInput],
  }) as Promise<SyncSummary>);
  return { summary, workflowId };
}

const expected = () => new Map(lucca.sim.company('demo').users.map((u) => [String(u.id), { name: `${u.firstName} ${u.lastName}`, email: u.mail.toLowerCase() }]));

describe('a third target, registered only in the tests', () => {
  it('is synced end to end by the product workflows: every Lucca user lands in its store, then a second run changes nothing', async () => {
    const first = await sync();
    expect(first.summary).toMatchObject({ status: 'completed', message: null });
    expect(first.summary.counts.created).toBe(expected().size);
    expect(store).toEqual(expected());
    // Its only dataset ran in the run workflow itself, through the same steps as HappyPal's and Reflect's.
    const events = (await temporal.client.workflow.getHandle(first.workflowId).fetchHistory()).events ?? [];
    const steps = new Set(events.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []));
    expect([...steps].sort()).toEqual(['beginRun', 'finishRun', 'stageDataset', 'writeDataset']);
    expect(events.some((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)).toBe(false);
    const [run] = await db.db.select().from(syncRuns).where(eq(syncRuns.workflowId, first.workflowId));
    expect(run?.status).toBe('completed');

    const second = await sync();
    expect(second.summary.status).toBe('completed');
    expect(second.summary.counts.created ?? 0).toBe(0);
    expect(second.summary.counts.read).toBe(expected().size);
  });

  it('repairs a hand edit on the target, and removes what Lucca no longer has', async () => {
    const [someone, other] = [...store.keys()];
    store.delete(someone!);
    store.set(other!, { name: 'Edited By Hand', email: null });
    store.set('ghost', { name: 'Not In Lucca', email: null });
    const { summary, workflowId } = await sync();
    expect(summary).toMatchObject({ status: 'completed', counts: { created: 1, updated: 1, deleted: 1 } });
    expect(store).toEqual(expected());
    const [run] = await db.db.select().from(syncRuns).where(eq(syncRuns.workflowId, workflowId));
    const lines = await db.db.select().from(reportLines).where(eq(reportLines.runId, run!.id));
    expect(lines.map((l) => [l.sourceId, l.action, l.outcome]).sort()).toEqual(
      [[someone, 'created', 'applied'], [other, 'updated', 'applied'], ['ghost', 'deleted', 'applied']].sort());
  });
});
