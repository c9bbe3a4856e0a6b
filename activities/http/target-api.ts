import type { Dispatcher } from 'undici';
import { SyncError } from '../errors.js';
import { targetLabel, type TargetName } from '../targets/registry.js';
import { send, throwForTransient, type HttpRequest, type HttpResponse } from './http.js';
import { targetWriteBucket } from './rate-limiter.js';

/** A request to a target's API: a path under its base URL. */
export type TargetRequest = Omit<HttpRequest, 'url'> & { path: string };

/**
 * The core every target's client shares: requests under the base URL with the bearer key and, for
 * writes, an Idempotency-Key; transient faults (429, 408, 5xx) thrown as retryable SyncErrors; a
 * refused key (401, 403) as `<target>_unauthorized`, which stops the run, followed by `checkKey`
 * (what to do about it). Any other status is the caller's to read.
 */
export function targetApi(options: { target: TargetName; baseUrl: string; apiKey: string; dispatcher: Dispatcher; checkKey: string }) {
  const { target } = options;
  const base = options.baseUrl.replace(/\/+$/, '');
  const call = async (req: TargetRequest, idempotencyKey?: string): Promise<HttpResponse> => {
    const res = await send(options.dispatcher, target, {
      ...req,
      url: `${base}${req.path}`,
      headers: {
        authorization: `Bearer ${options.apiKey}`,
        ...(idempotencyKey && { 'idempotency-key': idempotencyKey }),
      },
    });
    throwForTransient(target, res);
    if (res.status === 401 || res.status === 403) {
      throw new SyncError(`${target}_unauthorized`, `${targetLabel(target)} refused the API key (${res.status}). ${options.checkKey}`, false);
    }
    return res;
  };
  /** The bucket of the target host's write budget (rate-limiter.ts), shared by every worker and connection. */
  return { call, writeBucket: targetWriteBucket(base) };
}
