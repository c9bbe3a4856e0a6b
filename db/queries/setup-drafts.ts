import { eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { consoleSetupDrafts } from '../schema.js';

export type SetupDraftRow = typeof consoleSetupDrafts.$inferSelect;

/** The session's setup draft (one per session). */
export async function findSetupDraft(db: Db, sessionHash: string): Promise<SetupDraftRow | undefined> {
  const [row] = await db.select().from(consoleSetupDrafts).where(eq(consoleSetupDrafts.sessionHash, sessionHash));
  return row;
}

export async function saveSetupDraft(
  db: Db,
  draft: { sessionHash: string; userId: string; dataEnc: string; connectionId?: string | null; previewRunId?: string | null },
): Promise<void> {
  const set = {
    dataEnc: draft.dataEnc, updatedAt: new Date(),
    ...(draft.connectionId !== undefined && { connectionId: draft.connectionId }),
    ...(draft.previewRunId !== undefined && { previewRunId: draft.previewRunId }),
  };
  await db.insert(consoleSetupDrafts).values({ sessionHash: draft.sessionHash, userId: draft.userId, ...set })
    .onConflictDoUpdate({ target: consoleSetupDrafts.sessionHash, set });
}

export async function deleteSetupDraft(db: Db, sessionHash: string): Promise<void> {
  await db.delete(consoleSetupDrafts).where(eq(consoleSetupDrafts.sessionHash, sessionHash));
}

/** Connection ids some session's setup is still working on (not saved yet): listed as "setup not finished". */
export async function connectionsInSetup(db: Db): Promise<Set<string>> {
  const rows = await db.select({ id: consoleSetupDrafts.connectionId }).from(consoleSetupDrafts);
  return new Set(rows.map((r) => r.id).filter((id): id is string => id !== null));
}
