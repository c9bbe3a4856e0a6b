import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { isFormer, isFuture, type Company } from '../data/company.js';
import { MutationError } from '../data/mutations.js';
import { FaultsSchema, RetryAfterAsSchema } from '../shared/faults.js';
import { INVALID_JSON, readJson, sendJson } from '../shared/http.js';
import { applyMutation, MutationRequestSchema } from './admin-mutations.js';
import { HiddenAsSchema, RoleSchema } from './roles.js';
import type { LuccaSimulator } from './server.js';

export const RateLimitRequestSchema = z.object({ perMinute: z.number().int().min(0), retryAfterAs: RetryAfterAsSchema.optional() });
export type RateLimitRequest = z.infer<typeof RateLimitRequestSchema>;
export const KeyRoleRequestSchema = z.object({ role: RoleSchema.partial(), hiddenAs: HiddenAsSchema.optional() });

/**
 * Test and demo controls, not part of Lucca's API: no auth, loopback callers only.
 * GET  /_admin/instances · GET /_admin/instances/<name>/state · POST /_admin/instances/<name>/mutate
 * POST /_admin/faults · DELETE /_admin/faults · POST /_admin/rate-limit · GET|DELETE /_admin/stats
 * PUT  /_admin/instances/<name>/keys/<key>/role  `{ role, hiddenAs? }` (the key's role, from the next request on)
 */
export async function handleAdmin(sim: LuccaSimulator, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const remote = req.socket.remoteAddress ?? '';
  if (!['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(remote)) return sendJson(res, 403, { error: 'admin is loopback-only' });
  const route = `${req.method ?? 'GET'} ${url.pathname.replace(/\/$/, '')}`;
  const instanceRoute = /^(GET|POST) \/_admin\/instances\/([^/]+)\/(state|mutate)$/.exec(route);
  const roleRoute = /^PUT \/_admin\/instances\/([^/]+)\/keys\/([^/]+)\/role$/.exec(route);
  try {
    if (route === 'GET /_admin/instances') return sendJson(res, 200, { instances: [...sim.instances.keys()].map((name) => ({ name, url: sim.instanceUrl(name) })) });
    if (route === 'GET /_admin/stats') return sendJson(res, 200, sim.stats.snapshot());
    if (route === 'DELETE /_admin/stats') {
      sim.stats.reset();
      return sendJson(res, 200, { ok: true });
    }
    if (route === 'GET /_admin/faults') return sendJson(res, 200, sim.faults.snapshot());
    if (route === 'POST /_admin/faults') {
      sim.faults.setAll(FaultsSchema.parse(await body(req)));
      return sendJson(res, 200, sim.faults.snapshot());
    }
    if (route === 'DELETE /_admin/faults') {
      sim.faults.clear();
      return sendJson(res, 200, { ok: true });
    }
    if (route === 'POST /_admin/rate-limit') {
      const request = RateLimitRequestSchema.parse(await body(req));
      sim.setRateLimit(request.perMinute, request.retryAfterAs);
      return sendJson(res, 200, { perMinute: sim.rateLimitPerMinute, retryAfterAs: sim.retryAfterAs });
    }
    if (roleRoute) {
      const [name, key] = [decodeURIComponent(roleRoute[1] as string), decodeURIComponent(roleRoute[2] as string)];
      if (!sim.instances.get(name)?.keys.has(key)) return sendJson(res, 404, { error: `unknown key on instance ${name}` });
      const request = KeyRoleRequestSchema.parse(await body(req));
      sim.setKeyRole(name, key, request.role, request.hiddenAs);
      return sendJson(res, 200, { ok: true });
    }
    if (instanceRoute) {
      const instance = sim.instances.get(decodeURIComponent(instanceRoute[2] as string));
      if (!instance) return sendJson(res, 404, { error: `unknown instance ${instanceRoute[2]}` });
      if (instanceRoute[1] === 'GET' && instanceRoute[3] === 'state') return sendJson(res, 200, instanceState(instance.company));
      if (instanceRoute[1] === 'POST' && instanceRoute[3] === 'mutate') {
        const result = applyMutation(instance.company, MutationRequestSchema.parse(await body(req)));
        return sendJson(res, 200, { ok: true, result });
      }
    }
    return sendJson(res, 404, { error: `no admin route ${route}` });
  } catch (err) {
    if (err instanceof z.ZodError) return sendJson(res, 400, { error: 'invalid body', issues: err.issues });
    if (err instanceof MutationError) return sendJson(res, 404, { error: err.message });
    if (err instanceof SyntaxError) return sendJson(res, 400, { error: err.message });
    throw err;
  }
}

async function body(req: IncomingMessage): Promise<unknown> {
  const parsed = await readJson(req);
  if (parsed === INVALID_JSON) throw new SyntaxError('body is not JSON');
  return parsed ?? {};
}

function instanceState(company: Company) {
  const today = company.clock.today();
  let former = 0;
  let future = 0;
  for (const user of company.users) {
    if (isFormer(user, today)) former++;
    else if (isFuture(user, today)) future++;
  }
  return {
    name: company.name,
    now: new Date(company.clock.now()).toISOString(),
    today,
    users: company.users.length,
    active: company.users.length - former - future,
    former,
    future,
    invalid: company.invalidUserIds.length,
    removed: company.removedUserIds.length,
    departments: company.departments.length,
    legalEntities: company.legalEntities.length,
    fixedItems: company.fixedItems.length,
    variableItems: company.variableItems.length,
    activityMaterialised: company.activity.size,
  };
}
