import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Company } from '../data/company.js';
import { FaultInjector, RetryAfterAsSchema, type RetryAfterAs } from '../shared/faults.js';
import { listen, retryAfterValue, sendHtmlPage, sendJson, sleep } from '../shared/http.js';
import { SlidingWindowLimiter } from '../shared/rate-limit.js';
import { handleAdmin } from './admin.js';
import type { LuccaInstance, RequestContext } from './context.js';
import { LuccaHttpError } from './http-error.js';
import { Query } from './query.js';
import { keyFromHeader, resolveKey, RoleSchema, type ApiKey, type HiddenAs, type Role } from './roles.js';
import { matchEndpoint, routeInstance } from './routes.js';
import { RequestStats } from './stats.js';

export const LuccaSimulatorOptionsSchema = z.object({
  port: z.number().int().min(0).default(0),
  host: z.string().default('127.0.0.1'),
  /** Per instance, shared by all its keys; 0 turns limiting off. */
  rateLimitPerMinute: z.number().int().min(0).default(50),
  /** How the rate limit's 429 writes Retry-After: delay-seconds (default) or an HTTP date. */
  retryAfterAs: RetryAfterAsSchema.default('seconds'),
  /** Length of that window: Lucca's minute; tests shorten it so a budget is waited out in seconds. */
  rateLimitWindowMs: z.number().int().positive().default(60_000),
  /** A request held longer than this (injected latency included) is answered 408. */
  requestTimeoutMs: z.number().int().positive().default(5000),
  /** Seed of the fault injector's draws. */
  seed: z.number().int().default(1),
});
export type LuccaSimulatorOptions = z.input<typeof LuccaSimulatorOptionsSchema>;

export interface InstanceDefinition {
  name: string;
  company: Company;
  keys: ApiKey[];
}

export interface LuccaSimulator {
  url: string;
  port: number;
  instances: Map<string, LuccaInstance>;
  faults: FaultInjector;
  stats: RequestStats;
  readonly requestTimeoutMs: number;
  readonly rateLimitPerMinute: number;
  readonly retryAfterAs: RetryAfterAs;
  addInstance(definition: InstanceDefinition): LuccaInstance;
  removeInstance(name: string): void;
  /** `${url}/t/<name>`: what a client is configured with; API paths go below it. */
  instanceUrl(name: string): string;
  company(name: string): Company;
  /**
   * Changes what a key's role lets it read, from the next request on (a tenant's admin editing the
   * key's role between two syncs). Flags left out are false, as in ApiKey.role.
   */
  setKeyRole(instance: string, key: string, role: Partial<Role>, hiddenAs?: HiddenAs): void;
  /** Changes the limit at runtime (0 = off), and the Retry-After form when given; clears the current windows. */
  setRateLimit(perMinute: number, retryAfterAs?: RetryAfterAs): void;
  close(): Promise<void>;
}

