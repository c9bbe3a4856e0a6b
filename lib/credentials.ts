import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createOnce } from './create-once.js';

/**
 * AES-256-GCM for credentials at rest. Stored form: `v1.<keyId>.<base64(iv | tag | ciphertext)>`,
 * where keyId is a short hash of the key, so a rotated key can be told apart from the old one.
 */
export interface CredentialCipher {
  encrypt(plaintext: string): string;
  decrypt(stored: string): string;
}

export function createCredentialCipher(key: Buffer): CredentialCipher {
  if (key.length !== 32) throw new Error('The credentials key must be 32 bytes.');
  const keyId = createHash('sha256').update(key).digest('hex').slice(0, 8);
  return {
    encrypt(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `v1.${keyId}.${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64')}`;
    },
    decrypt(stored) {
      const [version, id, payload] = stored.split('.');
      if (version !== 'v1' || !payload) throw new Error('Stored credential has an unknown format.');
      if (id !== keyId) throw new Error(`Stored credential was encrypted with key ${id}, not the configured key ${keyId}.`);
      const raw = Buffer.from(payload, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}

/**
 * CREDENTIALS_KEY when set (production); otherwise a development key kept in DATA_DIR,
 * created on first use, so the demo works on a fresh clone without leaking a shared default.
 */
export function loadCredentialsKey(configured: string | undefined, dataDir: string): Buffer {
  if (configured) return Buffer.from(configured, 'base64');
  const file = path.join(dataDir, 'credentials.key');
  createOnce(file, () => randomBytes(32).toString('base64'));
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
}

/** `abcd…wxyz` style: enough to recognise a key, never enough to use it. */
export function maskSecret(secret: string): string {
  if (secret.length <= 8) return '•'.repeat(secret.length);
  return `${secret.slice(0, 4)}…${secret.slice(-2)}`;
}
