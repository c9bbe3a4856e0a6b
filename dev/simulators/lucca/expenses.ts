import { activityOf } from '../data/activity.js';
import { fullName } from '../data/company.js';
import { luccaDateTime } from '../data/dates.js';
import { EXPENSE_STATUSES, type ExpenseClaim, type LuccaUser } from '../data/types.js';
import { ref, v3Collection, visibleTo, type RequestContext } from './context.js';
import { parseFields, project } from './fields.js';
import { addFilter, compileFilter, matchesAll, parsePaging } from './filters.js';
import { badRequest } from './http-error.js';
import { checkFilterKeys, checkOrderBy } from './resources.js';

const APPROVAL_STATES = ['Created', 'PartiallyApproved', 'Approved', 'Refused', 'Cancelled'];
const PAYMENT_METHODS: Record<number, string> = { 0: 'User', 1: 'CorporateCard', 3: 'CleemyCard' };

const PARIS_HOUR = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', hourCycle: 'h23' });

/**
 * A Paris day as Lucca's expense-claim samples write dates: the instant of its midnight, in UTC with
 * `Z` (`2025-03-04` → `2025-03-03T23:00:00Z`; `2025-07-01` → `2025-06-30T22:00:00Z` in summer time).
 * Clients must turn it back into the Paris day, not take the UTC date.
 */
export function parisMidnightUtc(day: string): string {
  const utcMidnight = Date.parse(`${day}T00:00:00Z`);
  const offsetHours = Number(PARIS_HOUR.format(new Date(utcMidnight))); // 1 in winter, 2 in summer
  return new Date(utcMidnight - offsetHours * 3_600_000).toISOString().replace('.000Z', 'Z');
}

function claimView(ctx: RequestContext, claim: ExpenseClaim, owner: LuccaUser): Record<string, unknown> {
  return {
    id: claim.id,
    name: claim.name,
    url: `${ctx.instance.url}/api/v3/expenseClaims/${claim.id}`,
    declaredOn: parisMidnightUtc(claim.declaredOn),
    createdOn: luccaDateTime(claim.createdOn),
    modifiedOn: luccaDateTime(claim.modifiedOn),
    paymentReceivedOn: claim.statusId === 7 ? luccaDateTime(claim.modifiedOn) : null,
    // Both documented forms: the id, and the expanded object (`status[id,name,code]`).
    statusId: claim.statusId,
    status: { id: claim.statusId, name: EXPENSE_STATUSES[claim.statusId] ?? 'Unknown', code: EXPENSE_STATUSES[claim.statusId] ?? 'Unknown' },
    approvalStateId: claim.approvalStateId,
    approvalState: { id: claim.approvalStateId, name: APPROVAL_STATES[claim.approvalStateId] ?? 'Unknown' },
    paymentMethodId: claim.paymentMethodId,
    paymentMethod: { id: claim.paymentMethodId, name: PAYMENT_METHODS[claim.paymentMethodId] ?? 'Unknown' },
    sourceId: 0,
    ownerId: owner.id,
    owner: { ...ref(ctx, 'users', owner.id, fullName(owner)), firstName: owner.firstName, lastName: owner.lastName },
    authorId: owner.id,
    legalEntityId: owner.legalEntityId,
    departmentId: owner.departmentId,
    currencyId: claim.currencyId,
  };
}

/** `statusId=2,3` or `status=PartiallyApproved,Approved` (ids or names). */
function statusFilter(raw: string | undefined): ((c: ExpenseClaim) => boolean) | undefined {
  if (raw === undefined) return undefined;
  const byName = new Map(Object.entries(EXPENSE_STATUSES).map(([id, name]) => [name.toLowerCase(), Number(id)]));
  const ids = raw.split(',').map((t) => {
    const id = /^\d+$/.test(t.trim()) ? Number(t) : byName.get(t.trim().toLowerCase());
    if (id === undefined) throw badRequest(`status: unknown "${t}"`);
    return id;
  });
  return (c) => ids.includes(c.statusId);
}

/**
 * GET /api/v3/expenseClaims: filters `declaredOn`, `ownerId`, `modifiedOn`, `createdOn`, `statusId`/`status`,
 * `legalEntityId`; `orderBy=declaredOn|id,asc|desc` (default id asc); paging ≤ 1000.
 */
export function listExpenseClaims(ctx: RequestContext): unknown {
  const q = ctx.query;
  const fields = parseFields(q.get('fields'), 'id,name,url', 'ExpenseClaim');
  checkFilterKeys(q.params, 'ExpenseClaim');
  checkOrderBy(q.get('orderBy'), 'ExpenseClaim');
  const { offset, limit } = parsePaging(q.get('paging'), 1000);
  const preds: Array<(c: ExpenseClaim) => boolean> = [];
  addFilter(preds, q.get('declaredOn'), 'declaredOn', 'date', (c) => c.declaredOn);
  addFilter(preds, q.get('modifiedOn'), 'modifiedOn', 'datetime', (c) => c.modifiedOn, ctx.company.clock.now());
  addFilter(preds, q.get('createdOn'), 'createdOn', 'datetime', (c) => c.createdOn, ctx.company.clock.now());
  const status = statusFilter(q.get('statusId') ?? q.get('status'));
  if (status) preds.push(status);
  const ownerRaw = q.get('ownerId') ?? q.get('owner.id');
  const ownerTest = ownerRaw === undefined ? undefined : compileFilter('ownerId', ownerRaw, 'number');
  const legalRaw = q.get('legalEntityId');
  const legalTest = legalRaw === undefined ? undefined : compileFilter('legalEntityId', legalRaw, 'number');
  const rows: Array<{ claim: ExpenseClaim; owner: LuccaUser }> = [];
  for (const owner of ctx.company.users) {
    if (!visibleTo(ctx, owner) || (ownerTest && !ownerTest(owner.id)) || (legalTest && !legalTest(owner.legalEntityId))) continue;
    for (const claim of activityOf(ctx.company, owner.id)?.expenseClaims ?? []) {
      if (matchesAll(claim, preds)) rows.push({ claim, owner });
    }
  }
  sortClaims(rows, q.get('orderBy'));
  const wantsItems = fields.tree.size > 0 || !fields.count;
  const items = wantsItems ? rows.slice(offset, offset + limit).map(({ claim, owner }) => project(claimView(ctx, claim, owner), fields.tree)) : null;
  return v3Collection(ctx, items, fields.count ? rows.length : null);
}

function sortClaims(rows: Array<{ claim: ExpenseClaim }>, raw: string | undefined): void {
  const [field = 'id', direction = 'asc'] = (raw ?? 'id,asc').split(',').map((t) => t.trim().toLowerCase());
  if (!['id', 'declaredon'].includes(field) || !['asc', 'desc'].includes(direction)) throw badRequest(`orderBy: unsupported "${raw}"`);
  const sign = direction === 'asc' ? 1 : -1;
  rows.sort((a, b) => {
    const byField = field === 'declaredon' ? (a.claim.declaredOn < b.claim.declaredOn ? -1 : a.claim.declaredOn > b.claim.declaredOn ? 1 : 0) : 0;
    return sign * (byField || a.claim.id - b.claim.id);
  });
}
