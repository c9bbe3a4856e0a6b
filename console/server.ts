import { serve } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import type { AddressInfo } from 'node:net';
import type { Env } from '../config/env.js';
import type { Db } from '../db/client.js';
import { deleteExpiredSessions } from '../db/queries/console-auth.js';
import type { CredentialCipher } from '../lib/credentials.js';
import { createLogger, type Logger } from '../lib/logger.js';
import { createConsoleApp } from './app.js';
import type { ConsoleDeps } from './deps.js';
import { createScheduleView } from './schedules.js';
import { serviceSeams, type ConsoleSeams } from './seams.js';

export interface StartConsoleOptions {
  env: Pick<Env, 'CONSOLE_HOST' | 'CONSOLE_PORT' | 'CONSOLE_SECURE_COOKIES' | 'CONSOLE_SESSION_HOURS' | 'LUCCA_ALLOWED_HOSTS' | 'TEMPORAL_TASK_QUEUE'>;
  db: Db;
  cipher: CredentialCipher;
  /** Temporal: a client, or a function that connects (called again after a failure, so the console recovers when Temporal comes back). */
  client: Client | (() => Promise<Client>);
  /** 0 picks a free port (tests). Default: env.CONSOLE_PORT. */
  port?: number;
  host?: string;
  logger?: Logger;
  seams?: Partial<ConsoleSeams>;
}

/** A lazy Temporal client that forgets a failed attempt, so one outage does not stick. */
function retryingClient(connect: () => Promise<Client>): () => Promise<Client> {
  let pending: Promise<Client> | undefined;
  return () => {
    pending ??= connect().catch((err: unknown) => {
      pending = undefined;
      throw err;
    });
    return pending;
  };
}

/** Starts the console's HTTP server (API and pages). Used by `npm run console` and the demo. */
export async function startConsole(options: StartConsoleOptions): Promise<{ url: string; close(): Promise<void>; deps: ConsoleDeps }> {
  const given = options.client;
  const client = typeof given === 'function' ? retryingClient(given) : () => Promise.resolve(given);
  const deps: ConsoleDeps = {
    db: options.db,
    cipher: options.cipher,
    client,
    schedules: createScheduleView(client),
    seams: { ...serviceSeams, ...options.seams },
    logger: options.logger ?? createLogger('info'),
    env: { LUCCA_ALLOWED_HOSTS: options.env.LUCCA_ALLOWED_HOSTS, TEMPORAL_TASK_QUEUE: options.env.TEMPORAL_TASK_QUEUE },
    secureCookies: options.env.CONSOLE_SECURE_COOKIES,
    sessionHours: options.env.CONSOLE_SESSION_HOURS,
  };
  await deleteExpiredSessions(deps.db);
  // Warms the schedule list, so the first connections page does not wait for Temporal; not awaited,
  // so start-up does not wait for it either (it never rejects: Temporal down reads 'unavailable').
  void deps.schedules.all();
  const app = createConsoleApp(deps);
  const host = options.host ?? options.env.CONSOLE_HOST;
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port: options.port ?? options.env.CONSOLE_PORT }, () => resolve(s));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    url: `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`,
    deps,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
    }),
  };
}
