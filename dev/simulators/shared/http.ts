import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FaultDecision, RetryAfterAs } from './faults.js';

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

/** Starts an HTTP server on loopback only. Port 0 picks a free port. */
export async function listen(handler: Handler, port = 0, host = '127.0.0.1'): Promise<RunningServer> {
  const server: Server = createServer((req, res) => {
    Promise.resolve(handler(req, res)).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'internal', message: String(err) } });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export async function readBody(req: IncomingMessage, maxBytes = 10 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses a JSON request body; undefined when empty, the string 'invalid' when it does not parse. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return INVALID_JSON;
  }
}
export const INVALID_JSON = Symbol('invalid-json');

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  truncate = false,
): void {
  let text = JSON.stringify(body);
  if (truncate) text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text).toString(),
    ...headers,
  });
  res.end(text);
}

/** A Retry-After value: delay-seconds, or the IMF-fixdate that many seconds from now (rounded up to a whole second). */
export function retryAfterValue(seconds: number, as: RetryAfterAs = 'seconds', now = Date.now()): string {
  if (as === 'seconds') return String(seconds);
  return new Date(Math.ceil((now + seconds * 1000) / 1000) * 1000).toUTCString();
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Applies a fault decision before the real handler runs. Returns true when the request was fully
 * answered (or dropped) by the fault, false when the caller must answer it (with `truncate` honoured).
 */
export async function applyFault(res: ServerResponse, decision: FaultDecision): Promise<boolean> {
  if (decision.delayMs > 0) await sleep(decision.delayMs);
  switch (decision.kind) {
    case 'drop':
      res.socket?.destroy();
      return true;
    case 'error':
      sendJson(res, 500, { error: { code: 'internal', message: 'Injected server error' } });
      return true;
    case 'tooMany':
      sendJson(
        res,
        429,
        { error: { code: 'rate_limited', message: 'Too many requests' } },
        { 'retry-after': retryAfterValue(decision.retryAfterSeconds, decision.retryAfterAs) },
      );
      return true;
    case 'html':
      sendHtmlPage(res);
      return true;
    case 'none':
      return false;
  }
}

/** What a corporate proxy or an SSO portal answers in front of an API: a login page, status 200. */
export const INJECTED_HTML_PAGE =
  '<!DOCTYPE html><html><head><title>Sign in – Corporate Access 2026</title></head>' +
  '<body><form action="/login"><p>Please sign in to continue.</p></form></body></html>';

export function sendHtmlPage(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(INJECTED_HTML_PAGE).toString() });
  res.end(INJECTED_HTML_PAGE);
}
