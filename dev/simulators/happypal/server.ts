import type { FaultInjector } from '../shared/faults.js';
import type { RunningServer } from '../shared/http.js';
import { happyPalAdminRoutes } from './admin.js';
import { matchHappyPalRoute } from './routes.js';
import { type ApiSimulatorOptions, createApiContext, startApiServer } from '../shared/sim-server.js';
import { type HappyPalState, createHappyPalState } from './state.js';
import { HappyPalStore } from './store.js';

export { HappyPalStateError, type HappyPalState } from './state.js';
export type { HappyPalEndpoint } from './routes.js';

export const HAPPYPAL_DEFAULT_API_KEY = 'happypal-dev-key';

export type HappyPalSimulatorOptions = ApiSimulatorOptions;

export interface HappyPalSimulator extends RunningServer {
  /** API base without `/v1`: clients call `${url}/v1/users`. */
  url: string;
  /** The one key HappyPal accepts now. */
  readonly apiKey: string;
  /** Key rotation: the new key is accepted from now on, the old one is refused (401). */
  rotateApiKey(key: string): void;
  faults: FaultInjector;
  state: HappyPalState;
}

/** Starts an in-memory HappyPal API (contract: docs/happypal-api.md). */
export async function startHappyPalSimulator(options: HappyPalSimulatorOptions = {}): Promise<HappyPalSimulator> {
  const ctx = createApiContext(options, HAPPYPAL_DEFAULT_API_KEY);
  const store = new HappyPalStore(ctx.now);
  const state = createHappyPalState(store, ctx.counter, ctx.idempotency);
  const server = await startApiServer(
    {
      ctx,
      match: (method, url) => matchHappyPalRoute(method, url, store),
      adminRoutes: happyPalAdminRoutes(state),
      resetStore: () => store.reset(),
    },
    options,
  );
  return {
    ...server,
    get apiKey() {
      return ctx.apiKey;
    },
    rotateApiKey: (key: string) => {
      ctx.apiKey = key;
    },
    faults: ctx.faults,
    state,
  };
}
