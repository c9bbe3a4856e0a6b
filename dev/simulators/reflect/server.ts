import type { FaultInjector } from '../shared/faults.js';
import type { RunningServer } from '../shared/http.js';
import { type ApiSimulatorOptions, createApiContext, startApiServer } from '../shared/sim-server.js';
import { matchReflectRoute } from './routes.js';
import { type ReflectState, createReflectState, reflectAdminRoutes } from './state.js';
import { ReflectStore } from './store.js';

export type { ReflectState } from './state.js';
export type { ReflectEndpoint } from './routes.js';

export const REFLECT_DEFAULT_API_KEY = 'reflect-dev-key';

export interface ReflectSimulatorOptions extends ApiSimulatorOptions {
  /** Batches of more records than this answer 413 `payload_too_large` (default: none below the 500 cap). */
  maxBatchRecords?: number;
}

export interface ReflectSimulator extends RunningServer {
  /** API base without `/v1`: clients call `${url}/v1/datasets/...`. */
  url: string;
  apiKey: string;
  faults: FaultInjector;
  state: ReflectState;
}

/** Starts an in-memory Reflect API (contract: docs/reflect-api.md). */
export async function startReflectSimulator(options: ReflectSimulatorOptions = {}): Promise<ReflectSimulator> {
  const ctx = createApiContext(options, REFLECT_DEFAULT_API_KEY);
  const store = new ReflectStore(ctx.now, options.maxBatchRecords ?? null);
  const state = createReflectState(store, ctx.counter, ctx.idempotency);
  const server = await startApiServer(
    {
      ctx,
      match: (method, url) => matchReflectRoute(method, url, store),
      adminRoutes: reflectAdminRoutes(state),
      resetStore: () => store.reset(),
    },
    options,
  );
  return { ...server, apiKey: ctx.apiKey, faults: ctx.faults, state };
}
