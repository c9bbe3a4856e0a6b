import { and, asc, count, eq, gt, lt, sql } from 'drizzle-orm';
import { createSelectSchema } from 'drizzle-zod';
import { z } from 'zod';
import type { Db } from '../client.js';
import { insertedRow } from './rows.js';
import { consoleSessions, consoleUserCompanies, consoleUsers, rateLimitEvents } from '../schema.js';
import { CompanySchema } from './connections.js';

/** A console user's role: the `console_users.role` column's enum (drizzle-zod), one definition. */
export const RoleSchema = createSelectSchema(consoleUsers).shape.role;
export type Role = z.infer<typeof RoleSchema>;
export const EmailSchema = z.string().trim().toLowerCase().max(254).email('an email address, e.g. anna@acme.fr');
export { CompanySchema };

export type ConsoleUser = typeof consoleUsers.$inferSelect;
export interface SessionUser {
  id: string;
  email: string;
  role: Role;
  companies: string[];
  csrfToken: string;
}

export async function insertUser(db: Db, input: { email: string; passwordHash: string; role: Role }): Promise<ConsoleUser> {
  return insertedRow(await db.insert(consoleUsers).values(input).returning(), 'user');
}

export async function findUserByEmail(db: Db, email: string): Promise<ConsoleUser | undefined> {
  const [row] = await db.select().from(consoleUsers).where(eq(consoleUsers.email, email));
  return row;
}

export async function updateUser(db: Db, id: string, set: Partial<Pick<ConsoleUser, 'role' | 'passwordHash'>>): Promise<void> {
  await db.update(consoleUsers).set({ ...set, updatedAt: new Date() }).where(eq(consoleUsers.id, id));
}

export async function assignCompanies(db: Db, userId: string, companies: readonly string[]): Promise<void> {
  if (companies.length === 0) return;
  await db.insert(consoleUserCompanies).values(companies.map((company) => ({ userId, company }))).onConflictDoNothing();
}

export async function unassignCompanies(db: Db, userId: string, companies: readonly string[]): Promise<void> {
  for (const company of companies) {
    await db.delete(consoleUserCompanies).where(and(eq(consoleUserCompanies.userId, userId), eq(consoleUserCompanies.company, company)));
  }
}

export async function listUsers(db: Db): Promise<Array<{ email: string; role: Role; companies: string[] }>> {
  const rows = await db
    .select({
      email: consoleUsers.email,
      role: consoleUsers.role,
      companies: sql<string[]>`coalesce(array_agg(${consoleUserCompanies.company} order by ${consoleUserCompanies.company}) filter (where ${consoleUserCompanies.company} is not null), '{}')`,
    })
    .from(consoleUsers)
    .leftJoin(consoleUserCompanies, eq(consoleUserCompanies.userId, consoleUsers.id))
    .groupBy(consoleUsers.id)
    .orderBy(asc(consoleUsers.email));
  return rows;
}

export async function insertSession(db: Db, input: { tokenHash: string; userId: string; csrfToken: string; expiresAt: Date }): Promise<void> {
  await db.insert(consoleSessions).values(input);
}

/** The signed-in user of a live session, with the companies they may see; undefined when expired or unknown. */
export async function findSessionUser(db: Db, tokenHash: string, now = new Date()): Promise<SessionUser | undefined> {
  const [row] = await db
    .select({
      id: consoleUsers.id,
      email: consoleUsers.email,
      role: consoleUsers.role,
      csrfToken: consoleSessions.csrfToken,
      companies: sql<string[]>`coalesce((select array_agg(${consoleUserCompanies.company}) from ${consoleUserCompanies} where ${consoleUserCompanies.userId} = ${consoleUsers.id}), '{}')`,
    })
    .from(consoleSessions)
    .innerJoin(consoleUsers, eq(consoleUsers.id, consoleSessions.userId))
    .where(and(eq(consoleSessions.tokenHash, tokenHash), gt(consoleSessions.expiresAt, now)));
  return row;
}

export async function deleteSession(db: Db, tokenHash: string): Promise<void> {
  await db.delete(consoleSessions).where(eq(consoleSessions.tokenHash, tokenHash));
}

export async function deleteExpiredSessions(db: Db, now = new Date()): Promise<void> {
  await db.delete(consoleSessions).where(lt(consoleSessions.expiresAt, now));
}

/** Failed sign-ins of one bucket within the window (the shared rate_limit_events table). */
export async function countRecentFailures(db: Db, bucket: string, windowMs: number, now = new Date()): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(rateLimitEvents)
    .where(and(eq(rateLimitEvents.bucket, bucket), gt(rateLimitEvents.at, new Date(now.getTime() - windowMs))));
  return row?.n ?? 0;
}

export async function recordFailure(db: Db, bucket: string, now = new Date()): Promise<void> {
  await db.insert(rateLimitEvents).values({ bucket, at: now });
}

export async function clearFailures(db: Db, bucket: string): Promise<void> {
  await db.delete(rateLimitEvents).where(eq(rateLimitEvents.bucket, bucket));
}
