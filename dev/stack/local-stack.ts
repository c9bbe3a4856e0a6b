import path from 'node:path';
import type { Env } from '../../config/env.js';
import { migrateDatabase } from '../../db/migrate.js';
import { checkTemporalCliVersion, findTemporalCli } from './binaries.js';
import { resolveDataDir } from '../../config/paths.js';
import { startPostgres, type RunningPostgres } from '../../db/postgres.js';
import { startTemporalServer, type RunningTemporal } from './temporal-server.js';

export interface LocalStack {
  temporal: RunningTemporal;
  postgres: RunningPostgres;
  databaseUrl: string;
  stop(): Promise<void>;
}

export interface LocalStackOptions {
  headless?: boolean;
  codecEndpoint?: string;
}

/**
 * The local stack of the demo: a Temporal dev server (SQLite in DATA_DIR, Web UI) and PostgreSQL
 * (DATABASE_URL or embedded), with the schema migrated. Reuses servers already answering. On a
 * failure, what was started is stopped again.
 */
export async function startLocalStack(env: Env, options: LocalStackOptions = {}): Promise<LocalStack> {
  const dataDir = resolveDataDir(env.DATA_DIR);
  // Checked first, so that a missing or wrong binary fails before anything is started.
  const cliPath = findTemporalCli(env);
  checkTemporalCliVersion(cliPath);
  // Both start at once (the dev server takes seconds to answer); if either fails, the other is stopped.
  const startingPostgres = startPostgres({ databaseUrl: env.DATABASE_URL, dataDir, port: env.EMBEDDED_PG_PORT }).then(async (pg) => {
    try {
      await migrateDatabase(pg.url);
      return pg;
    } catch (err) {
      await pg.stop();
      throw err;
    }
  });
  const startingTemporal = startTemporalServer({
    cliPath,
    address: env.TEMPORAL_ADDRESS,
    uiPort: env.TEMPORAL_UI_PORT,
    dbFile: path.join(dataDir, 'temporal.sqlite'),
    namespace: env.TEMPORAL_NAMESPACE,
    ...(options.headless !== undefined && { headless: options.headless }),
    ...(options.codecEndpoint !== undefined && { codecEndpoint: options.codecEndpoint }),
  });
  const [pgResult, temporalResult] = await Promise.allSettled([startingPostgres, startingTemporal]);
  if (pgResult.status === 'rejected' || temporalResult.status === 'rejected') {
    if (pgResult.status === 'fulfilled') await pgResult.value.stop();
    if (temporalResult.status === 'fulfilled') await temporalResult.value.stop();
    throw pgResult.status === 'rejected' ? pgResult.reason : (temporalResult as PromiseRejectedResult).reason;
  }
  const postgres = pgResult.value;
  const running = temporalResult.value;
  return {
    temporal: running,
    postgres,
    databaseUrl: postgres.url,
    stop: async () => {
      await running.stop();
      await postgres.stop();
    },
  };
}
