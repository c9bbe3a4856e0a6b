import type { Dispatcher } from 'undici';
import type { AlertEnv } from '../config/env.js';
import type { DbHandle } from '../db/client.js';
import { findConnectionById } from '../db/queries/connections.js';
import { findRunById } from '../db/queries/runs.js';
import type { connections, syncRuns } from '../db/schema.js';
import type { CredentialCipher } from '../lib/credentials.js';
import type { Logger } from '../lib/logger.js';
import type { SyncMetrics } from '../lib/metrics.js';
import { allowedHostsFor, InvalidConnectionUrlError, validateLuccaUrl, validateTargetUrl } from '../lib/lucca-url.js';
import { createLuccaClient, type LuccaClient } from './lucca/client.js';
import type { RateLimiter } from './http/rate-limiter.js';
import { SyncError } from './errors.js';

/** Everything activities need, built once per worker process (workers/deps.ts) or per test. */
export interface Deps {
  db: DbHandle;
  cipher: CredentialCipher;
  limiter: RateLimiter;
  /** The write budget of each target host (HappyPal's, Reflect's API), shared by every worker; none when absent. */
  targetWriteLimiter?: RateLimiter;
  dispatcher: Dispatcher;
  logger: Logger;
  /** LUCCA_ALLOWED_HOSTS: hosts exempt from the URL checks of Lucca and target URLs (lib/lucca-url.ts). */
  allowedHosts: readonly string[];
  /** Today's date (YYYY-MM-DD) as the sync sees it; injectable for tests. */
  today: () => string;
  /** Prometheus counters of a worker process; absent in tests that do not look at them. */
  metrics?: SyncMetrics;
  /**
   * The current instant as Lucca's data sees it (incremental reads' `since`, the full re-read
   * cadence); the wall clock when absent, injectable for tests against a simulator's model clock.
   */
  now?: () => Date;
  /** Reflect: days between full re-reads when the connection sets none (env REFLECT_FULL_READ_DAYS); default 7. */
  reflectFullReadDays?: number;
  /** Global alert channels from the environment (ALERT_*); none when absent. */
  alerts?: AlertEnv;
}

export type ConnectionRow = typeof connections.$inferSelect;
export type RunRow = typeof syncRuns.$inferSelect;

/** The connection's target API: its checked URL and decrypted key, for the target's own client (its folder's context.ts). */
export interface TargetEndpoint {
  baseUrl: string;
  apiKey: string;
  dispatcher: Dispatcher;
}

export interface RunContext {
  run: RunRow;
  connection: ConnectionRow;
  lucca: LuccaClient;
  target: TargetEndpoint;
}

export async function loadConnection(deps: Deps, connectionId: string): Promise<ConnectionRow> {
  const row = await findConnectionById(deps.db.db, connectionId);
  if (!row || row.removedAt) throw new SyncError('connection_not_found', `Connection ${connectionId} does not exist (it may have been removed).`, false);
  return row;
}

/** Loads a run, its connection, a Lucca client and the target's endpoint, from the decrypted credentials (kept in memory only). */
export async function loadRunContext(deps: Deps, runId: string): Promise<RunContext> {
  const run = await findRunById(deps.db.db, runId);
  if (!run) throw new SyncError('run_not_found', `Sync run ${runId} does not exist.`, false);
  const connection = await loadConnection(deps, run.connectionId);
  const allowedHosts = allowedHostsFor(deps.allowedHosts, connection);
  const lucca = createLuccaClient({
    baseUrl: checkedUrl('lucca_url_invalid', () => validateLuccaUrl(connection.luccaUrl, allowedHosts)),
    apiKey: deps.cipher.decrypt(connection.luccaKeyEnc),
    dispatcher: deps.dispatcher,
    limiter: deps.limiter,
    ...(deps.metrics && { onResponse: deps.metrics.luccaResponse }),
  });
  const target = {
    baseUrl: checkedUrl('target_url_invalid', () => validateTargetUrl(connection.targetUrl, allowedHosts)),
    apiKey: deps.cipher.decrypt(connection.targetKeyEnc),
    dispatcher: deps.dispatcher,
    ...(deps.targetWriteLimiter && { writeLimiter: deps.targetWriteLimiter }),
  };
  return { run, connection, lucca, target };
}

/**
 * A URL refused by the validation is a configuration error: no retry can fix it. Both URLs are
 * checked again at run time, as the allow-list may have changed since the connection was added.
 */
function checkedUrl(code: string, check: () => string): string {
  try {
    return check();
  } catch (err) {
    if (err instanceof InvalidConnectionUrlError) throw new SyncError(code, err.message, false);
    throw err;
  }
}
