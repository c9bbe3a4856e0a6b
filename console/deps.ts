import type { Client } from '@temporalio/client';
import type { Env } from '../config/env.js';
import type { Db } from '../db/client.js';
import type { CredentialCipher } from '../lib/credentials.js';
import type { Logger } from '../lib/logger.js';
import type { ConsoleSeams } from './seams.js';
import type { ScheduleView } from './schedules.js';

/** What the console needs; passed in, never imported as singletons, so tests and the demo build their own. */
export interface ConsoleDeps {
  db: Db;
  cipher: CredentialCipher;
  /** Temporal, connected on first use; may reject while Temporal is down (pages then degrade). */
  client(): Promise<Client>;
  schedules: ScheduleView;
  seams: ConsoleSeams;
  logger: Logger;
  /** What the shared services need (services/connections.ts ServiceContext). */
  env: Pick<Env, 'LUCCA_ALLOWED_HOSTS' | 'TEMPORAL_TASK_QUEUE'>;
  secureCookies: boolean;
  sessionHours: number;
}

/** A 4xx the console answers with one clear line. 404 also stands for "not yours": it never says which. */
export class ConsoleError extends Error {
  override name = 'ConsoleError';
  constructor(public readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 429 | 503, message: string) {
    super(message);
  }
}

export const notFound = (what: string) => new ConsoleError(404, `${what} not found: it does not exist, or it is not yours to see.`);
