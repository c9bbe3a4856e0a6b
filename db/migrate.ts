import path from 'node:path';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { createDb } from './client.js';
import { PROJECT_ROOT } from '../config/paths.js';

/** From the project root, not this module's URL, so that bundles (dist/lucca-sync.mjs) find it too. */
export const MIGRATIONS_FOLDER = path.join(PROJECT_ROOT, 'db', 'migrations');

/** Applies pending migrations. Serialised by an advisory lock so several processes may start at once. */
export async function migrateDatabase(url: string): Promise<void> {
  const { db, sql, close } = createDb(url, { max: 1 });
  try {
    await sql`select pg_advisory_lock(74211)`;
    await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await sql`select pg_advisory_unlock(74211)`.catch(() => undefined);
    await close();
  }
}
