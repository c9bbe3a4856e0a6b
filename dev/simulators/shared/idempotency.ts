import { createHash } from 'node:crypto';

/**
 * Idempotency-Key store shared by the HappyPal and Reflect simulators (Stripe-style semantics):
 * a key remembers the fingerprint of the first request (method + path + canonical body) and its
 * response; the same key with the same request replays that response, with a different request it
 * is refused. Keys live `ttlMs` (24 h), in memory, pruned oldest first.
 */
export interface StoredResponse {
  status: number;
  body: unknown;
}

export type IdempotencyLookup =
  | { kind: 'miss' }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'mismatch' };

interface Entry {
  fingerprint: string;
  response: StoredResponse;
  storedAt: number;
}

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export class IdempotencyStore {
  private entries = new Map<string, Entry>();
  /** Number of responses served from the store. */
  replays = 0;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly ttlMs = IDEMPOTENCY_TTL_MS,
  ) {}

  lookup(scope: string, key: string, fingerprint: string): IdempotencyLookup {
    this.prune();
    const entry = this.entries.get(`${scope}\u0000${key}`);
    if (!entry) return { kind: 'miss' };
    if (entry.fingerprint !== fingerprint) return { kind: 'mismatch' };
    this.replays += 1;
    return { kind: 'replay', response: entry.response };
  }

  save(scope: string, key: string, fingerprint: string, response: StoredResponse): void {
    this.entries.set(`${scope}\u0000${key}`, { fingerprint, response, storedAt: this.now() });
  }

  get size(): number {
    return this.entries.size;
  }

  reset(): void {
    this.entries.clear();
    this.replays = 0;
  }

  /** Map iteration is insertion order, so expired entries are all at the front. */
  private prune(): void {
    const cutoff = this.now() - this.ttlMs;
    for (const [id, entry] of this.entries) {
      if (entry.storedAt > cutoff) break;
      this.entries.delete(id);
    }
  }
}

/** JSON with object keys sorted, so `{a,b}` and `{b,a}` fingerprint the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    const parts = keys.map(
      (k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`,
    );
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function requestFingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method} ${path}\n${canonicalJson(body)}`).digest('hex');
}
