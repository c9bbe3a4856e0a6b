import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCredentialCipher } from '../../../lib/credentials.js';
import { AlertInputError, channelRow, describeChannel, parseSmtpUrl, retryDelayMs } from '../../../services/alerts.js';
import { slackPayload } from '../../../services/notify/slack.js';
import { signWebhook } from '../../../services/notify/webhook.js';

const cipher = createCredentialCipher(Buffer.alloc(32, 3));

describe('alert channels', () => {
  it('signs webhooks with HMAC-SHA256 over "<timestamp>.<body>"', () => {
    const expected = createHmac('sha256', 'secret-0123456789').update('1700000000.{"a":1}').digest('hex');
    expect(signWebhook('secret-0123456789', '1700000000', '{"a":1}')).toBe(`sha256=${expected}`);
  });

  it('stores secrets encrypted and shows them masked', () => {
    const row = channelRow({ kind: 'webhook', name: 'ops-hook', url: 'https://hooks.example.com/x', secret: 'whsec-0123456789abcdef' }, cipher, []);
    expect(JSON.stringify(row)).not.toContain('whsec-0123456789abcdef');
    expect(describeChannel({ ...row, id: 'x', connectionId: null, fromEnv: false, createdAt: new Date(), secretEnc: row.secretEnc ?? null, config: row.config ?? {} }, cipher))
      .toBe('https://hooks.example.com/x, secret whse…ef');
    const email = channelRow({ kind: 'email', name: 'ops-mail', to: 'ops@example.com', smtpUrl: 'smtp://bot:p%40ss-word@mail.example.com:2525' }, cipher, []);
    expect(email.config).toEqual({ to: 'ops@example.com', from: 'lucca-sync@mail.example.com', host: 'mail.example.com', port: 2525, secure: false, user: 'bot' });
    expect(cipher.decrypt(email.secretEnc as string)).toBe('p@ss-word');
  });

  const bad: [string, Parameters<typeof channelRow>[0], string][] = [
    ['an http webhook', { kind: 'webhook', name: 'h1', url: 'http://hooks.example.com', secret: 'x'.repeat(16) }, 'Webhook URLs must use https'],
    ['a private address', { kind: 'slack', name: 's1', url: 'https://10.0.0.1/hook' }, '10.0.0.1 is a private address'],
    ['not a URL', { kind: 'webhook', name: 'h2', url: 'hooks', secret: 'x'.repeat(16) }, 'The webhook URL is not a URL'],
    ['a short secret', { kind: 'webhook', name: 'h3', url: 'https://hooks.example.com', secret: 'short' }, 'bad webhook secret: expected at least 16 characters.'],
    ['a bad recipient', { kind: 'email', name: 'm1', to: 'nobody', smtpUrl: 'smtp://mail.example.com' }, 'bad email recipient'],
    ['a bad SMTP URL', { kind: 'email', name: 'm2', to: 'a@example.com', smtpUrl: 'http://mail.example.com' }, 'bad SMTP URL: expected smtp:// or smtps://'],
    ['a bad name', { kind: 'slack', name: 'Ops Slack', url: 'https://hooks.slack.com/services/x' }, 'bad channel name'],
  ];
  it.each(bad)('refuses %s with one line', (_, input, message) => {
    expect(() => channelRow(input, cipher, [])).toThrow(AlertInputError);
    expect(() => channelRow(input, cipher, [])).toThrow(message);
  });

  it('parses SMTP URLs with default ports', () => {
    expect(parseSmtpUrl('smtps://mail.example.com')).toEqual({ host: 'mail.example.com', port: 465, secure: true });
    expect(parseSmtpUrl('smtp://mail.example.com')).toEqual({ host: 'mail.example.com', port: 587, secure: false });
  });

  it('backs off from 30 s to an hour', () => {
    expect([1, 2, 3, 8, 20].map(retryDelayMs)).toEqual([30_000, 60_000, 120_000, 3_600_000, 3_600_000]);
  });

  it('formats Slack incoming-webhook messages', () => {
    const payload = slackPayload({
      event: 'incident.opened', connection: 'acme', at: '2026-01-01T00:00:00Z',
      incident: { id: 4, kind: 'auth_error', cause: 'refused (lucca_unauthorized)', openedAt: '2026-01-01T00:00:00Z', resolvedAt: null },
    });
    expect(payload.text).toBe('lucca-sync: incident opened on "acme": auth error (#4)');
    expect(payload.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: expect.stringContaining('Cause: refused (lucca_unauthorized)') } }]);
  });
});
