import { z } from 'zod';
import type { AlertEnv } from '../config/env.js';
import type { Db } from '../db/client.js';
import {
  deleteChannel, findChannel, insertChannel, listChannels, markAttemptFailed, markSent, syncEnvChannels, takeDueNotifications,
  type ChannelRow, type NewChannelRow,
} from '../db/queries/alerts.js';
import { maskSecret, type CredentialCipher } from '../lib/credentials.js';
import { InvalidConnectionUrlError, validateAlertUrl } from '../lib/lucca-url.js';
import { sendEmail, type SmtpSettings } from './notify/email.js';
import type { AlertMessage } from './notify/message.js';
import { sendSlack } from './notify/slack.js';
import { sendWebhook } from './notify/webhook.js';

/**
 * Alert channels (webhook, Slack, email) and the delivery of the notification outbox. Channel
 * secrets (the webhook's signing secret, the Slack URL, the SMTP password) are stored encrypted
 * with the credentials cipher and only ever shown masked.
 */

export class AlertInputError extends Error {
  override name = 'AlertInputError';
}

export type ChannelInput =
  | { kind: 'webhook'; name: string; url: string; secret: string; connectionId?: string | null }
  | { kind: 'slack'; name: string; url: string; connectionId?: string | null }
  | { kind: 'email'; name: string; to: string; from?: string; smtpUrl: string; connectionId?: string | null };

const NameSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lower-case letters, digits and dashes, 2-63 characters, e.g. ops-slack');
const EmailSchema = z.email('an email address such as ops@example.com');
const SecretSchema = z.string().min(16, 'at least 16 characters').max(512, 'at most 512 characters').refine((s) => !/\s/.test(s), 'no spaces or line breaks');

function check<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new AlertInputError(`bad ${what}: expected ${result.error.issues[0]?.message ?? 'a valid value'}.`);
}

function checkUrl(url: string, allowedHosts: readonly string[], name: string): string {
  try {
    return validateAlertUrl(url, allowedHosts, name);
  } catch (err) {
    if (err instanceof InvalidConnectionUrlError) throw new AlertInputError(err.message);
    throw err;
  }
}

/** smtp://user:password@host:port (smtps:// for TLS from the first byte); the password is kept apart. */
export function parseSmtpUrl(input: string): Omit<SmtpSettings, 'from' | 'to'> {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new AlertInputError('bad SMTP URL: expected smtp://user:password@host:587 or smtps://host:465.');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new AlertInputError(`bad SMTP URL: expected smtp:// or smtps:// (got ${url.protocol}//).`);
  if (!url.hostname) throw new AlertInputError('bad SMTP URL: it has no host.');
  const secure = url.protocol === 'smtps:';
  return {
    host: url.hostname, port: url.port ? Number(url.port) : secure ? 465 : 587, secure,
    ...(url.username && { user: decodeURIComponent(url.username) }),
    ...(url.password && { password: decodeURIComponent(url.password) }),
  };
}

/** Validates a channel and returns the row to store (secrets encrypted). Throws AlertInputError. */
export function channelRow(input: ChannelInput, cipher: CredentialCipher, allowedHosts: readonly string[]): NewChannelRow {
  const name = check(NameSchema, input.name, 'channel name');
  const connectionId = input.connectionId ?? null;
  if (input.kind === 'webhook') {
    const url = checkUrl(input.url, allowedHosts, 'webhook');
    const secret = check(SecretSchema, input.secret, 'webhook secret');
    return { name, kind: 'webhook', connectionId, config: { url }, secretEnc: cipher.encrypt(secret) };
  }
  if (input.kind === 'slack') {
    const url = checkUrl(input.url, allowedHosts, 'Slack webhook');
    return { name, kind: 'slack', connectionId, config: { host: new URL(url).host }, secretEnc: cipher.encrypt(url) };
  }
  const to = check(EmailSchema, input.to, 'email recipient');
  const { password, ...smtp } = parseSmtpUrl(input.smtpUrl);
  const from = input.from === undefined ? `lucca-sync@${smtp.host}` : check(EmailSchema, input.from, 'email sender');
  return { name, kind: 'email', connectionId, config: { to, from, ...smtp }, secretEnc: password ? cipher.encrypt(password) : null };
}

export async function addChannel(db: Db, cipher: CredentialCipher, allowedHosts: readonly string[], input: ChannelInput): Promise<ChannelRow> {
  const row = channelRow(input, cipher, allowedHosts);
  if (await findChannel(db, row.name)) throw new AlertInputError(`an alert channel named "${row.name}" already exists.`);
  return insertChannel(db, row);
}

export { deleteChannel as removeChannel, findChannel, listChannels };

