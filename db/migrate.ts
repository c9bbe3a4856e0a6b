import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { createDb } from './client.js';

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('./migrations', import.meta.url));

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
