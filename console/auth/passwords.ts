import { hash, verify, type Algorithm } from '@node-rs/argon2';

/**
 * argon2id with OWASP's baseline (19 MiB, 2 passes, 1 lane): memory-hard, so a stolen table is
 * costly to attack on GPUs. @node-rs/argon2 ships prebuilt binaries (no install script).
 */
// Algorithm.Argon2id is an ambient const enum (2), which verbatimModuleSyntax cannot read.
const OPTIONS = { algorithm: 2 as Algorithm, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string) => hash(password, OPTIONS);

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** Spent on unknown accounts too, so timing does not tell which emails exist. */
let decoy: Promise<string> | undefined;
export const decoyHash = () => (decoy ??= hashPassword('decoy password never used'));

export const PASSWORD_RULE = 'a password of at least 12 characters';
export const isAcceptablePassword = (password: string) => password.length >= 12 && password.length <= 1024;
