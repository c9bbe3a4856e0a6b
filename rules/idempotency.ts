/**
 * Idempotency keys for target writes (docs/design.md §2): derived from (connection, record, run,
 * operation, content), so a retried write carries the same key and never creates a second profile.
 * Pure: node:crypto hashing only.
 */
import { createHash } from 'node:crypto';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue | undefined };

/**
 * JSON with object keys sorted (recursively), arrays kept in order and `undefined` object members
 * omitted. Throws on values JSON cannot represent faithfully (NaN, Infinity, bigint, functions…).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const members = Object.keys(obj)
      .sort()
      .filter((k) => obj[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`);
    return `{${members.join(',')}}`;
  }
  throw new TypeError(`canonicalJson: unsupported ${typeof value}`);
}

export interface IdempotencyKeyInput {
  connectionId: string;
  sourceId: string;
  runId: string;
  /** e.g. 'create', 'update', 'deactivate', 'reactivate'. */
  operation: string;
  /** The payload written (e.g. the patch); compared canonically, so key order does not matter. */
  content: unknown;
}

/** Hex sha256 of the canonical JSON of all inputs (versioned, so the scheme can evolve). */
export function idempotencyKey(input: IdempotencyKeyInput): string {
  const { connectionId, sourceId, runId, operation, content } = input;
  const canonical = canonicalJson({ v: 1, connectionId, sourceId, runId, operation, content });
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}
