import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { PayloadKey } from './payload-keys.js';

/**
 * AES-256-GCM codec for every Temporal payload (after samples-typescript `encryption`): the whole
 * serialised Payload proto (metadata included, so even the inner `encoding` is hidden) is encrypted
 * with a random 12-byte IV. Stored form: data = iv | ciphertext | 16-byte tag, metadata =
 * `encoding: binary/encrypted` and `encryption-key-id: <id>`.
 *
 * Rotation: new payloads use the first key; decoding picks the key by the id in the metadata, so
 * history written under an older key stays readable while that key is still listed.
 */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const METADATA_KEY_ID = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const ProtoPayload = proto.temporal.api.common.v1.Payload;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

export class UnknownPayloadKeyError extends Error {
  override name = 'UnknownPayloadKeyError';
}
export class PayloadDecryptionError extends Error {
  override name = 'PayloadDecryptionError';
}

export class EncryptionCodec implements PayloadCodec {
  private readonly byId: ReadonlyMap<string, Buffer>;
  private readonly current: PayloadKey;

  constructor(keys: readonly PayloadKey[]) {
    const [first] = keys;
    if (!first) throw new Error('The payload codec needs at least one key.');
    for (const k of keys) {
      if (k.key.length !== 32) throw new Error(`Payload key "${k.id}" must be 32 bytes.`);
    }
    this.current = first;
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  /** The id new payloads are encrypted with. */
  get currentKeyId(): string {
    return this.current.id;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encryptOne(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decryptOne(payload));
  }

  encryptOne(payload: Payload): Payload {
    const plaintext = ProtoPayload.encode(payload).finish();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      metadata: {
        [METADATA_ENCODING_KEY]: utf8.encode(ENCRYPTED_ENCODING),
        [METADATA_KEY_ID]: utf8.encode(this.current.id),
      },
      data: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]),
    };
  }

  /** Unencrypted payloads pass through (histories recorded before encryption stay readable). */
  decryptOne(payload: Payload): Payload {
    const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
    if (!encoding || fromUtf8.decode(encoding) !== ENCRYPTED_ENCODING) return payload;
    const rawId = payload.metadata?.[METADATA_KEY_ID];
    if (!rawId) throw new PayloadDecryptionError(`An encrypted payload has no ${METADATA_KEY_ID} metadata: it cannot be decrypted.`);
    const keyId = fromUtf8.decode(rawId);
    const key = this.byId.get(keyId);
    if (!key) {
      const known = [...this.byId.keys()].map((id) => `"${id}"`).join(', ');
      throw new UnknownPayloadKeyError(
        `A payload was encrypted with key id "${printable(keyId)}", which is not among the configured payload keys (${known}). ` +
          'Add that key back to PAYLOAD_KEYS, after the current one, to read it.',
      );
    }
    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES) {
      throw new PayloadDecryptionError(`An encrypted payload (key id "${keyId}") is too short to be valid: it was truncated or altered.`);
    }
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    let plaintext: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      plaintext = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(
        `An encrypted payload failed authentication with key id "${keyId}": it was altered, or that id now names a different key.`,
      );
    }
    const decoded = ProtoPayload.decode(plaintext);
    return {
      metadata: decoded.metadata,
      data: decoded.data,
      ...(decoded.externalPayloads.length > 0 && { externalPayloads: decoded.externalPayloads }),
    };
  }
}

/** A key id read from a payload is untrusted: show it bounded and without control characters. */
function printable(value: string): string {
  const clean = value.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 64 ? `${clean.slice(0, 64)}…` : clean;
}
