import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, retryAfterValue, sendHtmlPage, sendJson, sleep } from './http.js';
import type { FaultInjector } from './faults.js';
import type { SlidingWindowLimiter } from './rate-limit.js';
import { IDEMPOTENCY_KEY_PATTERN, type IdempotencyStore, requestFingerprint } from './idempotency.js';

/**
 * The request pipeline shared by the HappyPal and Reflect simulators:
 * body → bearer auth → rate limit (per key) → injected fault → Idempotency-Key → handler.
 * Every answer is counted per endpoint and status for the admin state dump.
 */
export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export function apiError(status: number, code: string, message: string, extra: object = {}): Reply {
  return { status, body: { error: { code, message, ...extra } } };
}

export class RequestCounter {
  private counts: Record<string, Record<string, number>> = {};

  add(endpoint: string, status: number | 'dropped'): void {
    const byStatus = this.counts[endpoint] ?? (this.counts[endpoint] = {});
    byStatus[String(status)] = (byStatus[String(status)] ?? 0) + 1;
  }

  snapshot(): Record<string, Record<string, number>> {
    return structuredClone(this.counts);
  }

  reset(): void {
    this.counts = {};
  }
}

export interface ApiContext {
  apiKey: string;
  limiter: SlidingWindowLimiter;
  faults: FaultInjector;
  counter: RequestCounter;
  idempotency: IdempotencyStore;
}

/** One matched route: `run` receives the parsed JSON body (undefined when empty). */
export interface ApiCall {
  endpoint: string;
  /** POST/PATCH: reads a body, honours Idempotency-Key; an injected drop happens after the commit. */
  mutating: boolean;
  run(body: unknown): Reply;
}

/** What a simulator's router returns: a call to serve, or an immediate error (unknown route, 405). */
export type RouteMatch = { kind: 'call'; call: ApiCall } | { kind: 'error'; reply: Reply };

export function bearerKey(req: IncomingMessage): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return match?.[1] ?? null;
}

export async function serveApiCall(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: ApiContext,
  call: ApiCall,
): Promise<void> {
  const send = (reply: Reply, truncate = false): void => {
    ctx.counter.add(call.endpoint, reply.status);
    sendJson(res, reply.status, reply.body, reply.headers, truncate);
  };
  const raw = await readBody(req);

  const key = bearerKey(req);
  if (key === null || key !== ctx.apiKey) {
    const reply = apiError(401, 'unauthorized', 'Missing or unknown API key');
    return send({ ...reply, headers: { 'www-authenticate': 'Bearer' } });
  }
  const waitSeconds = ctx.limiter.take(key);
  if (waitSeconds > 0) {
    const reply = apiError(429, 'rate_limited', `Rate limit exceeded; retry in ${waitSeconds}s`);
    return send({ ...reply, headers: { 'retry-after': String(waitSeconds) } });
  }

  await ctx.faults.pass(call.endpoint);
  const fault = ctx.faults.decide(call.endpoint);
  if (fault.delayMs > 0) await sleep(fault.delayMs);
  if (fault.kind === 'error') return send(apiError(500, 'internal', 'Injected server error'));
  if (fault.kind === 'html') {
    ctx.counter.add(call.endpoint, 200);
    return sendHtmlPage(res);
  }
  if (fault.kind === 'tooMany') {
    const reply = apiError(429, 'rate_limited', 'Too many requests (injected)');
    return send({ ...reply, headers: { 'retry-after': retryAfterValue(fault.retryAfterSeconds, fault.retryAfterAs) } });
  }
  const drop = (): void => {
    ctx.counter.add(call.endpoint, 'dropped');
    res.socket?.destroy();
  };
  if (fault.kind === 'drop' && !call.mutating) return drop();

  const reply = call.mutating ? runMutating(req, raw, key, ctx, call) : call.run(undefined);
  // A dropped write is lost after the commit: the client cannot tell, and must retry with its key.
  if (fault.kind === 'drop') return drop();
  send(reply, fault.kind === 'none' && fault.truncate);
}

function runMutating(req: IncomingMessage, raw: string, scope: string, ctx: ApiContext, call: ApiCall): Reply {
  let body: unknown;
  try {
    body = raw.trim() === '' ? undefined : (JSON.parse(raw) as unknown);
  } catch {
    return apiError(400, 'invalid_json', 'Request body is not valid JSON');
  }
  const header = req.headers['idempotency-key'];
  const idemKey = Array.isArray(header) ? header[0] : header;
  if (idemKey === undefined) return call.run(body);
  if (!IDEMPOTENCY_KEY_PATTERN.test(idemKey)) {
    return apiError(422, 'idempotency_key_invalid', 'Idempotency-Key must be 1-255 printable ASCII characters');
  }
  const path = new URL(req.url ?? '/', 'http://sim').pathname;
  const fingerprint = requestFingerprint(req.method ?? 'POST', path, body);
  const found = ctx.idempotency.lookup(scope, idemKey, fingerprint);
  if (found.kind === 'mismatch') {
    return apiError(
      422,
      'idempotency_key_reused',
      'This Idempotency-Key was already used with a different request',
    );
  }
  if (found.kind === 'replay') {
    return { ...found.response, headers: { 'idempotent-replayed': 'true' } };
  }
  const reply = call.run(body);
  // Kept: successes and business conflicts (404, 409). Not kept: validation failures (422), throttling
  // and server errors, so the same key can be retried once the body is fixed or the service is back.
  if ((reply.status >= 200 && reply.status < 300) || reply.status === 404 || reply.status === 409) {
    ctx.idempotency.save(scope, idemKey, fingerprint, { status: reply.status, body: reply.body });
  }
  return reply;
}

export function isLoopback(req: IncomingMessage): boolean {
  const address = req.socket.remoteAddress ?? '';
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}
