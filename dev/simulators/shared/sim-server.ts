import { FaultInjector } from './faults.js';
import { type RunningServer, listen, sendJson } from './http.js';
import { SlidingWindowLimiter } from './rate-limit.js';
import { type AdminContext, serveAdmin } from './admin-kit.js';
import { type ApiContext, RequestCounter, type RouteMatch, serveApiCall } from './api-kit.js';
import { IdempotencyStore } from './idempotency.js';

/** Options common to the HappyPal and Reflect simulators. */
export interface ApiSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Bind address; loopback by default. The admin API answers loopback callers only. */
  host?: string;
  apiKey?: string;
  /** Requests per minute per API key; 0 turns limiting off. Default 600. */
  rateLimitPerMinute?: number;
  /** Seed of the fault-injection RNG, so a scenario replays. */
  seed?: number;
  /** Clock for timestamps, idempotency expiry and the rate window. */
  now?: () => Date;
}

export const DEFAULT_RATE_LIMIT_PER_MINUTE = 600;

/** The pieces every simulator shares, built before its store so the store can use the clock. */
export function createApiContext(options: ApiSimulatorOptions, defaultKey: string): ApiContext & { now: () => Date } {
  const now = options.now ?? (() => new Date());
  const nowMs = () => now().getTime();
  return {
    now,
    apiKey: options.apiKey ?? defaultKey,
    faults: new FaultInjector(options.seed ?? 1),
    limiter: new SlidingWindowLimiter(options.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE, 60_000, nowMs),
    counter: new RequestCounter(),
    idempotency: new IdempotencyStore(nowMs),
  };
}

export interface ApiServerSpec {
  ctx: ApiContext;
  /** Route the product API (everything outside /_admin). */
  match(method: string, url: URL): RouteMatch;
  adminRoutes: AdminContext['routes'];
  /** Clears the simulator's own data; faults, counts, keys and the rate window are cleared here. */
  resetStore(): void;
}

export async function startApiServer(spec: ApiServerSpec, options: ApiSimulatorOptions): Promise<RunningServer> {
  const { ctx } = spec;
  const initialLimit = ctx.limiter.limit;
  const reset = (): void => {
    spec.resetStore();
    ctx.faults.clear();
    ctx.counter.reset();
    ctx.idempotency.reset();
    ctx.limiter.limit = initialLimit;
    ctx.limiter.reset();
  };
  const admin: AdminContext = { faults: ctx.faults, limiter: ctx.limiter, reset, routes: spec.adminRoutes };
  return listen(
    async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://simulator.local');
      if (url.pathname === '/_admin' || url.pathname.startsWith('/_admin/')) return serveAdmin(req, res, admin);
      const match = spec.match(req.method ?? 'GET', url);
      if (match.kind === 'error') {
        ctx.counter.add('unmatched', match.reply.status);
        return sendJson(res, match.reply.status, match.reply.body, match.reply.headers);
      }
      return serveApiCall(req, res, ctx, match.call);
    },
    options.port ?? 0,
    options.host,
  );
}
