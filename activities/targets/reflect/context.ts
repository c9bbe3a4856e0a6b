import { loadRunContext as loadBase, type Deps, type RunContext as BaseContext } from '../../deps.js';
import { createReflectClient, type ReflectClient } from './client.js';

/** A run of a Reflect connection: the common context and a Reflect client over its URL and key. */
export type RunContext = BaseContext & { reflect: ReflectClient };

export async function loadRunContext(deps: Deps, runId: string): Promise<RunContext> {
  const ctx = await loadBase(deps, runId);
  return { ...ctx, reflect: createReflectClient(ctx.target) };
}
