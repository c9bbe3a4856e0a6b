import type { Env } from '../config/env.js';
import type { Deps } from '../activities/index.js';
import { createDispatcher } from '../activities/http/http.js';
import { keepActivityAlive } from '../activities/http/keep-alive.js';
import { createPostgresRateLimiter } from '../activities/http/rate-limiter.js';
import { createDb } from '../db/client.js';
import { countByHealth } from '../db/queries/incidents.js';
import { createCredentialCipher, loadCredentialsKey } from '../lib/credentials.js';
import { createLogger, type Logger } from '../lib/logger.js';
import { createSyncMetrics } from '../lib/metrics.js';
import { resolveDataDir } from '../config/paths.js';

/** Builds the activities' dependencies from configuration. The caller owns `close()`. */
export function buildDeps(env: Env, databaseUrl: string, logger: Logger = createLogger(env.LOG_LEVEL)): Deps & { close(): Promise<void> } {
  const db = createDb(databaseUrl, { max: 20 });
  const dispatcher = createDispatcher();
  const metrics = createSyncMetrics();
  metrics.setStateReader(async () => {
    const [row] = await db.sql<{ conflicts: number; quarantined: number }[]>`
      select (select count(*)::int from conflicts where status = 'open') as conflicts,
             (select count(*)::int from quarantine) as quarantined`;
    return { conflictsOpen: row?.conflicts ?? 0, quarantined: row?.quarantined ?? 0, health: await countByHealth(db.db) };
  });
  return {
    metrics,
    db,
    dispatcher,
    logger,
    cipher: createCredentialCipher(loadCredentialsKey(env.CREDENTIALS_KEY, resolveDataDir(env.DATA_DIR))),
    // Waiting for the shared budget heartbeats (keep-alive.ts): a long wait is not a dead activity.
    limiter: createPostgresRateLimiter(db.sql, env.LUCCA_RATE_LIMIT_PER_MINUTE, { windowMs: env.LUCCA_RATE_LIMIT_WINDOW_MS, whileWaiting: keepActivityAlive }),
    targetWriteLimiter: createPostgresRateLimiter(db.sql, env.TARGET_WRITES_PER_MINUTE, { windowMs: env.TARGET_WRITE_WINDOW_MS, whileWaiting: keepActivityAlive }),
    allowedHosts: env.LUCCA_ALLOWED_HOSTS,
    today: () => new Date().toISOString().slice(0, 10),
    reflectFullReadDays: env.REFLECT_FULL_READ_DAYS,
    alerts: env,
    close: async () => {
      await dispatcher.close();
      await db.close();
    },
  };
}
