import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { CredentialCipher } from '../../lib/credentials.js';
import type { Db } from '../client.js';
import { connections } from '../schema.js';

export const PolicySchema = z.enum(['lucca-wins', 'target-wins', 'review']);
export const SyncedFieldSchema = z.enum(['firstName', 'lastName', 'email', 'birthDate', 'contractStart', 'contractEnd']);

export const CompanySchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a company id: lower-case letters, digits and dashes, e.g. acme');

/** What an operator gives to create a connection (validated at the CLI edge with this schema). */
export const NewConnectionSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lower-case letters, digits and dashes, 2-63 characters, e.g. acme-happypal'),
  target: z.enum(['happypal', 'reflect']),
  luccaUrl: z.string(),
  luccaKey: z.string().min(8, 'an API key of at least 8 characters'),
  targetUrl: z.string().url('a URL such as https://api.happypal.fr'),
  targetKey: z.string().min(8, 'an API key of at least 8 characters'),
  defaultPolicy: PolicySchema.default('lucca-wins'),
  fieldPolicies: z.partialRecord(SyncedFieldSchema, PolicySchema).default({}),
  deactivationGuardPct: z.number().int().min(0).max(100).default(10),
  /** The customer company (its HR admins see the connection in the console). */
  company: CompanySchema.optional(),
});
export type NewConnection = z.input<typeof NewConnectionSchema>;
export type Connection = typeof connections.$inferSelect;

/** Stores a connection with its keys encrypted. Reflect connections start inactive (activated by the publisher). */
export async function insertConnection(db: Db, cipher: CredentialCipher, input: NewConnection): Promise<Connection> {
  const parsed = NewConnectionSchema.parse(input);
  const [row] = await db
    .insert(connections)
    .values({
      name: parsed.name,
      target: parsed.target,
      luccaUrl: parsed.luccaUrl,
      luccaKeyEnc: cipher.encrypt(parsed.luccaKey),
      targetUrl: parsed.targetUrl,
      targetKeyEnc: cipher.encrypt(parsed.targetKey),
      active: parsed.target === 'happypal',
      defaultPolicy: parsed.defaultPolicy,
      fieldPolicies: parsed.fieldPolicies,
      deactivationGuardPct: parsed.deactivationGuardPct,
      company: parsed.company ?? null,
    })
    .returning();
  if (!row) throw new Error('The connection was not stored.');
  return row;
}

export async function findConnectionByName(db: Db, name: string): Promise<Connection | undefined> {
  const [row] = await db.select().from(connections).where(eq(connections.name, name));
  return row;
}

export async function updateConnection(db: Db, id: string, set: Partial<Pick<Connection, 'defaultPolicy' | 'fieldPolicies' | 'active' | 'deactivationGuardPct'>>) {
  await db.update(connections).set({ ...set, updatedAt: new Date() }).where(eq(connections.id, id));
}
