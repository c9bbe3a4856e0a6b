import { createDispatcher } from '../activities/http/http.js';
import { CONNECTORS } from '../activities/targets/connectors.js';
import type { TargetName } from '../activities/targets/registry.js';
import { SyncError } from '../activities/errors.js';
import type { CheckLine } from './lucca-check.js';

export interface TargetCheck {
  usable: boolean;
  lines: CheckLine[];
}

/**
 * Reads one page of the target with the key (HappyPal's users, Reflect's employees), as the sync's
 * first read does: reachable, key accepted, answer readable. Writes nothing. The lines hold no
 * personal value and never the key.
 */
export async function checkTarget(options: { target: TargetName; baseUrl: string; apiKey: string }): Promise<TargetCheck> {
  const dispatcher = createDispatcher(2);
  const connector = CONNECTORS[options.target];
  const { label } = connector;
  try {
    await connector.checkKey({ baseUrl: options.baseUrl, apiKey: options.apiKey, dispatcher });
    return { usable: true, lines: [{ level: 'ok', text: `${label} is reachable at ${options.baseUrl} and accepted the API key.` }] };
  } catch (err) {
    if (!(err instanceof SyncError)) throw err;
    const message = err.message.replace(/;?\s*(will retry|retrying)[^.]*\.?$/, '.');
    const text = /unreachable|timeout|network/.test(err.code) ? `${label} is not reachable at ${options.baseUrl}: ${message}`
      : /unauthorized/.test(err.code) ? `${label} refused the API key: check the key with ${connector.keyContact} and paste it again.`
      : message;
    return { usable: false, lines: [{ level: 'fail', text }] };
  } finally {
    await dispatcher.close();
  }
}
