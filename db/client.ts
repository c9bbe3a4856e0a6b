import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema.js';

export type Db = PostgresJsDatabase<typeof schema>;
export interface DbHandle {
  db: Db;
  sql: postgres.Sql;
  close(): Promise<void>;
}

/** Opens a pool; no module-level singleton, so every process and test owns its own. */
export function createDb(url: string, options: { max?: number } = {}): DbHandle {
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => undefined,
    // Postgres drops idle connections on restart; a fresh one is taken transparently.
    idle_timeout: 30,
    connection: { application_name: 'lucca-connectors' },
  });
  return { db: drizzle(sql, { schema }), sql, close: () => sql.end({ timeout: 5 }) };
}

/** A drizzle transaction (the argument of `db.transaction`'s callback). */
export type DbTx = Parameters<Parameters<Db['transaction']>[0]>[0];