/** Starts a Lucca API simulator on loopback; the rules it enforces, with their sources: docs/lucca-simulator.md. */
export async function startLuccaSimulator(options: LuccaSimulatorOptions = {}): Promise<LuccaSimulator> {
  const opts = LuccaSimulatorOptionsSchema.parse(options);
  const instances = new Map<string, LuccaInstance>();
  const faults = new FaultInjector(opts.seed);
  const stats = new RequestStats();
  const limiter = new SlidingWindowLimiter(opts.rateLimitPerMinute, opts.rateLimitWindowMs);
  let processId = 0;
  let retryAfterAs = opts.retryAfterAs;
  let sim: LuccaSimulator | undefined;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/_admin' || url.pathname.startsWith('/_admin/')) return handleAdmin(sim as LuccaSimulator, req, res, url);
    const routed = routeInstance(url.pathname, req.headers.host);
    const instance = routed ? instances.get(routed.name) : undefined;
    if (!routed || !instance) return fail(res, new LuccaHttpError(404, routed ? `Unknown instance "${routed.name}"` : 'Not found'));
    const match = matchEndpoint(routed.path);
    stats.track(res, instance.name, match?.endpoint.name ?? 'unknown');
    if (!match) return fail(res, new LuccaHttpError(404, `No resource at ${routed.path}`));
    if (req.method !== 'GET') return fail(res, new LuccaHttpError(405, `${req.method} is not supported here`, { allow: 'GET' }));
    const retryAfter = limiter.take(instance.name);
    if (retryAfter > 0) return fail(res, tooMany(retryAfter, retryAfterAs));
    const key = instance.keys.get(keyFromHeader(req.headers.authorization) ?? '');
    if (!key) return fail(res, new LuccaHttpError(401, 'Authorization has been denied for this request.'));
    const module = match.endpoint.module;
    if (module && !key.role[module]) return fail(res, new LuccaHttpError(403, `The API key has no access to ${module}`));

    await faults.pass(match.endpoint.name);
    const decision = faults.decide(match.endpoint.name);
    if (decision.delayMs > 0) {
      const remaining = opts.requestTimeoutMs - (Date.now() - started);
      if (decision.delayMs >= remaining) {
        await sleep(Math.max(0, remaining));
        return fail(res, new LuccaHttpError(408, 'Request timeout'));
      }
      await sleep(decision.delayMs);
    }
    // Injected faults answer in Lucca's error shape, like every other error of this simulator.
    if (decision.kind === 'drop') return void res.socket?.destroy();
    if (decision.kind === 'error') return fail(res, new LuccaHttpError(500, 'An error has occurred.'));
    if (decision.kind === 'tooMany') return fail(res, tooMany(decision.retryAfterSeconds, decision.retryAfterAs));
    // A proxy or SSO portal in front of the tenant answers with its own login page, status 200.
    if (decision.kind === 'html') return sendHtmlPage(res);
    const company = instance.company;
    const ctx: RequestContext = {
      instance, company, key, role: key.role, query: new Query(url.searchParams), path: routed.path,
      params: match.params, today: company.clock.today(), processId: ++processId,
    };
    let body: unknown;
    try {
      body = match.endpoint.handle(ctx);
    } catch (err) {
      if (err instanceof LuccaHttpError) return fail(res, err);
      throw err;
    }
    if (Date.now() - started > opts.requestTimeoutMs) return fail(res, new LuccaHttpError(408, 'Request timeout'));
    sendJson(res, 200, body, {}, decision.kind === 'none' && decision.truncate);
  }

  const server = await listen(handle, opts.port, opts.host);
  sim = {
    url: server.url,
    port: server.port,
    instances,
    faults,
    stats,
    requestTimeoutMs: opts.requestTimeoutMs,
    get rateLimitPerMinute() {
      return limiter.limit;
    },
    get retryAfterAs() {
      return retryAfterAs;
    },
    addInstance(definition) {
      if (!/^[a-z0-9-]+$/i.test(definition.name)) throw new Error(`instance name must be [a-z0-9-]+: ${definition.name}`);
      if (instances.has(definition.name)) throw new Error(`instance ${definition.name} already exists`);
      const keys = new Map(definition.keys.map((k, i) => {
        const resolved = resolveKey(k, i);
        return [resolved.key, resolved] as const;
      }));
      const instance: LuccaInstance = { name: definition.name, company: definition.company, keys, url: `${server.url}/t/${definition.name}` };
      instances.set(definition.name, instance);
      return instance;
    },
    removeInstance(name) {
      instances.delete(name);
    },
    instanceUrl: (name) => `${server.url}/t/${name}`,
    company(name) {
      const instance = instances.get(name);
      if (!instance) throw new Error(`unknown instance ${name}`);
      return instance.company;
    },
    setKeyRole(name, key, role, hiddenAs) {
      const resolved = instances.get(name)?.keys.get(key);
      if (!resolved) throw new Error(`unknown key on instance ${name}`);
      resolved.role = RoleSchema.parse(role);
      if (hiddenAs) resolved.hiddenAs = hiddenAs;
    },
    setRateLimit(perMinute, as) {
      limiter.limit = perMinute;
      if (as) retryAfterAs = as;
      limiter.reset();
    },
    close: () => server.close(),
  };
  return sim;
}

/**
 * 429 with Retry-After in either form HTTP allows (RFC 9110 §10.2.3); Lucca's limits page says to
 * "respect Retry-After" without fixing the form (https://developers.luccasoftware.com/documentation/limits).
 */
function tooMany(seconds: number, as: RetryAfterAs): LuccaHttpError {
  return new LuccaHttpError(429, 'Too many requests', { 'retry-after': retryAfterValue(seconds, as) });
}

function fail(res: ServerResponse, err: LuccaHttpError): void {
  sendJson(res, err.status, err.body(), err.headers);
}
