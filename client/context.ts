import type { Client } from '@temporalio/client';
import type postgres from 'postgres';
import { parseEnv, type Env } from '../config/env.js';
import { createDb, type Db } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import { createCredentialCipher, loadCredentialsKey, type CredentialCipher } from '../lib/credentials.js';
import { resolveDataDir } from '../config/paths.js';
import { connectClient } from './temporal.js';

/** What every command gets: configuration, the database, the credentials cipher and Temporal. */
export interface CliContext {
  env: Env;
  db: Db;
  sql: postgres.Sql;
  cipher: CredentialCipher;
  /** Connects on first use, so commands that only read Postgres work while Temporal is down. */
  client(): Promise<Client>;
  close(): Promise<void>;
}

/** The embedded PostgreSQL of the local stack (same default as db/postgres.ts). */
export function localDatabaseUrl(env: Pick<Env, 'EMBEDDED_PG_PORT'>): string {
  return `postgres://postgres:postgres@127.0.0.1:${env.EMBEDDED_PG_PORT}/postgres`;
}

export function databaseUrlOf(env: Pick<Env, 'DATABASE_URL' | 'EMBEDDED_PG_PORT'>): string {
  return env.DATABASE_URL ?? localDatabaseUrl(env);
}

/** Opens the database (migrated) and prepares a lazy Temporal client. The caller owns close(). */
export async function createContext(env: Env = parseEnv()): Promise<CliContext> {
  const url = databaseUrlOf(env);
  await migrateDatabase(url);
  const handle = createDb(url, { max: 4 });
  const cipher = createCredentialCipher(loadCredentialsKey(env.CREDENTIALS_KEY, resolveDataDir(env.DATA_DIR)));
  let client: Promise<Client> | undefined;
  return {
    env,
    db: handle.db,
    sql: handle.sql,
    cipher,
    client: () => (client ??= connectClient(env)),
    close: async () => {
      const pending = client;
      client = undefined;
      if (pending) await pending.then((c) => c.connection.close()).catch(() => undefined);
      await handle.close().catch(() => undefined);
    },
  };
}
