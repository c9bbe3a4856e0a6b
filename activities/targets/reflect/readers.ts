/**
 * Lucca readers of the Reflect datasets: one page of one read part at a time, through the shared
 * Lucca client (rate limiter, error rules) and the shared fetch loop (activities/http/fetch-loop.ts).
 *
 * Shared employee read with a HappyPal connection on the same Lucca instance: decided against.
 * The two connections read different field sets (Reflect adds department, manager and employee
 * number), with different keys whose roles see different people and fields (Lucca filters silently
 * by role, so one connection's read is not the other's truth), on different schedules and with
 * separate failure domains (a bad HappyPal key must not stop Reflect). The instance is protected
 * anyway: both connections draw on the one per-instance rate limiter (rate_limit_events), and a
 * users read is a handful of requests (1000 per page) against a day's budget.
 */
import type { LuccaClient } from '../../lucca/client.js';
import {
  EXPENSE_CLAIM_FIELDS,
  LEAVE_FIELDS,
  LUCCA_LEAVES_PAGE_LIMIT,
  LUCCA_PAGE_LIMIT,
  REFLECT_USER_FIELDS,
  SCOPE_USER_FIELDS,
} from '../../lucca/schemas.js';
import type { PageRead } from '../../http/fetch-loop.js';
import type { StagedRow } from '../../../db/queries/staging.js';
import { sourceIdOf } from '../../http/fetch-loop.js';
import { luccaDateTime, type ReadPart } from './read-plan.js';

/** Staged dataset name of each read part (staged_records.dataset). */
export const STAGED: Record<ReadPart['kind'], string> = {
  users: 'lucca-users',
  leaves: 'lucca-leaves',
  'expense-claims': 'lucca-expense-claims',
  'fixed-items': 'lucca-fixed-items',
  'variable-items': 'lucca-variable-items',
  'work-contracts': 'lucca-work-contracts',
  // Shared by the datasets of one run that read it (rows staged once: same run, same ids).
  org: 'lucca-org',
};

/** Which part is being read, and where in it: an offset (v3) or the number of pages read (v4). */
export interface ReadCursor {
  part: number;
  at: number;
}

interface PartPage {
  rows: StagedRow[];
  next: number;
  partDone: boolean;
  page: number;
}

const rowsOf = (items: unknown[], offset: number): StagedRow[] => items.map((item, i) => ({ sourceId: sourceIdOf(item, offset + i), data: item }));

async function readPart(lucca: LuccaClient, part: ReadPart, at: number, signal: AbortSignal, userFields: readonly string[]): Promise<PartPage> {
  switch (part.kind) {
    case 'users': {
      const page = await lucca.listUsers({
        offset: at, fields: userFields, formerEmployees: true, signal,
        ...(part.since && { modifiedSince: luccaDateTime(part.since) }),
      });
      return { rows: rowsOf(page.items, at), next: at + page.items.length, partDone: page.items.length < LUCCA_PAGE_LIMIT, page: at / LUCCA_PAGE_LIMIT };
    }
    case 'org': {
      const page = await lucca.listUsers({ offset: at, fields: SCOPE_USER_FIELDS, formerEmployees: true, signal });
      return { rows: rowsOf(page.items, at), next: at + page.items.length, partDone: page.items.length < LUCCA_PAGE_LIMIT, page: at / LUCCA_PAGE_LIMIT };
    }
    case 'leaves': {
      const page = await lucca.listLeaves({ offset: at, fields: LEAVE_FIELDS, from: part.from, to: part.to, signal });
      return { rows: rowsOf(page.items, at), next: at + page.items.length, partDone: page.items.length < LUCCA_LEAVES_PAGE_LIMIT, page: at / LUCCA_LEAVES_PAGE_LIMIT };
    }
    case 'expense-claims': {
      const page = await lucca.listExpenseClaims({
        offset: at, fields: EXPENSE_CLAIM_FIELDS, signal,
        ...(part.since && { modifiedSince: luccaDateTime(part.since) }),
      });
      return { rows: rowsOf(page.items, at), next: at + page.items.length, partDone: page.items.length < LUCCA_PAGE_LIMIT, page: at / LUCCA_PAGE_LIMIT };
    }
    case 'fixed-items':
    case 'variable-items':
    case 'work-contracts': {
      const query = { page: at + 1, signal };
      const page = part.kind === 'fixed-items' ? await lucca.listFixedItems(query)
        : part.kind === 'variable-items' ? await lucca.listVariableItems(query) : await lucca.listWorkContracts(query);
      return { rows: rowsOf(page.items, at * 1000), next: at + 1, partDone: !page.hasNext || page.items.length === 0, page: at + 1 };
    }
  }
}

/** One page of a read plan, for the shared fetch loop: the next part starts when one is done. */
/** `userFields`: the users part's fields (REFLECT_USER_FIELDS plus what the connection's mappings read). */
export async function readPlanPage(
  lucca: LuccaClient, parts: readonly ReadPart[], cursor: ReadCursor, signal: AbortSignal, userFields: readonly string[] = REFLECT_USER_FIELDS,
): Promise<PageRead<ReadCursor>> {
  const part = parts[cursor.part];
  if (!part) return { dataset: 'none', page: 0, rows: [], next: cursor, done: true };
  const page = await readPart(lucca, part, cursor.at, signal, userFields);
  const next = page.partDone ? { part: cursor.part + 1, at: 0 } : { part: cursor.part, at: page.next };
  return { dataset: STAGED[part.kind], page: page.page, rows: page.rows, next, done: next.part >= parts.length };
}

/** A retried attempt starts from whichever cursor is further on. */
export function furthest(start: ReadCursor, beat: ReadCursor | undefined): ReadCursor {
  if (!beat) return start;
  return beat.part > start.part || (beat.part === start.part && beat.at > start.at) ? beat : start;
}
