import type { Dispatcher } from 'undici';
import { eq } from 'drizzle-orm';
import type { DbHandle } from '../db/client.js';
import { connections, syncRuns } from '../db/schema.js';
import type { CredentialCipher } from '../lib/credentials.js';
import type { Logger } from '../lib/logger.js';
import type { SyncMetrics } from '../lib/metrics.js';
import { validateLuccaUrl } from '../lib/lucca-url.js';
import { createHappyPalClient, type HappyPalClient } from './connectors/happypal/client.js';
import { createLuccaClient, type LuccaClient } from './connectors/lucca/client.js';
import type { RateLimiter } from './connectors/rate-limiter.js';
import { SyncError } from './errors.js';

/** Everything activities need, built once per worker process (workers/deps.ts) or per test. */
export interface Deps {
  db: DbHandle;
  cipher: CredentialCipher;
  limiter: RateLimiter;
  dispatcher: Dispatcher;
  logger: Logger;
  allowedHosts: readonly string[];
  /** Today's date (YYYY-MM-DD) as the sync sees it; injectable for tests. */
  today: () => string;
  /** Prometheus counters of a worker process; absent in tests that do not look at them. */
  metrics?: SyncMetrics;
}

export type ConnectionRow = typeof connections.$inferSelect;
export type RunRow = typeof syncRuns.$inferSelect;

export interface RunContext {
  run: RunRow;
  connection: ConnectionRow;
  lucca: LuccaClient;
  happypal: HappyPalClient;
}

export async function loadConnection(deps: Deps, connectionId: string): Promise<ConnectionRow> {
  const [row] = await deps.db.db.select().from(connections).where(eq(connections.id, connectionId));
  if (!row) throw new SyncError('connection_not_found', `Connection ${connectionId} does not exist (it may have been removed).`, false);
  return row;
}

/** Loads a run, its connection, and clients built from the decrypted credentials (kept in memory only). */
export async function loadRunContext(deps: Deps, runId: string): Promise<RunContext> {
  const [run] = await deps.db.db.select().from(syncRuns).where(eq(syncRuns.id, runId));
  if (!run) throw new SyncError('run_not_found', `Sync run ${runId} does not exist.`, false);
  const connection = await loadConnection(deps, run.connectionId);
  const lucca = createLuccaClient({
    baseUrl: validateLuccaUrl(connection.luccaUrl, deps.allowedHosts),
    apiKey: deps.cipher.decrypt(connection.luccaKeyEnc),
    dispatcher: deps.dispatcher,
    limiter: deps.limiter,
    ...(deps.metrics && { onResponse: deps.metrics.luccaResponse }),
  });
  const happypal = createHappyPalClient({
    baseUrl: connection.targetUrl,
    apiKey: deps.cipher.decrypt(connection.targetKeyEnc),
    dispatcher: deps.dispatcher,
  });
  return { run, connection, lucca, happypal };
}
