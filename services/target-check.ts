import { createDispatcher } from '../activities/http/http.js';
import { createHappyPalClient } from '../activities/targets/happypal/client.js';
import { createReflectClient } from '../activities/targets/reflect/client.js';
import { SyncError } from '../activities/errors.js';
import type { CheckLine } from './lucca-check.js';

export interface TargetCheck {
  usable: boolean;
  lines: CheckLine[];
}

const LABEL = { happypal: 'HappyPal', reflect: 'Reflect' } as const;

/**
 * Reads one page of the target with the key (HappyPal's users, Reflect's employees), as the sync's
 * first read does: reachable, key accepted, answer readable. Writes nothing. The lines hold no
 * personal value and never the key.
 */
export async function checkTarget(options: { target: 'happypal' | 'reflect'; baseUrl: string; apiKey: string }): Promise<TargetCheck> {
  const dispatcher = createDispatcher(2);
  const label = LABEL[options.target];
  try {
    const client = { baseUrl: options.baseUrl, apiKey: options.apiKey, dispatcher };
    if (options.target === 'happypal') await createHappyPalClient(client).listUsers(1, 1);
    else await createReflectClient(client).listRecords('employees', 1, 1);
    return { usable: true, lines: [{ level: 'ok', text: `${label} is reachable at ${options.baseUrl} and accepted the API key.` }] };
  } catch (err) {
    if (!(err instanceof SyncError)) throw err;
    const message = err.message.replace(/;?\s*(will retry|retrying)[^.]*\.?$/, '.');
    const text = /unreachable|timeout|network/.test(err.code) ? `${label} is not reachable at ${options.baseUrl}: ${message}`
      : /unauthorized/.test(err.code) ? `${label} refused the API key: check the key with ${options.target === 'reflect' ? 'your Reflect contact' : 'HappyPal'} and paste it again.`
      : message;
    return { usable: false, lines: [{ level: 'fail', text }] };
  } finally {
    await dispatcher.close();
  }
}
