import path from 'node:path';
import type { Env } from '../config/env.js';
import { migrateDatabase } from '../db/migrate.js';
import { checkTemporalCliVersion, findTemporalCli } from './binaries.js';
import { resolveDataDir } from './paths.js';
import { startPostgres, type RunningPostgres } from './postgres.js';
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
  const postgres = await startPostgres({ databaseUrl: env.DATABASE_URL, dataDir, port: env.EMBEDDED_PG_PORT });
  let temporal: RunningTemporal | undefined;
  try {
    await migrateDatabase(postgres.url);
    temporal = await startTemporalServer({
      cliPath,
      address: env.TEMPORAL_ADDRESS,
      uiPort: env.TEMPORAL_UI_PORT,
      dbFile: path.join(dataDir, 'temporal.sqlite'),
      namespace: env.TEMPORAL_NAMESPACE,
      ...(options.headless !== undefined && { headless: options.headless }),
      ...(options.codecEndpoint !== undefined && { codecEndpoint: options.codecEndpoint }),
    });
  } catch (err) {
    await postgres.stop();
    throw err;
  }
  const running = temporal;
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
