import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { parseEnv } from '../../config/env.js';
import { migrateDatabase } from '../../db/migrate.js';
import { findTemporalCli, findTemporalTestServer } from '../../stack/binaries.js';
import { resolveDataDir } from '../../stack/paths.js';
import { freePort } from '../../stack/ports.js';
import { createScratchDatabase, startPostgres } from '../../stack/postgres.js';
import { startTemporalServer } from '../../stack/temporal-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalCliPath: string;
    temporalTestServerPath: string;
    databaseUrl: string;
  }
}

/**
 * One real Temporal dev server (the installed binary, in memory) and one fresh, migrated database
 * for the whole integration run. Postgres is DATABASE_URL's server when set, else the embedded one.
 */
export default async function setup(project: TestProject) {
  const env = parseEnv(process.env);
  const cliPath = findTemporalCli(env);
  const testServerPath = findTemporalTestServer(env);
  const dataDir = resolveDataDir(env.DATA_DIR);

  const postgres = await startPostgres({ databaseUrl: env.DATABASE_URL, dataDir, port: env.EMBEDDED_PG_PORT });
  const database = await createScratchDatabase(postgres.url, 'lucca_test');
  await migrateDatabase(database.url);

  const temporalDb = `${dataDir}/test-temporal-${process.pid}.sqlite`;
  const temporal = await startTemporalServer({
    cliPath,
    address: `127.0.0.1:${await freePort()}`,
    uiPort: await freePort(),
    headless: true,
    // On disk (not in memory) so a test can stop and restart the server mid-sync.
    dbFile: temporalDb,
  });

  project.provide('temporalAddress', temporal.address);
  project.provide('temporalCliPath', cliPath);
  project.provide('temporalTestServerPath', testServerPath);
  project.provide('databaseUrl', database.url);

  return async () => {
    await temporal.stop();
    rmSync(temporalDb, { force: true });
    await database.drop().catch(() => undefined);
    await postgres.stop();
  };
}
