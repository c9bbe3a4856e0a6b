import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { FaultsSchema, type FaultInjector } from './faults.js';
import { INVALID_JSON, readJson, sendJson } from './http.js';
import type { SlidingWindowLimiter } from './rate-limit.js';
import { type Reply, apiError, isLoopback } from './api-kit.js';
import { zodFieldErrors } from './field-errors.js';

/**
 * `/_admin` plumbing shared by the HappyPal and Reflect simulators: loopback only, no auth, JSON in
 * and out. Common routes: POST/DELETE /_admin/faults, POST /_admin/rate-limit, POST /_admin/reset.
 */
export const RateLimitInputSchema = z.strictObject({ perMinute: z.number().int().min(0) });
export type RateLimitInput = z.infer<typeof RateLimitInputSchema>;

export interface AdminContext {
  faults: FaultInjector;
  limiter: SlidingWindowLimiter;
  reset(): void;
  /** Simulator-specific routes; `parts` is the path after `/_admin`. Null when no route matches. */
  routes(method: string, parts: string[], body: unknown): Reply | null;
}

export function parseAdmin<S extends z.ZodType>(
  schema: S,
  body: unknown,
): { ok: true; data: z.output<S> } | { ok: false; reply: Reply } {
  const parsed = schema.safeParse(body ?? {}, { reportInput: true });
  if (parsed.success) return { ok: true, data: parsed.data };
  const fields = zodFieldErrors(parsed.error);
  return { ok: false, reply: apiError(422, 'validation_failed', 'Invalid admin request', { fields }) };
}

export async function serveAdmin(req: IncomingMessage, res: ServerResponse, ctx: AdminContext): Promise<void> {
  const reply = await adminReply(req, ctx);
  sendJson(res, reply.status, reply.body, reply.headers);
}

async function adminReply(req: IncomingMessage, ctx: AdminContext): Promise<Reply> {
  if (!isLoopback(req)) return apiError(403, 'forbidden', 'The admin API is loopback only');
  const method = req.method ?? 'GET';
  const parts = new URL(req.url ?? '/', 'http://sim').pathname.split('/').filter(Boolean).slice(1);
  const body = await readJson(req);
  if (body === INVALID_JSON) return apiError(400, 'invalid_json', 'Request body is not valid JSON');
  const route = parts.join('/');

  if (route === 'faults' && method === 'POST') {
    const parsed = parseAdmin(FaultsSchema, body);
    if (!parsed.ok) return parsed.reply;
    ctx.faults.setAll(parsed.data);
    return { status: 200, body: { faults: ctx.faults.snapshot() } };
  }
  if (route === 'faults' && method === 'DELETE') {
    ctx.faults.clear();
    return { status: 200, body: { faults: {} } };
  }
  if (route === 'faults' && method === 'GET') return { status: 200, body: { faults: ctx.faults.snapshot() } };
  if (route === 'rate-limit' && method === 'POST') {
    const parsed = parseAdmin(RateLimitInputSchema, body);
    if (!parsed.ok) return parsed.reply;
    ctx.limiter.limit = parsed.data.perMinute;
    ctx.limiter.reset();
    return { status: 200, body: { perMinute: ctx.limiter.limit } };
  }
  if (route === 'reset' && method === 'POST') {
    ctx.reset();
    return { status: 200, body: { reset: true } };
  }
  return ctx.routes(method, parts, body) ?? apiError(404, 'not_found', `No admin route ${method} /_admin/${route}`);
}
