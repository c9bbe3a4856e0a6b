import { rmSync, writeFileSync } from 'node:fs';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { BUNDLER_CONVERTER_OPTIONS } from '../../lib/codec/data-converter.js';
import { WORKFLOWS_PATH } from '../../workers/create-worker.js';
import type { TestProject } from 'vitest/node';
import { reportFailure } from '../../client/errors.js';
import { parseEnv } from '../../config/env.js';
import { migrateDatabase } from '../../db/migrate.js';
import { checkTemporalCliVersion, findTemporalCli, findTemporalTestServer } from '../../dev/stack/binaries.js';
import { resolveDataDir } from '../../config/paths.js';
import { freePort } from '../../lib/ports.js';
import { createScratchDatabase, startPostgres, type RunningPostgres } from '../../db/postgres.js';
import { startTemporalServer, type RunningTemporal } from '../../dev/stack/temporal-server.js';
import { dropFileDatabases } from '../support/database.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalCliPath: string;
    temporalTestServerPath: string;
    /** The PostgreSQL server's admin URL: test/setup/file-database.ts creates each file's database there. */
    postgresAdminUrl: string;
    /** The migrated database each file's own is copied from (no test connects to it). */
    databaseTemplate: string;
    /** The workflow bundle, built once for the whole run (test/support/temporal.ts workflowBundle). */
    workflowBundlePath: string;
  }
}

/**
 * One real Temporal dev server (the installed binary, on a SQLite file) and one migrated template
 * database for the whole integration run; each test file gets its own copy of the template
 * (test/setup/file-database.ts), so files can run at the same time. Postgres is DATABASE_URL's server when set, else the embedded one.
 * A start-up failure is one line (cause and fix, as for the demo) and ends the run with nothing
 * left running.
 */
const templateName = (url: string) => decodeURIComponent(new URL(url).pathname.slice(1));

export default async function setup(project: TestProject) {
  let postgres: RunningPostgres | undefined;
  let database: Awaited<ReturnType<typeof createScratchDatabase>> | undefined;
  let temporal: RunningTemporal | undefined;
  let temporalDb: string | undefined;
  let bundlePath: string | undefined;
  const teardown = async () => {
    await temporal?.stop();
    if (temporalDb) rmSync(temporalDb, { force: true });
    if (bundlePath) rmSync(bundlePath, { force: true });
    if (postgres && database) await dropFileDatabases(postgres.url, templateName(database.url)).catch(() => undefined);
    await database?.drop().catch(() => undefined);
    await postgres?.stop();
  };
  try {
    const env = parseEnv(process.env);
    const cliPath = findTemporalCli(env);
    checkTemporalCliVersion(cliPath);
    const testServerPath = findTemporalTestServer(env);
    const dataDir = resolveDataDir(env.DATA_DIR);

    // The dev server starts while the database is prepared (it takes seconds to answer).
    // Each project with this setup runs it in this same process:
    // its files are named by the project too, so two servers never share a SQLite file.
    const own = `${process.pid}-${project.name}`;
    temporalDb = `${dataDir}/test-temporal-${own}.sqlite`;
    const startingTemporal = startTemporalServer({
      cliPath,
      address: `127.0.0.1:${await freePort()}`,
      uiPort: await freePort(),
      headless: true,
      // On disk (not in memory) so a test can stop and restart the server mid-sync.
      dbFile: temporalDb,
    });
    startingTemporal.then((started) => (temporal = started), () => undefined); // for the teardown
    // Every integration file runs the same workflow code: bundled once here, not once per file.
    const bundling = bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, ...BUNDLER_CONVERTER_OPTIONS, logger: new DefaultLogger('WARN') });
    bundling.catch(() => undefined);
    try {
      postgres = await startPostgres({ databaseUrl: env.DATABASE_URL, dataDir, port: env.EMBEDDED_PG_PORT });
      database = await createScratchDatabase(postgres.url, 'lucca_test');
      await migrateDatabase(database.url);
    } finally {
      await startingTemporal.catch(() => undefined); // its failure, if any, is reported below
    }
    const running = await startingTemporal;
    bundlePath = `${dataDir}/test-workflow-bundle-${own}.js`;
    writeFileSync(bundlePath, (await bundling).code);

    project.provide('temporalAddress', running.address);
    project.provide('temporalCliPath', cliPath);
    project.provide('temporalTestServerPath', testServerPath);
    project.provide('postgresAdminUrl', postgres.url);
    project.provide('databaseTemplate', templateName(database.url));
    project.provide('workflowBundlePath', bundlePath);
  } catch (err) {
    await teardown().catch(() => undefined);
    // Vitest would print the error with its stack trace and go on; the run cannot go on without these.
    process.exit(reportFailure(err, 'integration tests cannot start: '));
  }
  return teardown;
}
