import { reportFailure } from '../client/errors.js';
import { parseEnv } from '../config/env.js';
import { resolveDataDir } from '../config/paths.js';
import { startPostgres } from './postgres.js';
import { migrateDatabase } from './migrate.js';

/**
 * `npm run db:migrate`: applies pending migrations to DATABASE_URL's database, or to the embedded
 * PostgreSQL of DATA_DIR (started for the occasion if it is not running). Every process applies them
 * at start anyway; this is for a database prepared ahead of a deployment.
 */
async function main() {
  const env = parseEnv();
  const postgres = await startPostgres({ databaseUrl: env.DATABASE_URL, dataDir: resolveDataDir(env.DATA_DIR), port: env.EMBEDDED_PG_PORT });
  try {
    await migrateDatabase(postgres.url);
    const url = new URL(postgres.url);
    process.stdout.write(`migrations applied to ${url.host}${url.pathname} (${postgres.clusterDir ? `embedded, in ${postgres.clusterDir}` : 'DATABASE_URL'})\n`);
  } finally {
    await postgres.stop();
  }
}

main().catch((err: unknown) => {
  process.exit(reportFailure(err));
});
