import { eq } from 'drizzle-orm';
import { connections } from '../../db/schema.js';
import { randomBytes } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { createDispatcher } from '../../activities/http/http.js';
import { createPostgresRateLimiter } from '../../activities/http/rate-limiter.js';
import type { Deps } from '../../activities/index.js';
import type { TargetName } from '../../activities/targets/registry.js';
import type { DbHandle } from '../../db/client.js';
import { insertConnection, type NewConnection } from '../../db/queries/connections.js';
import { createCredentialCipher } from '../../lib/credentials.js';
import { createLogger, type Logger } from '../../lib/logger.js';
import type { DemoLucca } from '../../dev/simulators/lucca/fixtures.js';
import type { SyncInput, SyncSummary } from '../../workflows/contracts.js';
import { createWorker } from '../../workers/create-worker.js';
import { testDataConverter, workflowBundle } from './temporal.js';

/**
 * The wiring sync-harness.ts, reflect-harness.ts and chaos.ts share once each has its Temporal
 * connections, database and simulators. No vitest `inject` here: chaos.ts also runs in the soak script.
 */

/** Fixed for the whole test run, so a worker process spawned by a test can decrypt what the test stored. */
export const HARNESS_CREDENTIALS_KEY = Buffer.alloc(32, 7).toString('base64');

export interface HarnessCoreOptions {
  db: DbHandle;
  /** The harness's own connections; `close` is called last by `close()`. */
  temporal: { client: Client; nativeConnection: NativeConnection; close(): Promise<void> };
  lucca: DemoLucca;
  /** The target simulator the connections write to. */
  target: { url: string; apiKey: string; close(): Promise<void> };
  targetKind: TargetName;
  taskQueue: string;
  /** Workflow ids are `<workflowIdPrefix>-<connectionId>-<random>`. */
  workflowIdPrefix: string;
  /** Connection names are `<namePrefix>-<pid>-<time>-<n>`. */
  namePrefix: string;
  /** `deps.now` is the Lucca model's clock too, so incremental reads see its modification stamps. */
  modelNow?: boolean;
  /**
   * `full_read_days` of the connections addConnection makes when the test gives none (null: the
   * production default, 7). HappyPal harnesses use 0, every run a full read, as before incremental
   * reads; tests of the incremental path ask for more.
   */
  defaultFullReadDays?: number | null;
  logger?: Logger;
}

export interface HarnessCore {
  deps: Deps;
  taskQueue: string;
  newWorker(): Promise<Worker>;
  start(connectionId: string, input?: Partial<SyncInput>): Promise<WorkflowHandle>;
  withWorker<T>(fn: () => Promise<T>): Promise<T>;
  /** Runs one sync to its end with an in-process worker and returns its summary. */
  sync(connectionId: string, input?: Partial<SyncInput>): Promise<SyncSummary>;
  addConnection(overrides?: Partial<NewConnection> & { fullReadDays?: number | null }): Promise<{ id: string; name: string }>;
  /** Closes the dispatcher, the Lucca and target simulators, the database, then Temporal. */
  close(): Promise<void>;
}

let names = 0;

export function createHarnessCore(options: HarnessCoreOptions): HarnessCore {
  const { db, temporal, lucca, target, taskQueue } = options;
  const cipher = createCredentialCipher(Buffer.from(HARNESS_CREDENTIALS_KEY, 'base64'));
  const dispatcher = createDispatcher();
  const company = () => lucca.sim.company('demo');
  const deps: Deps = {
    db, cipher, dispatcher,
    limiter: createPostgresRateLimiter(db.sql, 0),
    logger: options.logger ?? createLogger('silent'),
    allowedHosts: ['127.0.0.1'],
    today: () => company().clock.today(),
    ...(options.modelNow && { now: () => new Date(company().clock.now()) }),
  };
  // A Worker runs once; each `withWorker` makes a new one (the workflow bundle is built once per file).
  const newWorker = async (): Promise<Worker> =>
    createWorker({
      connection: temporal.nativeConnection, namespace: 'default', taskQueue, deps,
      dataConverter: testDataConverter(), workflowBundle: await workflowBundle(),
    });
  const start = (connectionId: string, input: Partial<SyncInput> = {}) =>
    temporal.client.workflow.start('syncConnection', {
      taskQueue,
      workflowId: `${options.workflowIdPrefix}-${connectionId}-${randomBytes(4).toString('hex')}`,
      args: [{ connectionId, trigger: 'manual', ...input } satisfies SyncInput],
    });
  const withWorker = async <T>(fn: () => Promise<T>): Promise<T> => (await newWorker()).runUntil(fn());

  return {
    deps, taskQueue, newWorker, start, withWorker,
    sync: (connectionId, input = {}) => withWorker(async () => (await start(connectionId, input)).result() as Promise<SyncSummary>),
    async addConnection({ fullReadDays = options.defaultFullReadDays, ...overrides } = {}) {
      const name = `${options.namePrefix}-${process.pid}-${Date.now().toString(36)}-${names++}`;
      const row = await insertConnection(db.db, cipher, {
        name, target: options.targetKind, luccaUrl: lucca.url, luccaKey: lucca.apiKey,
        targetUrl: target.url, targetKey: target.apiKey, ...overrides,
      });
      if (fullReadDays !== undefined && fullReadDays !== null) {
        await db.db.update(connections).set({ fullReadDays, updatedAt: row.updatedAt }).where(eq(connections.id, row.id));
      }
      return { id: row.id, name: row.name };
    },
    async close() {
      await dispatcher.close();
      await lucca.sim.close();
      await target.close();
      await db.close();
      await temporal.close();
    },
  };
}
