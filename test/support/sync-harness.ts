import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Deps } from '../../activities/index.js';
import { createDb, type DbHandle } from '../../db/client.js';
import type { NewConnection } from '../../db/queries/connections.js';
import type { Logger } from '../../lib/logger.js';
import { startDemoLucca, type DemoLucca } from '../../dev/simulators/lucca/fixtures.js';
import { startHappyPalSimulator, type HappyPalSimulator } from '../../dev/simulators/happypal/server.js';
import type { GenerateCompanyOptions } from '../../dev/simulators/data/company.js';
import type { SyncInput, SyncSummary } from '../../workflows/contracts.js';
import { createHarnessCore, HARNESS_CREDENTIALS_KEY } from './harness-core.js';
import { connectToTestServer, uniqueTaskQueue } from './temporal.js';
import { testDatabaseUrl } from './database.js';

/** Fixed for the whole test run, so a worker process spawned by a test can decrypt what the test stored. */
export const TEST_CREDENTIALS_KEY = HARNESS_CREDENTIALS_KEY;

export interface SyncHarness {
  db: DbHandle;
  client: Client;
  taskQueue: string;
  lucca: DemoLucca;
  happypal: HappyPalSimulator;
  deps: Deps;
  addConnection(overrides?: Partial<NewConnection> & { fullReadDays?: number | null }): Promise<{ id: string; name: string }>;
  /** Runs one sync to its end with an in-process worker and returns its summary. */
  sync(connectionId: string, input?: Partial<SyncInput>): Promise<SyncSummary>;
  start(connectionId: string, input?: Partial<SyncInput>): Promise<WorkflowHandle>;
  withWorker<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Real Temporal (the suite's dev server), real Postgres (the suite's database), and fresh Lucca and
 * HappyPal simulators for one test. Nothing is mocked.
 */
export async function createSyncHarness(
  options: { company?: GenerateCompanyOptions; luccaRateLimit?: number; luccaRateWindowMs?: number; luccaApiKey?: string; logger?: Logger } = {},
): Promise<SyncHarness> {
  const temporal = await connectToTestServer();
  const db = createDb(testDatabaseUrl(), { max: 10 });
  const lucca = await startDemoLucca({
    company: options.company ?? { employees: 60, seed: 7 },
    rateLimitPerMinute: options.luccaRateLimit ?? 0,
    ...(options.luccaRateWindowMs && { rateLimitWindowMs: options.luccaRateWindowMs }),
    ...(options.luccaApiKey && { apiKey: options.luccaApiKey }),
  });
  const happypal = await startHappyPalSimulator({ rateLimitPerMinute: 0 });
  const { deps, taskQueue, start, withWorker, sync, addConnection, close } = createHarnessCore({
    db, temporal, lucca, target: happypal, targetKind: 'happypal', taskQueue: uniqueTaskQueue('sync'),
    workflowIdPrefix: 'test-sync', namePrefix: 'conn', logger: options.logger, modelNow: true, defaultFullReadDays: 0,
  });
  return { db, client: temporal.client, taskQueue, lucca, happypal, deps, start, withWorker, sync, addConnection, close };
}

/** Counts of write requests HappyPal received, by endpoint, from its own request log. */
export function happyPalWrites(happypal: HappyPalSimulator): number {
  const counts = happypal.state.dump().requestCounts;
  let total = 0;
  for (const endpoint of ['createUser', 'updateUser', 'deactivateUser', 'reactivateUser']) {
    for (const n of Object.values(counts[endpoint] ?? {})) total += n;
  }
  return total;
}
