import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import type { Worker } from '@temporalio/worker';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { createDispatcher } from '../../activities/connectors/http.js';
import { createPostgresRateLimiter } from '../../activities/connectors/rate-limiter.js';
import type { Deps } from '../../activities/index.js';
import { createDb, type DbHandle } from '../../db/client.js';
import { insertConnection, type NewConnection } from '../../db/queries/connections.js';
import { createCredentialCipher } from '../../lib/credentials.js';
import { createLogger, type Logger } from '../../lib/logger.js';
import { startDemoLucca, type DemoLucca } from '../../simulators/lucca/fixtures.js';
import { startHappyPalSimulator, type HappyPalSimulator } from '../../simulators/happypal/server.js';
import type { GenerateCompanyOptions } from '../../simulators/data/company.js';
import type { SyncInput, SyncSummary } from '../../workflows/contracts.js';
import { createWorker } from '../../workers/create-worker.js';
import { connectToTestServer, testDataConverter, uniqueTaskQueue, workflowBundle } from './temporal.js';

/** Fixed for the whole test run, so a worker process spawned by a test can decrypt what the test stored. */
export const TEST_CREDENTIALS_KEY = Buffer.alloc(32, 7).toString('base64');

export interface SyncHarness {
  db: DbHandle;
  client: Client;
  taskQueue: string;
  lucca: DemoLucca;
  happypal: HappyPalSimulator;
  deps: Deps;
  addConnection(overrides?: Partial<NewConnection>): Promise<{ id: string; name: string }>;
  /** Runs one sync to its end with an in-process worker and returns its summary. */
  sync(connectionId: string, input?: Partial<SyncInput>): Promise<SyncSummary>;
  start(connectionId: string, input?: Partial<SyncInput>): Promise<WorkflowHandle>;
  withWorker<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

let names = 0;

/**
 * Real Temporal (the suite's dev server), real Postgres (the suite's database), and fresh Lucca and
 * HappyPal simulators for one test. Nothing is mocked.
 */
export async function createSyncHarness(
  options: { company?: GenerateCompanyOptions; luccaRateLimit?: number; luccaApiKey?: string; logger?: Logger } = {},
): Promise<SyncHarness> {
  const temporal = await connectToTestServer();
  const db = createDb(inject('databaseUrl'), { max: 10 });
  const lucca = await startDemoLucca({
    company: options.company ?? { employees: 60, seed: 7 },
    rateLimitPerMinute: options.luccaRateLimit ?? 0,
    ...(options.luccaApiKey && { apiKey: options.luccaApiKey }),
  });
  const happypal = await startHappyPalSimulator({ rateLimitPerMinute: 0 });
  const cipher = createCredentialCipher(Buffer.from(TEST_CREDENTIALS_KEY, 'base64'));
  const dispatcher = createDispatcher();
  const company = lucca.sim.company('demo');
  const deps: Deps = {
    db, cipher, dispatcher,
    limiter: createPostgresRateLimiter(db.sql, 0),
    logger: options.logger ?? createLogger('silent'),
    allowedHosts: ['127.0.0.1'],
    today: () => company.clock.today(),
  };
  const taskQueue = uniqueTaskQueue('sync');
  // A Worker runs once; each `withWorker` makes a new one (the workflow bundle is built once per file).
  const newWorker = async (): Promise<Worker> =>
    createWorker({
      connection: temporal.nativeConnection, namespace: 'default', taskQueue, deps,
      dataConverter: testDataConverter(), workflowBundle: await workflowBundle(),
    });

  const start = (connectionId: string, input: Partial<SyncInput> = {}) =>
    temporal.client.workflow.start('syncConnection', {
      taskQueue,
      workflowId: `test-sync-${connectionId}-${randomBytes(4).toString('hex')}`,
      args: [{ connectionId, trigger: 'manual', ...input } satisfies SyncInput],
    });
  const withWorker = async <T>(fn: () => Promise<T>): Promise<T> => {
    const worker = await newWorker();
    return worker.runUntil(fn());
  };

  return {
    db, client: temporal.client, taskQueue, lucca, happypal, deps, start, withWorker,
    async addConnection(overrides = {}) {
      const name = `conn-${process.pid}-${Date.now().toString(36)}-${names++}`;
      const row = await insertConnection(db.db, cipher, {
        name, target: 'happypal', luccaUrl: lucca.url, luccaKey: lucca.apiKey,
        targetUrl: happypal.url, targetKey: happypal.apiKey, ...overrides,
      });
      return { id: row.id, name: row.name };
    },
    sync: (connectionId, input = {}) => withWorker(async () => (await start(connectionId, input)).result() as Promise<SyncSummary>),
    async close() {
      await dispatcher.close();
      await lucca.sim.close();
      await happypal.close();
      await db.close();
      await temporal.close();
    },
  };
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
