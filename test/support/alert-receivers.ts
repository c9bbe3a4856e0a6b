import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from '../../services/notify/webhook.js';

/** Local receivers of alert notifications: an HTTP endpoint (webhook or Slack) and an SMTP server. */
export interface HttpReceiver {
  url: string;
  /** Accepted deliveries, parsed. */
  received: unknown[];
  /** Requests refused (bad signature or format), as reasons. */
  refused: string[];
  /** The status answered to the next requests (500 to make the channel fail). */
  status: number;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function httpReceiver(check: (headers: IncomingHttpHeaders, body: string) => string | null): Promise<HttpReceiver> {
  const receiver = { received: [] as unknown[], refused: [] as string[], status: 200 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const problem = check(req.headers, body);
      if (problem) {
        receiver.refused.push(problem);
        res.writeHead(401).end();
        return;
      }
      if (receiver.status === 200) receiver.received.push(JSON.parse(body));
      res.writeHead(receiver.status).end();
    });
  });
  return listen(server).then((port) => Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/hook`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }));
}

/** Checks the HMAC-SHA256 signature over "<timestamp>.<body>" with the shared secret. */
export function startWebhookReceiver(secret: string): Promise<HttpReceiver> {
  return httpReceiver((headers, body) => {
    const timestamp = headers[TIMESTAMP_HEADER];
    if (typeof timestamp !== 'string' || !/^\d+$/.test(timestamp)) return 'no timestamp';
    if (headers[SIGNATURE_HEADER] !== signWebhook(secret, timestamp, body)) return 'bad signature';
    return null;
  });
}

/** Checks Slack's incoming-webhook format: a text and mrkdwn section blocks. */
export function startSlackReceiver(): Promise<HttpReceiver> {
  return httpReceiver((headers, body) => {
    if (headers['content-type'] !== 'application/json') return 'not JSON';
    const payload = JSON.parse(body) as { text?: unknown; blocks?: { type?: string; text?: { type?: string; text?: unknown } }[] };
    if (typeof payload.text !== 'string' || !payload.text) return 'no text';
    if (!Array.isArray(payload.blocks) || !payload.blocks.every((b) => b.type === 'section' && b.text?.type === 'mrkdwn' && typeof b.text.text === 'string')) {
      return 'bad blocks';
    }
    return null;
  });
}

export interface SmtpReceiver {
  port: number;
  mails: { from: string; to: string[]; raw: string }[];
  close(): Promise<void>;
}

/** A real SMTP server (no TLS, on loopback) that requires this user and password. */
export async function startSmtpReceiver(user: string, password: string): Promise<SmtpReceiver> {
  const mails: SmtpReceiver['mails'] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'], allowInsecureAuth: true, logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === password) callback(null, { user });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