/** The channels declared by ALERT_* variables, as rows (names env-webhook, env-slack, env-email). */
export function envChannelRows(env: AlertEnv, cipher: CredentialCipher, allowedHosts: readonly string[]): NewChannelRow[] {
  const rows: NewChannelRow[] = [];
  if (env.ALERT_WEBHOOK_URL) {
    if (!env.ALERT_WEBHOOK_SECRET) throw new AlertInputError('ALERT_WEBHOOK_URL needs ALERT_WEBHOOK_SECRET (the signing secret).');
    rows.push(channelRow({ kind: 'webhook', name: 'env-webhook', url: env.ALERT_WEBHOOK_URL, secret: env.ALERT_WEBHOOK_SECRET }, cipher, allowedHosts));
  }
  if (env.ALERT_SLACK_WEBHOOK_URL) rows.push(channelRow({ kind: 'slack', name: 'env-slack', url: env.ALERT_SLACK_WEBHOOK_URL }, cipher, allowedHosts));
  if (env.ALERT_SMTP_URL || env.ALERT_EMAIL_TO) {
    if (!env.ALERT_SMTP_URL || !env.ALERT_EMAIL_TO) throw new AlertInputError('email alerts need both ALERT_SMTP_URL and ALERT_EMAIL_TO.');
    rows.push(channelRow({
      kind: 'email', name: 'env-email', to: env.ALERT_EMAIL_TO, smtpUrl: env.ALERT_SMTP_URL, ...(env.ALERT_EMAIL_FROM && { from: env.ALERT_EMAIL_FROM }),
    }, cipher, allowedHosts));
  }
  return rows;
}

export async function applyEnvChannels(db: Db, env: AlertEnv, cipher: CredentialCipher, allowedHosts: readonly string[]): Promise<void> {
  await syncEnvChannels(db, envChannelRows(env, cipher, allowedHosts));
}

/** A channel as shown to an operator: where it goes, secrets masked. */
export function describeChannel(channel: ChannelRow, cipher: CredentialCipher): string {
  const secret = () => {
    try {
      return channel.secretEnc ? maskSecret(cipher.decrypt(channel.secretEnc)) : '-';
    } catch {
      return '(encrypted with another CREDENTIALS_KEY)';
    }
  };
  const c = channel.config;
  if (channel.kind === 'webhook') return `${c.url}, secret ${secret()}`;
  if (channel.kind === 'slack') return `https://${c.host}/… (URL ${secret()})`;
  return `to ${c.to} from ${c.from} via ${c.secure ? 'smtps' : 'smtp'}://${c.host}:${c.port}${c.user ? ` as ${c.user}, password ${secret()}` : ''}`;
}

/** Sends one message on one channel; throws a one-line, secret-free error when it fails. */
export async function sendToChannel(channel: ChannelRow, cipher: CredentialCipher, message: AlertMessage, deliveryId: string, now: Date): Promise<void> {
  const c = channel.config;
  const secret = channel.secretEnc ? cipher.decrypt(channel.secretEnc) : undefined;
  if (channel.kind === 'webhook') return sendWebhook(String(c.url), secret ?? '', message, deliveryId, now);
  if (channel.kind === 'slack') return sendSlack(secret ?? '', message);
  return sendEmail({
    host: String(c.host), port: Number(c.port), secure: c.secure === true || c.secure === 'true',
    ...(c.user && { user: String(c.user) }), ...(secret && { password: secret }), from: String(c.from), to: String(c.to),
  }, message);
}

export async function sendTest(db: Db, cipher: CredentialCipher, name: string, now: Date): Promise<ChannelRow> {
  const channel = await findChannel(db, name);
  if (!channel) throw new AlertInputError(`unknown alert channel "${name}": run \`lucca-sync alerts list\` to see the channels.`);
  await sendToChannel(channel, cipher, { event: 'test', connection: null, incident: null, at: now.toISOString() }, `test-${now.getTime()}`, now);
  return channel;
}

/** Retries: 30 s, 1 min, 2 min … up to an hour apart; failed for good after MAX_ATTEMPTS. */
export const MAX_ATTEMPTS = 8;
export function retryDelayMs(attempts: number): number {
  return Math.min(30_000 * 2 ** (attempts - 1), 3_600_000);
}
const LEASE_MS = 5 * 60_000;

/**
 * Delivers the notifications due at `now`, each once: a success is marked sent; a failure is
 * recorded (its error, the attempt) and retried later with backoff. Runs in the fleet-health
 * workflow, never in a sync, so a channel that fails cannot slow or fail a sync.
 */
export async function deliverDue(db: Db, cipher: CredentialCipher, now: Date): Promise<{ sent: number; retrying: number; failed: number }> {
  const result = { sent: 0, retrying: 0, failed: 0 };
  for (const due of await takeDueNotifications(db, now, LEASE_MS)) {
    const message: AlertMessage = {
      event: due.event === 'opened' ? 'incident.opened' : 'incident.resolved',
      connection: due.connection,
      incident: {
        id: due.incident.id, kind: due.incident.kind, cause: due.incident.cause,
        openedAt: due.incident.openedAt.toISOString(), resolvedAt: due.incident.resolvedAt?.toISOString() ?? null,
      },
      at: now.toISOString(),
    };
    try {
      await sendToChannel(due.channel, cipher, message, `notification-${due.id}`, now);
      await markSent(db, due.id, now);
      result.sent += 1;
    } catch (err) {
      const attempts = due.attempts + 1;
      const retryAt = attempts < MAX_ATTEMPTS ? new Date(now.getTime() + retryDelayMs(attempts)) : null;
      await markAttemptFailed(db, due.id, `${due.channel.kind} ${err instanceof Error ? err.message : String(err)}`, retryAt);
      if (retryAt) result.retrying += 1;
      else result.failed += 1;
    }
  }
  return result;
}
