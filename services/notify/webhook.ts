import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-lucca-sync-signature';
export const TIMESTAMP_HEADER = 'x-lucca-sync-timestamp';
export const DELIVERY_HEADER = 'x-lucca-sync-delivery';

/**
 * `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`: the receiver recomputes it with the shared
 * secret over the raw body, and refuses old timestamps (replays).
 */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** POSTs JSON; throws on a network error or a non-2xx answer (the outbox retries it). */
export async function postJson(url: string, body: string, headers: Record<string, string> = {}): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST', body, headers: { 'content-type': 'application/json', ...headers }, signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`not reachable (${cause?.code ?? cause?.message ?? (err instanceof Error ? err.name : 'error')})`);
  }
  await response.body?.cancel();
  if (!response.ok) throw new Error(`answered HTTP ${response.status}`);
}

export async function sendWebhook(url: string, secret: string, payload: unknown, deliveryId: string, now: Date): Promise<void> {
  const body = JSON.stringify(payload);
  const timestamp = String(Math.floor(now.getTime() / 1000));
  await postJson(url, body, {
    [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body), [DELIVERY_HEADER]: deliveryId,
  });
}
