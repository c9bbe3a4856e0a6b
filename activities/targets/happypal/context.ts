import { loadRunContext as loadBase, type Deps, type RunContext as BaseContext } from '../../deps.js';
import { createHappyPalClient, type HappyPalClient } from './client.js';

/** A run of a HappyPal connection: the common context and a HappyPal client over its URL and key. */
export type RunContext = BaseContext & { happypal: HappyPalClient };

export async function loadRunContext(deps: Deps, runId: string): Promise<RunContext> {
  const ctx = await loadBase(deps, runId);
  return { ...ctx, happypal: createHappyPalClient(ctx.target) };
}
