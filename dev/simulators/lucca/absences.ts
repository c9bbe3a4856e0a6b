import { activityOf } from '../data/activity.js';
import { fullName } from '../data/company.js';
import { luccaDate, luccaDateTime } from '../data/dates.js';
import { LEAVE_ACCOUNTS, type Leave, type LeaveRequest, type LuccaUser } from '../data/types.js';
import { ref, v3Collection, visibleTo, type RequestContext } from './context.js';
import { parseFields, project } from './fields.js';
import { addFilter, matchesAll, parsePaging } from './filters.js';
import { badRequest } from './http-error.js';
import { checkFilterKeys } from './resources.js';

/** Leaves have no useful `name`: by default the simulator returns the half-day itself. */
const LEAVE_DEFAULT_FIELDS = 'id,date,isAm,leavePeriodId,isActive';
const REQUEST_DEFAULT_FIELDS = 'id,name,url';
const OWNER_SCOPES = ['leavePeriod.ownerId', 'leavePeriod.owner.departmentId', 'leavePeriod.owner.legalEntityId'];

/**
 * Owners in id order: visible to the role, then matching the owner filters present. Rights filter
 * first, paging after (RestDrivenDomain's ReadOnlyRepository: ApplyRights, then ApplyPage).
 */
function owners(ctx: RequestContext): LuccaUser[] {
  const preds: Array<(u: LuccaUser) => boolean> = [(u) => visibleTo(ctx, u)];
  addFilter(preds, ctx.query.get('leavePeriod.ownerId'), 'leavePeriod.ownerId', 'number', (u) => u.id);
  addFilter(preds, ctx.query.get('leavePeriod.owner.departmentId'), 'leavePeriod.owner.departmentId', 'number', (u) => u.departmentId);
  addFilter(preds, ctx.query.get('leavePeriod.owner.legalEntityId'), 'leavePeriod.owner.legalEntityId', 'number', (u) => u.legalEntityId);
  return ctx.company.users.filter((u) => matchesAll(u, preds));
}

function accountRef(id: number): { id: number; name: string } {
  return { id, name: LEAVE_ACCOUNTS.find((a) => a.id === id)?.name ?? `Compte ${id}` };
}

function leaveView(ctx: RequestContext, leave: Leave, owner: LuccaUser, request: LeaveRequest | undefined): Record<string, unknown> {
  return {
    id: leave.id,
    name: `${leave.id}`,
    url: `${ctx.instance.url}/api/v3/leaves/${leave.id}`,
    date: leave.date,
    isAm: leave.isAm,
    value: null,
    leaveAccountId: leave.leaveAccountId,
    leaveAccount: accountRef(leave.leaveAccountId),
    leavePeriodId: leave.leavePeriodId,
    leavePeriod: {
      id: leave.leavePeriodId,
      ownerId: owner.id,
      owner: ref(ctx, 'users', owner.id, fullName(owner)),
      isConfirmed: request?.status === 2,
      confirmationDate: request?.status === 2 ? luccaDateTime(request.creationDate) : null,
      startsOn: request ? luccaDate(request.startsOn) : null,
      endsOn: request ? luccaDate(request.endsOn) : null,
    },
    creationDate: luccaDateTime(leave.creationDate),
    isActive: leave.isActive,
    cancellationDate: luccaDateTime(leave.cancellationDate),
    cancellationUserId: leave.cancellationUserId,
    comment: null,
  };
}

/**
 * GET /api/v3/leaves: one row per half-day. Requires a `date` filter AND an owner scope
 * (`leavePeriod.ownerId`, `leavePeriod.owner.departmentId` or `leavePeriod.owner.legalEntityId`), else 400.
 */
