import { fullName } from '../data/company.js';
import { FIXED_NATURE, VARIABLE_NATURE, type FixedItem, type LuccaUser, type VariableItem } from '../data/types.js';
import { visibleTo, type RequestContext } from './context.js';
import { compileFilter } from './filters.js';
import { badRequest } from './http-error.js';

const CURRENCY = { currencyCode: 'EUR', currencySymbol: '€' };

/**
 * v4 paging as Pagga documents it: `page` (1-based), `limit` (default 10, at most 1000, else 400).
 * The envelope always has `items`; `fields.root=next,prev,count` adds those keys (next/prev are URLs or null).
 */
function v4List<T extends { id: number; ownerId: number }>(
  ctx: RequestContext, all: readonly T[], view: (item: T, owner: LuccaUser) => Record<string, unknown>,
): unknown {
  const q = ctx.query;
  const page = q.get('page') === undefined ? 1 : Number(q.get('page'));
  const limit = q.get('limit') === undefined ? 10 : Number(q.get('limit'));
  if (!Number.isInteger(page) || page < 1) throw badRequest('page must be a positive integer');
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw badRequest('limit must be between 1 and 1000');
  const ownerTest = listFilter(q.get('ownerIds'), 'ownerIds');
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

function ownerRef(owner: LuccaUser): { id: number; name: string } {
  return { id: owner.id, name: fullName(owner) };
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
      establishments: [{ id: owner.legalEntityId, name: ctx.company.legalEntities.find((l) => l.id === owner.legalEntityId)?.name ?? '', ...CURRENCY }],
    },
    workContractId: item.workContractId,
    workContract: {
      workContractId: item.workContractId, amendmentId: 0, ownerId: owner.id, owner: ownerRef(owner),
      startsOn: owner.dtContractStart, endsOn: owner.dtContractEnd,
    },
    ownerId: owner.id,
  }));
}

/** GET /remuneration/api/variable-items (BONUS), with `isDeleted` rows kept. */
export function listVariableItems(ctx: RequestContext): unknown {
  const deleted = ctx.query.bool('isDeleted');
  if (deleted === null) throw badRequest('isDeleted must be true or false');
  const items = deleted === undefined ? ctx.company.variableItems : ctx.company.variableItems.filter((i) => i.isDeleted === deleted);
  return v4List(ctx, items, (item: VariableItem, owner) => ({
    id: item.id,
    amount: item.amount,
    period: item.period,
    natureId: item.natureId,
    nature: { id: VARIABLE_NATURE.id, name: VARIABLE_NATURE.name, type: 'Bonus', category: { id: VARIABLE_NATURE.categoryId, code: VARIABLE_NATURE.code } },
    comments: item.comments,
    isDeleted: item.isDeleted,
    ownerId: owner.id,
    owner: ownerRef(owner),
  }));
}
