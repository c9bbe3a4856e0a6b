import { z } from 'zod';
import { parsePayloadKeys } from '../lib/codec/payload-keys.js';

/**
 * The one module that reads the environment. Every setting the product knows is declared here,
 * parsed with zod; a bad or missing variable fails with its name and what is expected.
 */
const port = z.coerce
  .number({ error: 'expected a port number (1-65535)' })
  .int('expected a port number (1-65535)')
  .min(1, 'expected a port number (1-65535)')
  .max(65535, 'expected a port number (1-65535)');
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
const list = z
  .string()
  .optional()
  .transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean));
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const wholeAtLeastOne = z.coerce.number({ error: 'expected a whole number' }).int('expected a whole number').min(1, 'expected 1 or more');

/** Seconds of schedule jitter by default: chosen from `npm run bench:fleet` (README, "Running in production"). */
export const DEFAULT_SCHEDULE_JITTER_SECONDS = 300;

/** Weekly, as Fivetran re-imports Lucca's leaves (docs/lucca-api.md §4). */
export const DEFAULT_REFLECT_FULL_READ_DAYS = 7;

export const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  /** Folder for local state: Temporal's SQLite file, the embedded Postgres, the development key. */
  DATA_DIR: z.string().min(1).default('.data'),
  DATABASE_URL: optionalString.pipe(
    z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// or postgresql:// URL').optional(),
  ),
  /** Port of the embedded PostgreSQL used when DATABASE_URL is not set. */
  EMBEDDED_PG_PORT: port.default(5499),

  TEMPORAL_ADDRESS: z.string().regex(/^[\w.-]+:\d+$/, 'expected host:port, e.g. 127.0.0.1:7233').default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('lucca-sync'),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_CLI_PATH: optionalString,
  TEMPORAL_TEST_SERVER_PATH: optionalString,
  TEMPORAL_TLS: bool,
  TEMPORAL_API_KEY: optionalString,

  /** Base64 of 32 bytes: encrypts Lucca and target API keys at rest. Unset: a development key in DATA_DIR. */
  CREDENTIALS_KEY: optionalString.pipe(
    z
      .string()
      .refine((v) => Buffer.from(v, 'base64').length === 32, 'expected base64 of exactly 32 bytes (make one with: openssl rand -base64 32)')
      .optional(),
  ),
  /**
   * Keys of the Temporal payload codec: `keyId:base64key[,keyId:base64key…]`, 32-byte keys. The first
   * encrypts new payloads; all decrypt (rotation). Unset: a development key in DATA_DIR.
   */
  PAYLOAD_KEYS: optionalString.pipe(
    z
      .string()
      .superRefine((v, ctx) => {
        try {
          parsePayloadKeys(v);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: (err as Error).message });
        }
      })
      .optional(),
  ),
  /** The codec endpoint (Web UI and CLI decoding): loopback by default. */
  CODEC_HOST: z.string().min(1).default('127.0.0.1'),
  CODEC_PORT: port.default(8888),
  /** Bearer token the codec endpoint requires. Unset: a development token in DATA_DIR (printed by the demo). */
  CODEC_TOKEN: optionalString.pipe(z.string().min(16, 'expected at least 16 characters').optional()),
  /** Browser origins allowed to call the codec endpoint. Unset: the local Web UI (localhost and 127.0.0.1 on TEMPORAL_UI_PORT). */
  CODEC_ALLOWED_ORIGINS: list,
  /** Lucca's documented budget, shared by every worker reading one instance. 0 turns our limiter off. */
  LUCCA_RATE_LIMIT_PER_MINUTE: z.coerce.number({ error: 'expected a whole number' }).int('expected a whole number').min(0, 'expected 0 or more').default(50),
  /**
   * Length of that budget's window in ms: Lucca's minute. Only tests against the simulator (whose
   * window they shorten too) set it, so that waiting out a budget takes seconds.
   */
  LUCCA_RATE_LIMIT_WINDOW_MS: z.coerce.number({ error: 'expected a number of ms' }).int('expected a number of ms').min(1000, 'expected 1000 or more').default(60_000),
  /**
   * Reflect: days between full re-reads of Lucca, which catch what Lucca deletes without telling
   * (a connection's own `full_read_days` wins). 0 re-reads everything on every run.
   */
  REFLECT_FULL_READ_DAYS: z.coerce.number({ error: 'expected a whole number of days' }).int('expected a whole number of days').min(0, 'expected 0 or more').default(DEFAULT_REFLECT_FULL_READ_DAYS),
  /**
   * Hosts allowed besides Lucca's own (*.ilucca.net, …): local simulators, test instances. They are
   * also the only target (HappyPal, Reflect) hosts exempt from the https and internal-address checks.
   */
  LUCCA_ALLOWED_HOSTS: list,
  /** Where binaries are looked up after TEMPORAL_CLI_PATH. */
  PATH: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  /**
   * Global alert channels, notified of every connection's incidents (besides channels added with
   * `lucca-sync alerts add`). A webhook needs its signing secret; email needs an SMTP URL
   * (smtp://user:password@host:587, smtps:// for TLS from the start) and a recipient.
   */
  ALERT_WEBHOOK_URL: optionalString,
  ALERT_WEBHOOK_SECRET: optionalString.pipe(z.string().min(16, 'expected at least 16 characters').optional()),
  ALERT_SLACK_WEBHOOK_URL: optionalString,
  ALERT_SMTP_URL: optionalString.pipe(z.string().regex(/^smtps?:\/\//, 'expected an smtp:// or smtps:// URL').optional()),
  ALERT_EMAIL_TO: optionalString,
  ALERT_EMAIL_FROM: optionalString,
  /** Worker: Prometheus metrics and health on this port (unset: no metrics server). */
  METRICS_PORT: port.optional(),
  /** Worker: address the metrics and health server binds to. */
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** Worker: seconds a stopping worker lets running activities finish before cancelling them. */
  SHUTDOWN_GRACE_SECONDS: z.coerce.number({ error: 'expected a number of seconds' }).min(0, 'expected 0 or more').default(30),
  /** Console (`npm run console`): address and port of the web console and its API. */
  CONSOLE_HOST: z.string().min(1).default('127.0.0.1'),
  CONSOLE_PORT: port.default(8280),
  /** Console: mark the session cookie Secure (set when the console is served over https, as in production). */
  CONSOLE_SECURE_COOKIES: bool,
  /** Console: hours a session lasts after sign-in. */
  CONSOLE_SESSION_HOURS: z.coerce.number({ error: 'expected a number of hours' }).positive('expected more than 0').max(720, 'expected at most 720 (30 days)').default(12),
  /** Browser tests: the Chromium binary playwright-core drives (default: Debian's, /usr/bin/chromium; see scripts/ensure-chromium.mjs). */
  CHROMIUM_PATH: optionalString,
  /**
   * Worker: activities one worker process runs at once (a page of reads, a batch of writes). Unset:
   * WORKER_CONCURRENCY_DEFAULTS (workers/create-worker.ts), chosen from `npm run bench:fleet`.
   */
  WORKER_MAX_CONCURRENT_ACTIVITIES: wholeAtLeastOne.optional(),
  /** Worker: workflow tasks one worker process runs at once. */
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: wholeAtLeastOne.optional(),
  /** Worker: workflow executions kept in memory between tasks (0 replays each one from its history every time). */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number({ error: 'expected a whole number' }).int('expected a whole number').min(0, 'expected 0 or more').optional(),
  /**
   * Schedules: each scheduled sync starts at its time plus a delay between 0 and this many seconds
   * (Temporal's schedule jitter), so hundreds of connections set for 06:00 do not all start in the
   * same second. Applies to schedules created or updated from then on. 0: no jitter.
   */
  SCHEDULE_JITTER_SECONDS: z.coerce.number({ error: 'expected a whole number of seconds' }).int('expected a whole number of seconds').min(0, 'expected 0 or more').max(3600, 'expected at most 3600 (the catch-up window is one hour)').default(DEFAULT_SCHEDULE_JITTER_SECONDS),
  /**
   * Writes a minute to one target host (HappyPal's or Reflect's API), shared by every worker and every
   * connection writing to that host, like the Lucca budget. 0: no budget of ours (the target's 429s
   * are still retried).
   */
  TARGET_WRITES_PER_MINUTE: z.coerce.number({ error: 'expected a whole number' }).int('expected a whole number').min(0, 'expected 0 or more').default(0),
  /** Length of that window in ms (tests shorten it). */
  TARGET_WRITE_WINDOW_MS: z.coerce.number({ error: 'expected a number of ms' }).int('expected a number of ms').min(1000, 'expected 1000 or more').default(60_000),
  /** Worker: a prebuilt workflow bundle (`npm run build`); unset, workflows are bundled at start. */
  WORKFLOW_BUNDLE_PATH: optionalString,
});
export type Env = z.infer<typeof EnvSchema>;
export type AlertEnv = Partial<Pick<Env, 'ALERT_WEBHOOK_URL' | 'ALERT_WEBHOOK_SECRET' | 'ALERT_SLACK_WEBHOOK_URL' | 'ALERT_SMTP_URL' | 'ALERT_EMAIL_TO' | 'ALERT_EMAIL_FROM'>>;

/**
 * DEBUG set (to anything but empty, 0 or false): failures also print their stack trace. Read on its
 * own, as it must work when the rest of the environment is invalid.
 */
export function debugEnabled(source: Record<string, string | undefined> = process.env): boolean {
  const value = (source.DEBUG ?? '').trim().toLowerCase();
  return value !== '' && value !== '0' && value !== 'false' && value !== 'no';
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses an environment (default: process.env). Throws ConfigError naming every bad variable. */
export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const result = EnvSchema.safeParse(source);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    const got = source[name];
    const shown = got === undefined ? 'unset' : /KEY|PASSWORD|SECRET|TOKEN|URL/.test(name) ? 'set (hidden)' : `"${got}"`;
    return `${name}: ${issue.message} (${shown})`;
  });
  throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
}
