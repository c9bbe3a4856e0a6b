import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApplicationFailure, defaultPayloadConverter, type FailureConverter, type Payload } from '@temporalio/common';
import { ConfigError, parseEnv } from '../../config/env.js';
import { FAILURE_CONVERTER_PATH, createDataConverter, dataConverterFromEnv } from '../../lib/codec/data-converter.js';
import {
  ENCRYPTED_ENCODING, EncryptionCodec, METADATA_KEY_ID, PayloadDecryptionError, UnknownPayloadKeyError,
} from '../../lib/codec/encryption-codec.js';
import {
  PayloadKeyError, formatPayloadKeys, loadCodecToken, loadPayloadKeys, parsePayloadKeys, secretsEqual, type PayloadKey,
} from '../../lib/codec/payload-keys.js';

const A: PayloadKey = { id: 'key-a', key: Buffer.alloc(32, 1) };
const B: PayloadKey = { id: 'key-b', key: Buffer.alloc(32, 2) };
const C: PayloadKey = { id: 'key-c', key: Buffer.alloc(32, 3) };
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('utf8');
const SECRET_VALUE = { email: 'zorglub.secret@example.com', firstName: 'Zorglub', birthDate: '1911-11-11' };

function plain(value: unknown): Payload {
  return defaultPayloadConverter.toPayload(value);
}

