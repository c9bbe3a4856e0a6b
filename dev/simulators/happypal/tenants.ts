import type { RunningServer } from '../shared/http.js';
import { listen, sendJson } from '../shared/http.js';
import { apiError, bearerKey, serveApiCall } from '../shared/api-kit.js';
import { createApiContext, type ApiSimulatorOptions } from '../shared/sim-server.js';
import { matchHappyPalRoute } from './routes.js';
import { createHappyPalState, type HappyPalState } from './state.js';
import { HappyPalStore } from './store.js';

/**
 * Many HappyPal tenants behind one host, as the real service serves every company at one address:
 * each API key is a tenant with its own profiles, idempotency keys, request counts and rate window
 * (`rateLimitPerMinute` per key, as the single-tenant simulator). Same routes and request pipeline
 * as `startHappyPalSimulator` (routes.ts, shared/api-kit.ts); no admin API. The fleet bench
 * (`npm run bench:fleet`) and the write-budget tests use it.
 */
export interface HappyPalTenants extends RunningServer {
  /** API base without `/v1`, the same for every tenant. */
  url: string;
  /** Adds a tenant reached with `apiKey`; its in-process state (dump, seed, hand edits). */
  addTenant(apiKey: string): HappyPalState;
  tenant(apiKey: string): HappyPalState | undefined;
  /** Arrival time (epoch ms) of every write request (POST/PATCH) any tenant received, in order. */
  readonly writeArrivals: readonly number[];
}

export async function startHappyPalTenants(options: Omit<ApiSimulatorOptions, 'apiKey'> = {}): Promise<HappyPalTenants> {
  const tenants = new Map<string, { ctx: ReturnType<typeof createApiContext>; store: HappyPalStore; state: HappyPalState }>();
  const writeArrivals: number[] = [];
  const server = await listen(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://simulator.local');
    const tenant = tenants.get(bearerKey(req) ?? '');
    if (!tenant) {
      const reply = apiError(401, 'unauthorized', 'Missing or unknown API key');
      return sendJson(res, reply.status, reply.body, { 'www-authenticate': 'Bearer' });
    }
    const match = matchHappyPalRoute(req.method ?? 'GET', url, tenant.store);
    if (match.kind === 'error') {
      tenant.ctx.counter.add('unmatched', match.reply.status);
      return sendJson(res, match.reply.status, match.reply.body, match.reply.headers);
    }
    if (match.call.mutating) writeArrivals.push(Date.now());
    return serveApiCall(req, res, tenant.ctx, match.call);
  }, options.port ?? 0, options.host);
  return {
    ...server,
    writeArrivals,
    addTenant(apiKey) {
      if (tenants.has(apiKey)) throw new Error('a tenant with this API key already exists');
      const ctx = createApiContext({ ...options, apiKey }, apiKey);
      const store = new HappyPalStore(ctx.now);
      const state = createHappyPalState(store, ctx.counter, ctx.idempotency);
      tenants.set(apiKey, { ctx, store, state });
      return state;
    },
    tenant: (apiKey) => tenants.get(apiKey)?.state,
  };
}
