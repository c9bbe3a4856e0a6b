import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCredentialCipher, loadCredentialsKey, maskSecret } from '../../lib/credentials.js';

const KEY = Buffer.alloc(32, 7);
const OTHER_KEY = Buffer.alloc(32, 9);
const SECRET = 'lucca-api-key-0123456789abcdef';

/** Flips one byte of the base64 payload at `index` (counted in decoded bytes). */
function flipPayloadByte(stored: string, index: number): string {
  const [version, keyId, payload] = stored.split('.') as [string, string, string];
  const raw = Buffer.from(payload, 'base64');
  raw[index] = (raw[index] as number) ^ 0x01;
  return `${version}.${keyId}.${raw.toString('base64')}`;
}

describe('createCredentialCipher', () => {
  it('round trip', () => {
    const cipher = createCredentialCipher(KEY);
    for (const plaintext of [SECRET, '', 'é€😀 unicode', 'x'.repeat(10_000)]) {
      expect(cipher.decrypt(cipher.encrypt(plaintext))).toBe(plaintext);
    }
  });

  it('the stored form is v1.<keyId>.<base64>, and never contains the plaintext', () => {
    const stored = createCredentialCipher(KEY).encrypt(SECRET);
    expect(stored).toMatch(/^v1\.[0-9a-f]{8}\.[A-Za-z0-9+/]+=*$/);
    expect(stored).not.toContain(SECRET);
    expect(Buffer.from(stored.split('.')[2] as string, 'base64').toString('latin1')).not.toContain(SECRET);
  });

  it('different ciphertext each time (random IV), all decrypting to the same value', () => {
    const cipher = createCredentialCipher(KEY);
    const stored = Array.from({ length: 20 }, () => cipher.encrypt(SECRET));
    expect(new Set(stored).size).toBe(stored.length);
    expect(new Set(stored.map((s) => Buffer.from(s.split('.')[2] as string, 'base64').subarray(0, 12).toString('hex'))).size).toBe(stored.length);
    for (const s of stored) expect(cipher.decrypt(s)).toBe(SECRET);
  });

  it('a new cipher with the same key decrypts (the key id is stable)', () => {
    const stored = createCredentialCipher(KEY).encrypt(SECRET);
    expect(createCredentialCipher(Buffer.from(KEY)).decrypt(stored)).toBe(SECRET);
  });

  it.each([
    ['the IV', 0],
    ['the auth tag', 12],
    ['the ciphertext', 28],
    ['the last byte', -1],
  ])('tamper detection: flipping a byte of %s throws', (_where, index) => {
    const cipher = createCredentialCipher(KEY);
    const stored = cipher.encrypt(SECRET);
    const length = Buffer.from(stored.split('.')[2] as string, 'base64').length;
    expect(() => cipher.decrypt(flipPayloadByte(stored, index < 0 ? length + index : index))).toThrow();
  });

  it('tamper detection: a truncated payload throws', () => {
    const cipher = createCredentialCipher(KEY);
    const [v, id, payload] = cipher.encrypt(SECRET).split('.') as [string, string, string];
    const raw = Buffer.from(payload, 'base64');
    expect(() => cipher.decrypt(`${v}.${id}.${raw.subarray(0, raw.length - 1).toString('base64')}`)).toThrow();
    expect(() => cipher.decrypt(`${v}.${id}.${raw.subarray(0, 20).toString('base64')}`)).toThrow();
  });

  it('wrong key → an error naming both key ids, never the secret or the key', () => {
    const stored = createCredentialCipher(KEY).encrypt(SECRET);
    const storedId = stored.split('.')[1] as string;
    let message = '';
    try {
      createCredentialCipher(OTHER_KEY).decrypt(stored);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(storedId);
    const otherId = createCredentialCipher(OTHER_KEY).encrypt('x').split('.')[1] as string;
    expect(otherId).not.toBe(storedId);
    expect(message).toContain(otherId);
    for (const leak of [SECRET, KEY.toString('base64'), OTHER_KEY.toString('base64'), KEY.toString('hex'), OTHER_KEY.toString('hex')]) {
      expect(message).not.toContain(leak);
    }
  });

  it('an unknown format is refused', () => {
    const cipher = createCredentialCipher(KEY);
    expect(() => cipher.decrypt('plaintext-secret')).toThrow(/unknown format/);
    expect(() => cipher.decrypt(cipher.encrypt(SECRET).replace(/^v1/, 'v2'))).toThrow(/unknown format/);
  });

  it('a key that is not 32 bytes is refused', () => {
    expect(() => createCredentialCipher(Buffer.alloc(16))).toThrow(/32 bytes/);
    expect(() => createCredentialCipher(Buffer.alloc(0))).toThrow(/32 bytes/);
  });
});

describe('loadCredentialsKey', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'credentials-test-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('without CREDENTIALS_KEY, creates a 0600 key file of 32 random bytes once, and reuses it', () => {
    const dataDir = path.join(dir, 'nested', 'data'); // created on demand
    const first = loadCredentialsKey(undefined, dataDir);
    const file = path.join(dataDir, 'credentials.key');
    expect(first).toHaveLength(32);
    expect(existsSync(file)).toBe(true);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    const content = readFileSync(file, 'utf8');
    const mtime = statSync(file).mtimeMs;

    const second = loadCredentialsKey(undefined, dataDir);
    expect(second.equals(first)).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(content);
    expect(statSync(file).mtimeMs).toBe(mtime);
    expect(createCredentialCipher(second).decrypt(createCredentialCipher(first).encrypt(SECRET))).toBe(SECRET);
  });

  it('two fresh data dirs get different keys', () => {
    const a = loadCredentialsKey(undefined, path.join(dir, 'a'));
    const b = loadCredentialsKey(undefined, path.join(dir, 'b'));
    expect(a.equals(b)).toBe(false);
  });

  it('an existing key file is read (trailing newline tolerated)', () => {
    const key = randomBytes(32);
    writeFileSync(path.join(dir, 'credentials.key'), `${key.toString('base64')}\n`, { mode: 0o600 });
    expect(loadCredentialsKey(undefined, dir).equals(key)).toBe(true);
  });

  it('CREDENTIALS_KEY (base64) wins, and no file is written', () => {
    const key = randomBytes(32);
    expect(loadCredentialsKey(key.toString('base64'), dir).equals(key)).toBe(true);
    expect(existsSync(path.join(dir, 'credentials.key'))).toBe(false);
  });
});

describe('maskSecret', () => {
  /** Characters of the mask that come from the secret (the mask's own glyphs excluded). */
  const revealed = (masked: string) => [...masked].filter((c) => c !== '…' && c !== '•').length;

  it('never reveals more than 6 characters, whatever the length', () => {
    for (let n = 0; n <= 80; n++) {
      const secret = Array.from({ length: n }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
      const masked = maskSecret(secret);
      expect(revealed(masked), `length ${n}`).toBeLessThanOrEqual(6);
      if (n > 0) expect(masked, `length ${n}`).not.toBe(secret);
    }
  });

  it('a real-looking key shows its first 4 and last 2 characters only', () => {
    const key = 'sk_live_9f8e7d6c5b4a3210';
    expect(maskSecret(key)).toBe('sk_l…10');
    expect(maskSecret(key)).not.toContain('9f8e7d6c5b4a');
  });

  it('short secrets are fully masked', () => {
    expect(maskSecret('')).toBe('');
    expect(maskSecret('abc')).toBe('•••');
    expect(maskSecret('12345678')).toBe('••••••••');
    expect(maskSecret('123456789')).toBe('1234…89');
  });
});