describe('EncryptionCodec', () => {
  it('encrypts the whole payload: encoding binary/encrypted, the key id, no plaintext, no inner metadata', async () => {
    const codec = new EncryptionCodec([A]);
    const [encrypted] = await codec.encode([plain(SECRET_VALUE)]);
    expect(text(encrypted?.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(encrypted?.metadata?.[METADATA_KEY_ID])).toBe('key-a');
    expect(Object.keys(encrypted?.metadata ?? {}).sort()).toEqual(['encoding', METADATA_KEY_ID]);
    const raw = Buffer.from(encrypted?.data ?? new Uint8Array());
    for (const needle of ['zorglub', 'Zorglub', '1911-11-11', 'json/plain']) expect(raw.includes(needle)).toBe(false);
    // iv (12) + ciphertext + tag (16)
    expect(raw.length).toBeGreaterThan(28);
    const [decoded] = await codec.decode([encrypted as Payload]);
    expect(defaultPayloadConverter.fromPayload(decoded as Payload)).toEqual(SECRET_VALUE);
    expect(text(decoded?.metadata?.encoding)).toBe('json/plain');
  });

  it('uses a fresh random IV: the same value encrypts differently every time', async () => {
    const codec = new EncryptionCodec([A]);
    const [one, two] = await codec.encode([plain('same'), plain('same')]);
    expect(Buffer.from(one?.data ?? []).equals(Buffer.from(two?.data ?? []))).toBe(false);
    expect(Buffer.from(one?.data ?? []).subarray(0, 12).equals(Buffer.from(two?.data ?? []).subarray(0, 12))).toBe(false);
  });

  it('keeps empty payload lists and empty values', async () => {
    const codec = new EncryptionCodec([A]);
    expect(await codec.encode([])).toEqual([]);
    const [undef] = await codec.decode(await codec.encode([plain(undefined)]));
    expect(defaultPayloadConverter.fromPayload(undef as Payload)).toBeUndefined();
  });

  it('passes unencrypted payloads through on decode (histories recorded before encryption)', async () => {
    const codec = new EncryptionCodec([A]);
    const original = plain({ connectionId: 'c-1' });
    const [decoded] = await codec.decode([original]);
    expect(decoded).toBe(original);
  });

  it('key rotation: written under A, rotated to [B, A]: old payloads still decode, new ones use B', async () => {
    const before = new EncryptionCodec([A]);
    const old = await before.encode([plain({ n: 1 })]);

    const rotated = new EncryptionCodec([B, A]);
    expect(rotated.currentKeyId).toBe('key-b');
    const [oldDecoded] = await rotated.decode(old);
    expect(defaultPayloadConverter.fromPayload(oldDecoded as Payload)).toEqual({ n: 1 });
    const fresh = await rotated.encode([plain({ n: 2 })]);
    expect(text(fresh[0]?.metadata?.[METADATA_KEY_ID])).toBe('key-b');
    const [freshDecoded] = await rotated.decode(fresh);
    expect(defaultPayloadConverter.fromPayload(freshDecoded as Payload)).toEqual({ n: 2 });

    // A process still on the old key list cannot read B's payloads, and says so clearly.
    await expect(before.decode(fresh)).rejects.toThrow(UnknownPayloadKeyError);
    await expect(before.decode(fresh)).rejects.toThrow(/encrypted with key id "key-b", which is not among the configured payload keys \("key-a"\).*PAYLOAD_KEYS/);
  });

  it('an unknown key id fails with a clear error that names ids only, never key material', async () => {
    const [payload] = await new EncryptionCodec([C]).encode([plain('x')]);
    let message = '';
    try {
      await new EncryptionCodec([A, B]).decode([payload as Payload]);
    } catch (err) {
      expect(err).toBeInstanceOf(UnknownPayloadKeyError);
      message = (err as Error).message;
    }
    expect(message).toContain('"key-c"');
    expect(message).toContain('"key-a", "key-b"');
    for (const k of [A, B, C]) expect(message).not.toContain(k.key.toString('base64'));
  });

  it('a key id that is not printable is shown sanitised and bounded', async () => {
    const [payload] = await new EncryptionCodec([A]).encode([plain('x')]);
    const forged = { ...payload, metadata: { ...payload?.metadata, [METADATA_KEY_ID]: Buffer.from(`evil\n\u001b[31m${'x'.repeat(500)}`) } };
    await expect(new EncryptionCodec([A]).decode([forged])).rejects.toThrow(/key id "evil\?\?\[31mx{54}…"/);
  });

  it('a tampered, truncated or id-less payload is refused (authenticated encryption)', async () => {
    const codec = new EncryptionCodec([A]);
    const [payload] = (await codec.encode([plain({ n: 1 })])) as [Payload];
    const flipped = Buffer.from(payload.data ?? []);
    flipped[20] = (flipped[20] as number) ^ 1;
    await expect(codec.decode([{ ...payload, data: flipped }])).rejects.toThrow(PayloadDecryptionError);
    await expect(codec.decode([{ ...payload, data: Buffer.from(payload.data ?? []).subarray(0, 20) }])).rejects.toThrow(/too short/);
    await expect(codec.decode([{ metadata: { encoding: payload.metadata?.encoding as Uint8Array }, data: payload.data ?? null }])).rejects.toThrow(
      /no encryption-key-id/,
    );
    // Same id, different key material: authentication fails rather than yielding garbage.
    await expect(new EncryptionCodec([{ id: 'key-a', key: B.key }]).decode([payload])).rejects.toThrow(/failed authentication with key id "key-a"/);
  });

  it('needs at least one 32-byte key', () => {
    expect(() => new EncryptionCodec([])).toThrow(/at least one key/);
    expect(() => new EncryptionCodec([{ id: 'short', key: Buffer.alloc(16) }])).toThrow(/32 bytes/);
  });
});

describe('failure converter (encodeCommonAttributes) + codec', () => {
  const failureConverter = (createRequire(import.meta.url)(FAILURE_CONVERTER_PATH) as { failureConverter: FailureConverter }).failureConverter;

  it('moves the message and stack trace into an encoded payload, which the codec encrypts', async () => {
    const codec = createDataConverter([A]).payloadCodecs[0];
    const failure = failureConverter.errorToFailure(
      ApplicationFailure.create({ message: 'Lucca refused the API key Zorglub', type: 'lucca_unauthorized', nonRetryable: true }),
      defaultPayloadConverter,
    );
    expect(failure.message).toBe('Encoded failure');
    expect(failure.stackTrace).toBe('');
    expect(failure.applicationFailureInfo?.type).toBe('lucca_unauthorized');
    const [encrypted] = await codec.encode([failure.encodedAttributes as Payload]);
    expect(Buffer.from(encrypted?.data ?? []).includes('Lucca refused')).toBe(false);

    const [decrypted] = await codec.decode([encrypted as Payload]);
    const back = failureConverter.failureToError({ ...failure, encodedAttributes: decrypted ?? null }, defaultPayloadConverter);
    expect(back.message).toBe('Lucca refused the API key Zorglub');
  });
});

describe('PAYLOAD_KEYS', () => {
  const k1 = Buffer.alloc(32, 5).toString('base64');
  const k2 = Buffer.alloc(32, 6).toString('base64');

  it('parses id:base64 lists in order (first = current) and formats them back', () => {
    const keys = parsePayloadKeys(` k2:${k2} , k1:${k1},`);
    expect(keys.map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(keys[0]?.key.equals(Buffer.alloc(32, 6))).toBe(true);
    expect(parsePayloadKeys(formatPayloadKeys(keys))).toEqual(keys);
  });

  it.each([
    ['', /at least one/],
    [k1, /entry 1: expected keyId:base64key/],
    [`bad id:${k1}`, /entry 1: expected keyId:base64key/],
    [`k1:${Buffer.alloc(16, 1).toString('base64')}`, /entry 1 \(key id "k1"\): expected base64 of exactly 32 bytes/],
    [`k1:${k1},k1:${k2}`, /entry 2: key id "k1" is listed twice/],
    [`k1:${k1},k2:not base64!`, /entry 2 \(key id "k2"\)/],
  ])('refuses %j with a precise message', (spec, message) => {
    expect(() => parsePayloadKeys(spec)).toThrow(PayloadKeyError);
    expect(() => parsePayloadKeys(spec)).toThrow(message);
  });

  it('a bad PAYLOAD_KEYS fails configuration without echoing the key material', () => {
    const short = Buffer.from('sixteen-byte-key').toString('base64');
    try {
      parseEnv({ PAYLOAD_KEYS: `k1:${short}`, CODEC_TOKEN: 'short-token-xyz' });
      expect.unreachable('should have thrown');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as Error).message;
      expect(message).toContain('PAYLOAD_KEYS: entry 1 (key id "k1"): expected base64 of exactly 32 bytes');
      expect(message).toContain('CODEC_TOKEN: expected at least 16 characters (set (hidden))');
      expect(message).not.toContain(short);
      expect(message).not.toContain('short-token-xyz');
    }
    const env = parseEnv({ PAYLOAD_KEYS: `k1:${k1}` });
    expect(env.PAYLOAD_KEYS).toBe(`k1:${k1}`);
    expect(env.CODEC_PORT).toBe(8888);
    expect(env.CODEC_HOST).toBe('127.0.0.1');
  });
});

describe('development keys and token in DATA_DIR', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'codec-keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates one payload key (mode 0600) on first use and keeps it', () => {
    const first = loadPayloadKeys(undefined, dir);
    expect(first).toHaveLength(1);
    expect(first[0]?.id).toMatch(/^dev-[0-9a-f]{8}$/);
    expect(statSync(path.join(dir, 'payload.keys')).mode & 0o777).toBe(0o600);
    expect(loadPayloadKeys(undefined, dir)).toEqual(first);
    expect(loadPayloadKeys(`prod:${Buffer.alloc(32, 9).toString('base64')}`, dir)[0]?.id).toBe('prod');
  });

  it('creates one codec token on first use; CODEC_TOKEN wins when set', () => {
    const token = loadCodecToken(undefined, dir);
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(readFileSync(path.join(dir, 'codec.token'), 'utf8')).toBe(token);
    expect(loadCodecToken(undefined, dir)).toBe(token);
    expect(loadCodecToken('configured-token-123', dir)).toBe('configured-token-123');
  });

  it('one converter per key set, shared by client and worker of a process', () => {
    const env = { DATA_DIR: dir };
    expect(dataConverterFromEnv(env)).toBe(dataConverterFromEnv(env));
    expect(dataConverterFromEnv(env).failureConverterPath).toBe(FAILURE_CONVERTER_PATH);
  });

  it('secretsEqual compares in constant time, any lengths', () => {
    expect(secretsEqual('abc', 'abc')).toBe(true);
    expect(secretsEqual('abc', 'abd')).toBe(false);
    expect(secretsEqual('abc', 'abcd')).toBe(false);
    expect(secretsEqual('', 'x')).toBe(false);
  });
});
