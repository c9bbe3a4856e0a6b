import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Company } from '../data/company.js';
import { FaultInjector } from '../shared/faults.js';
import { applyFault, listen, sendJson, sleep } from '../shared/http.js';
import { SlidingWindowLimiter } from '../shared/rate-limit.js';
import { handleAdmin } from './admin.js';
import type { LuccaInstance, RequestContext } from './context.js';
import { LuccaHttpError } from './http-error.js';
import { Query } from './query.js';
import { keyFromHeader, resolveKey, type ApiKey } from './roles.js';
import { matchEndpoint, routeInstance } from './routes.js';
import { RequestStats } from './stats.js';

export const LuccaSimulatorOptionsSchema = z.object({
  port: z.number().int().min(0).default(0),
  host: z.string().default('127.0.0.1'),
  /** Per instance, shared by all its keys; 0 turns limiting off. */
  rateLimitPerMinute: z.number().int().min(0).default(50),
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
  addInstance(definition: InstanceDefinition): LuccaInstance;
  removeInstance(name: string): void;
  /** `${url}/t/<name>`: what a client is configured with; API paths go below it. */
  instanceUrl(name: string): string;
  company(name: string): Company;
  /** Changes the limit at runtime (0 = off) and clears the current windows. */
  setRateLimit(perMinute: number): void;
  close(): Promise<void>;
}

/** Starts a Lucca API simulator on loopback (see README-level docs in the report / lucca-api.md §8). */
export async function startLuccaSimulator(options: LuccaSimulatorOptions = {}): Promise<LuccaSimulator> {
  const opts = LuccaSimulatorOptionsSchema.parse(options);
  const instances = new Map<string, LuccaInstance>();
  const faults = new FaultInjector(opts.seed);
  const stats = new RequestStats();
  const limiter = new SlidingWindowLimiter(opts.rateLimitPerMinute, opts.rateLimitWindowMs);
  let processId = 0;
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
    if (retryAfter > 0) return fail(res, new LuccaHttpError(429, 'Too many requests', { 'retry-after': String(retryAfter) }));
    const key = instance.keys.get(keyFromHeader(req.headers.authorization) ?? '');
    if (!key) return fail(res, new LuccaHttpError(401, 'Authorization has been denied for this request.'));
    const module = match.endpoint.module;
    if (module && !key.role[module]) return fail(res, new LuccaHttpError(403, `The API key has no access to ${module}`));

    const decision = faults.decide(match.endpoint.name);
    if (decision.delayMs > 0) {
      const remaining = opts.requestTimeoutMs - (Date.now() - started);
      if (decision.delayMs >= remaining) {
        await sleep(Math.max(0, remaining));
        return fail(res, new LuccaHttpError(408, 'Request timeout'));
      }
      await sleep(decision.delayMs);
    }
    if (await applyFault(res, { ...decision, delayMs: 0 })) return;
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
    setRateLimit(perMinute) {
      limiter.limit = perMinute;
      limiter.reset();
    },
    close: () => server.close(),
  };
  return sim;
}

function fail(res: ServerResponse, err: LuccaHttpError): void {
  sendJson(res, err.status, err.body(), err.headers);
}