export function listLeaves(ctx: RequestContext): unknown {
  const q = ctx.query;
  const dateFilter = q.get('date');
  if (dateFilter === undefined) throw badRequest('A "date" filter is required');
  if (!OWNER_SCOPES.some((p) => q.has(p))) throw badRequest(`One of ${OWNER_SCOPES.join(', ')} is required`);
  const fields = parseFields(q.get('fields'), LEAVE_DEFAULT_FIELDS, 'Leave');
  checkFilterKeys(q.params, 'Leave');
  const { offset, limit } = parsePaging(q.get('paging'), 10_000);
  const preds: Array<(l: Leave) => boolean> = [];
  addFilter(preds, dateFilter, 'date', 'date', (l) => l.date);
  addFilter(preds, q.get('leaveAccountId'), 'leaveAccountId', 'number', (l) => l.leaveAccountId);
  addFilter(preds, q.get('leavePeriodId'), 'leavePeriodId', 'number', (l) => l.leavePeriodId);
  addFilter(preds, q.get('creationDate'), 'creationDate', 'datetime', (l) => l.creationDate, ctx.company.clock.now());
  const isActive = q.bool('isActive');
  if (isActive === null) throw badRequest('isActive must be true or false');
  if (isActive !== undefined) preds.push((l) => l.isActive === isActive);
  const rows: Array<{ leave: Leave; owner: LuccaUser }> = [];
  for (const owner of owners(ctx)) {
    const mine = (activityOf(ctx.company, owner.id)?.leaves ?? []).filter((l) => matchesAll(l, preds));
    mine.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : Number(b.isAm) - Number(a.isAm)));
    for (const leave of mine) rows.push({ leave, owner });
  }
  const wantsItems = fields.tree.size > 0 || !fields.count;
  const items = wantsItems
    ? rows.slice(offset, offset + limit).map(({ leave, owner }) => {
        const request = activityOf(ctx.company, owner.id)?.leaveRequests.find((r) => r.leavePeriodId === leave.leavePeriodId);
        return project(leaveView(ctx, leave, owner, request), fields.tree);
      })
    : null;
  return v3Collection(ctx, items, fields.count ? rows.length : null);
}

function requestView(ctx: RequestContext, request: LeaveRequest, owner: LuccaUser): Record<string, unknown> {
  const account = accountRef(request.leaveAccountId);
  const decided = request.status === 2 || request.status === 3;
  return {
    id: request.id,
    name: `${account.name} – ${fullName(owner)}`,
    url: `${ctx.instance.url}/api/v3/leaveRequests/${request.id}`,
    leavePeriodId: request.leavePeriodId,
    leavePeriod: { id: request.leavePeriodId, ownerId: owner.id, owner: ref(ctx, 'users', owner.id, fullName(owner)), startsOn: luccaDate(request.startsOn), endsOn: luccaDate(request.endsOn) },
    status: request.status,
    creationDate: luccaDateTime(request.creationDate),
    nextApproverId: request.nextApproverId,
    isActive: request.isActive,
    cancellationUserId: request.cancellationDate === null ? null : owner.id,
    cancellationDate: luccaDateTime(request.cancellationDate),
    approvals: decided
      ? [{ id: request.id, date: luccaDateTime(request.creationDate + 86_400_000), approverId: owner.managerId ?? owner.id, substitutedApproverId: null, approved: request.status === 2, comment: null }]
      : [],
    cancellationRequests: [],
  };
}

/** GET /api/v3/leaveRequests: `status`, `isActive`, `creationDate`, owner filters; paging ≤ 1000. */
export function listLeaveRequests(ctx: RequestContext): unknown {
  const q = ctx.query;
  const fields = parseFields(q.get('fields'), REQUEST_DEFAULT_FIELDS, 'LeaveRequest');
  checkFilterKeys(q.params, 'LeaveRequest');
  const { offset, limit } = parsePaging(q.get('paging'), 1000);
  const preds: Array<(r: LeaveRequest) => boolean> = [];
  addFilter(preds, q.get('status'), 'status', 'number', (r) => r.status);
  addFilter(preds, q.get('creationDate'), 'creationDate', 'datetime', (r) => r.creationDate, ctx.company.clock.now());
  addFilter(preds, q.get('leavePeriodId'), 'leavePeriodId', 'number', (r) => r.leavePeriodId);
  const isActive = q.bool('isActive');
  if (isActive === null) throw badRequest('isActive must be true or false');
  if (isActive !== undefined) preds.push((r) => r.isActive === isActive);
  const rows: Array<{ request: LeaveRequest; owner: LuccaUser }> = [];
  for (const owner of owners(ctx)) {
    const mine = (activityOf(ctx.company, owner.id)?.leaveRequests ?? []).filter((r) => matchesAll(r, preds));
    for (const request of mine.sort((a, b) => a.id - b.id)) rows.push({ request, owner });
  }
  const wantsItems = fields.tree.size > 0 || !fields.count;
  const items = wantsItems ? rows.slice(offset, offset + limit).map(({ request, owner }) => project(requestView(ctx, request, owner), fields.tree)) : null;
  return v3Collection(ctx, items, fields.count ? rows.length : null);
}
