import { fullName } from '../data/company.js';
import { establishmentCurrency, workContractIdOf } from '../data/compensation.js';
import { FIXED_NATURE, VARIABLE_NATURE, type FixedItem, type LuccaUser, type VariableItem } from '../data/types.js';
import { visibleTo, type RequestContext } from './context.js';
import { compileFilter } from './filters.js';
import { badRequest } from './http-error.js';

/**
 * v4 paging as Pagga documents it: `page` (1-based), `limit` (default 10, at most 1000, else 400).
 * The envelope always has `items`; `fields.root=next,prev,count` adds those keys (next/prev are URLs or null).
 */
function v4List<T extends { id: number; ownerId: number }>(
  ctx: RequestContext, all: readonly T[], view: (item: T, owner: LuccaUser) => Record<string, unknown>, ownerParam = 'ownerIds',
): unknown {
  const q = ctx.query;
  const page = q.get('page') === undefined ? 1 : Number(q.get('page'));
  const limit = q.get('limit') === undefined ? 10 : Number(q.get('limit'));
  if (!Number.isInteger(page) || page < 1) throw badRequest('page must be a positive integer');
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw badRequest('limit must be between 1 and 1000');
  const ownerTest = listFilter(q.get(ownerParam), ownerParam);
  const idTest = listFilter(q.get('ids'), 'ids');
  const matched: Array<{ item: T; owner: LuccaUser }> = [];
  for (const item of all) {
    if ((ownerTest && !ownerTest(item.ownerId)) || (idTest && !idTest(item.id))) continue;
    const owner = ctx.company.byId.get(item.ownerId);
    if (owner && visibleTo(ctx, owner)) matched.push({ item, owner });
  }
  const start = (page - 1) * limit;
  const body: Record<string, unknown> = { items: matched.slice(start, start + limit).map(({ item, owner }) => view(item, owner)) };
  const root = new Set((q.get('fields.root') ?? '').split(',').map((t) => t.trim().toLowerCase()));
  const link = (p: number) => {
    const params = new URLSearchParams(ctx.query.params);
    params.set('page', String(p));
    return `${ctx.instance.url}${ctx.path}?${params.toString()}`;
  };
  if (root.has('next')) body.next = start + limit < matched.length ? link(page + 1) : null;
  if (root.has('prev')) body.prev = page > 1 ? link(page - 1) : null;
  if (root.has('count')) body.count = matched.length;
  return body;
}

function listFilter(raw: string | undefined, name: string): ((v: number) => boolean) | undefined {
  if (raw === undefined) return undefined;
  const test = compileFilter(name, raw, 'number');
  return (v) => test(v);
}

/** Every establishment of the company with its currency: each nature is used by all of them. */
function establishments(ctx: RequestContext) {
  return ctx.company.legalEntities.map((l) => ({ id: l.id, name: l.name, ...establishmentCurrency(l) }));
}

/** The documented owner path: items carry no `ownerId`, only `workContract{workContractId, amendmentId, ownerId, owner, …}`. */
function workContract(workContractId: number, owner: LuccaUser) {
  return {
    workContractId, amendmentId: 0, ownerId: owner.id,
    owner: { id: owner.id, firstName: owner.firstName, lastName: owner.lastName ?? '', name: fullName(owner), displayName: `${owner.lastName ?? ''} ${owner.firstName}`.trim() },
    startsOn: owner.dtContractStart, endsOn: owner.dtContractEnd,
  };
}

/** GET /remuneration/api/fixed-items (BASIC_SALARY history), every property returned (v4). */
export function listFixedItems(ctx: RequestContext): unknown {
  return v4List(ctx, ctx.company.fixedItems, (item: FixedItem, owner) => ({
    id: item.id,
    amount: item.amount,
    startsOn: item.startsOn,
    endsOn: item.endsOn,
    comment: item.comment,
    natureId: item.natureId,
    nature: {
      id: FIXED_NATURE.id,
      name: FIXED_NATURE.name,
      category: { id: FIXED_NATURE.categoryId, code: FIXED_NATURE.code },
      establishments: establishments(ctx),
    },
    workContractId: item.workContractId,
    workContract: workContract(item.workContractId, owner),
  }));
}

/**
 * GET /remuneration/api/variable-items (BONUS). Deleted items (`isDeleted: true`) only with
 * `IncludeDeleted=true`, as documented ("Also return variable items that have been deleted").
 */
export function listVariableItems(ctx: RequestContext): unknown {
  const includeDeleted = ctx.query.bool('IncludeDeleted');
  if (includeDeleted === null) throw badRequest('IncludeDeleted must be true or false');
  const items = includeDeleted ? ctx.company.variableItems : ctx.company.variableItems.filter((i) => !i.isDeleted);
  return v4List(ctx, items, (item: VariableItem, owner) => ({
    id: item.id,
    amount: item.amount,
    period: item.period,
    natureId: item.natureId,
    workContractId: workContractIdOf(item.ownerId),
    amendmentId: 0,
    nature: {
      id: VARIABLE_NATURE.id, name: VARIABLE_NATURE.name, type: 'Amount',
      category: { id: VARIABLE_NATURE.categoryId, code: VARIABLE_NATURE.code },
      establishments: establishments(ctx),
    },
    workContract: workContract(workContractIdOf(item.ownerId), owner),
    comments: item.comments,
    isDeleted: item.isDeleted,
  }));
}

/**
 * GET /directory/api/4.0/work-contracts: one contract per person in the model, in the establishment
 * of their legal entity. v4 paging (`page`, `limit` ≤ 1000, `fields.root=count`); filters `ownerId`,
 * `establishmentId`, `isApplicable`.
 */
export function listWorkContracts(ctx: RequestContext): unknown {
  const applicable = ctx.query.bool('isApplicable');
  if (applicable === null) throw badRequest('isApplicable must be true or false');
  const establishmentTest = listFilter(ctx.query.get('establishmentId'), 'establishmentId');
  const contracts = ctx.company.users
    .filter((u) => applicable !== false && (!establishmentTest || establishmentTest(u.legalEntityId)))
    .map((u) => ({ id: workContractIdOf(u.id), ownerId: u.id }));
  return v4List(ctx, contracts, (c, owner) => ({
    id: c.id, ownerId: owner.id, startsOn: owner.dtContractStart, endsOn: owner.dtContractEnd, isApplicable: true,
    establishmentId: owner.legalEntityId, spcId: 1, typeId: 1, hiringTypeId: 1, terminationReasonId: null,
    trialPeriodDays: null, renewedTrialPeriodDays: null, trialPeriodEndDate: null, trialPeriodEndDate2: null,
    authorId: owner.id, lastModifierId: owner.id, createdAt: `${owner.dtContractStart}T09:00:00`, lastModifiedAt: `${owner.dtContractStart}T09:00:00`,
  }), 'ownerId');
}
