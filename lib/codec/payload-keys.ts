import { randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createOnce } from '../create-once.js';

/**
 * Keys of the Temporal payload codec. `PAYLOAD_KEYS` is a comma list of `keyId:base64key`; the first
 * key encrypts new payloads, every listed key decrypts (rotation: put the new key first, keep the old
 * ones until no history that needs them is retained).
 */
export interface PayloadKey {
  id: string;
  key: Buffer;
}

/** A key id travels in clear in payload metadata: short, and made of safe characters only. */
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

export class PayloadKeyError extends Error {
  override name = 'PayloadKeyError';
}

/**
 * Parses `id:base64,id2:base64`. Errors name the entry by position and id, never the key material.
 */
export function parsePayloadKeys(spec: string): PayloadKey[] {
  const entries = spec.split(',').map((s) => s.trim()).filter(Boolean);
  if (entries.length === 0) throw new PayloadKeyError('expected at least one keyId:base64key entry');
  const keys: PayloadKey[] = [];
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(':');
    const id = colon === -1 ? '' : entry.slice(0, colon).trim();
    const material = colon === -1 ? '' : entry.slice(colon + 1).trim();
    const where = `entry ${index + 1}`;
    if (!KEY_ID.test(id)) {
      throw new PayloadKeyError(`${where}: expected keyId:base64key, with a key id of letters, digits, '.', '_' or '-' (at most 64)`);
    }
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(material) || Buffer.from(material, 'base64').length !== 32) {
      throw new PayloadKeyError(`${where} (key id "${id}"): expected base64 of exactly 32 bytes (make one with: openssl rand -base64 32)`);
    }
    if (keys.some((k) => k.id === id)) throw new PayloadKeyError(`${where}: key id "${id}" is listed twice`);
    keys.push({ id, key: Buffer.from(material, 'base64') });
  });
  return keys;
}

/** The inverse of {@link parsePayloadKeys}, for handing the keys to a child process. */
export function formatPayloadKeys(keys: readonly PayloadKey[]): string {
  return keys.map((k) => `${k.id}:${k.key.toString('base64')}`).join(',');
}

/**
 * PAYLOAD_KEYS when set (production); otherwise a development key kept in DATA_DIR (`payload.keys`),
 * created on first use, so the demo, the worker and the CLI of one checkout share it.
 */
export function loadPayloadKeys(configured: string | undefined, dataDir: string): PayloadKey[] {
  if (configured) return parsePayloadKeys(configured);
  const file = path.join(dataDir, 'payload.keys');
  createOnce(file, () => `dev-${randomBytes(4).toString('hex')}:${randomBytes(32).toString('base64')}`);
  return parsePayloadKeys(readFileSync(file, 'utf8').trim());
}

/**
 * CODEC_TOKEN when set; otherwise a development token kept in DATA_DIR (`codec.token`), printed by
 * the demo so an operator can give it to the CLI.
 */
export function loadCodecToken(configured: string | undefined, dataDir: string): string {
  if (configured) return configured;
  const file = path.join(dataDir, 'codec.token');
  createOnce(file, () => randomBytes(24).toString('base64url'));
  return readFileSync(file, 'utf8').trim();
}

/** Constant-time comparison of two secrets of any length (both are hashed to 32 bytes first). */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

