import { and, asc, eq, sql } from 'drizzle-orm';
import { loadRunContext } from '../../../activities/deps.js';
import { runFetchLoop, sourceIdOf } from '../../../activities/http/fetch-loop.js';
import { LUCCA_PAGE_LIMIT } from '../../../activities/lucca/schemas.js';
import type { TargetConnector } from '../../../activities/targets/connector.js';
import { reportLines, stagedRecords } from '../../../db/schema.js';

/**
 * A third target that exists only in the tests: a directory of people kept in memory. It shows what a
 * target is made of: a descriptor (name, label, datasets, Lucca fields…) and five steps over Postgres
 * rows keyed by (run, dataset), run by the product's own workflows and activities. Nothing of it is in
 * the product; a worker runs it when given `{ ...CONNECTORS, fake: fakeConnector(store) }`.
 */
export interface FakePerson {
  name: string;
  email: string | null;
}

/** The target's whole state: people by Lucca id. */
export type FakeStore = Map<string, FakePerson>;

const STAGED = 'lucca-users';
const FIELDS = ['id', 'firstName', 'lastName', 'mail'];

interface LuccaUser {
  firstName?: string;
  lastName?: string;
  mail?: string | null;
}

const personOf = (u: LuccaUser): FakePerson => ({ name: `${u.firstName ?? ''} ${u.lastName ?? ''}`.trim(), email: u.mail?.toLowerCase() ?? null });

export function fakeConnector(store: FakeStore): TargetConnector<'fake'> {
  return {
    name: 'fake',
    label: 'Fake directory',
    datasets: [{ name: 'people', label: 'people' }],
    luccaFields: FIELDS,
    defaultUrl: 'https://fake.invalid',
    startsActive: true,
    keyContact: 'the test',
    onForbidden: 'fail-run',
    linesPerActivity: 50,
    // In memory: any key is accepted.
    checkKey: async () => undefined,
    steps(deps) {
      const { db } = deps.db;
      return {
        prepare: async () => ({ full: true }),

        async read({ runId, cursor, maxPages }) {
          const { lucca } = await loadRunContext(deps, runId);
          const r = await runFetchLoop(deps.db, {
            runId, start: cursor, maxPages,
            async readPage({ at }, signal) {
              const page = await lucca.listUsers({ offset: at, fields: FIELDS, formerEmployees: true, signal });
              return {
                dataset: STAGED, page: at / LUCCA_PAGE_LIMIT,
                rows: page.items.map((item, i) => ({ sourceId: sourceIdOf(item, at + i), data: item })),
                next: { part: 0, at: at + page.items.length },
                done: page.items.length < LUCCA_PAGE_LIMIT,
              };
            },
          });
          return { cursor: r.cursor, pages: r.pages, done: r.done, counts: { read: r.read } };
        },

        async plan({ runId, dataset }) {
          const staged = await db.select({ sourceId: stagedRecords.sourceId, data: stagedRecords.data }).from(stagedRecords)
            .where(and(eq(stagedRecords.runId, runId), eq(stagedRecords.dataset, STAGED))).orderBy(asc(stagedRecords.sourceId));
          const lines: Array<typeof reportLines.$inferInsert> = [];
          const seen = new Set<string>();
          for (const { sourceId, data } of staged) {
            seen.add(sourceId);
            const now = personOf(data as LuccaUser);
            const before = store.get(sourceId);
            if (before && before.name === now.name && before.email === now.email) continue;
            lines.push({ runId, seq: lines.length, dataset, sourceId, action: before ? 'updated' : 'created', plan: now, targetId: before ? sourceId : null });
          }
          for (const sourceId of store.keys()) {
            if (!seen.has(sourceId)) lines.push({ runId, seq: lines.length, dataset, sourceId, action: 'deleted', plan: null, targetId: sourceId });
          }
          if (lines.length > 0) await db.insert(reportLines).values(lines).onConflictDoNothing();
          const counts: Record<string, number> = {};
          for (const l of lines) counts[`planned_${l.action}`] = (counts[`planned_${l.action}`] ?? 0) + 1;
          return { counts, message: null };
        },

        async write({ runId, dataset, maxLines }) {
          const planned = await db.select().from(reportLines)
            .where(and(eq(reportLines.runId, runId), eq(reportLines.dataset, dataset), eq(reportLines.outcome, 'planned')))
            .orderBy(asc(reportLines.seq)).limit(maxLines);
          for (const line of planned) {
            if (line.action === 'deleted') store.delete(line.sourceId);
            else store.set(line.sourceId, line.plan as FakePerson);
            await db.update(reportLines).set({ outcome: 'applied', targetId: line.sourceId })
              .where(and(eq(reportLines.runId, runId), eq(reportLines.seq, line.seq)));
          }
          const [left] = await db.select({ n: sql<number>`count(*)::int` }).from(reportLines)
            .where(and(eq(reportLines.runId, runId), eq(reportLines.dataset, dataset), eq(reportLines.outcome, 'planned')));
          return { done: (left?.n ?? 0) === 0, counts: { written: planned.length } };
        },

        finish: async () => ({ counts: {} }),
        reportForbidden: async () => undefined,
      };
    },
  };
}
