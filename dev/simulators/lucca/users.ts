import { fullName, isFormer } from '../data/company.js';
import { luccaDate, luccaDateTime } from '../data/dates.js';
import { AXIS, axisSectionOf, EXTENSIONS, extensionValue } from '../data/extensions.js';
import type { LuccaUser } from '../data/types.js';
import { orgIndex, ref, v3Collection, v3Envelope, visibleTo, type RequestContext } from './context.js';
import { parseFields, project } from './fields.js';
import { addFilter, matchesAll, parsePaging } from './filters.js';
import { badRequest, LuccaHttpError } from './http-error.js';
import { checkFilterKeys, checkOrderBy } from './resources.js';
import { seesSection } from './roles.js';

const DEFAULT_FIELDS = 'id,name,url';

/**
 * Every v3 user property the simulator knows; `fields` picks from it. `birthDate` needs
 * hrFileSections: without it, it is left out or `null`, as the key's `hiddenAs` says.
 */
export function userView(ctx: RequestContext, user: LuccaUser, wanted?: ReadonlyMap<string, unknown>): Record<string, unknown> {
  const company = ctx.company;
  const org = orgIndex(company);
  const department = org.departments.get(user.departmentId);
  const legalEntity = org.legalEntities.get(user.legalEntityId);
  const manager = user.managerId === null ? undefined : company.byId.get(user.managerId);
  const view: Record<string, unknown> = {
    id: user.id,
    name: fullName(user),
    url: `${ctx.instance.url}/api/v3/users/${user.id}`,
    firstName: user.firstName,
    lastName: user.lastName,
    displayName: user.lastName ? `${user.lastName} ${user.firstName}` : user.firstName,
    mail: user.mail,
    login: user.login,
    gender: user.gender === 'female' ? 'Female' : 'Male',
    birthDate: luccaDate(user.birthDate),
    dtContractStart: luccaDate(user.dtContractStart),
    dtContractEnd: luccaDate(user.dtContractEnd),
    seniorityDate: luccaDate(user.dtContractStart),
    employeeNumber: user.employeeNumber,
    jobTitle: user.jobTitle,
    departmentId: user.departmentId,
    department: department ? ref(ctx, 'departments', department.id, department.name) : null,
    legalEntityId: user.legalEntityId,
    legalEntity: legalEntity ? { ...ref(ctx, 'legalentities', legalEntity.id, legalEntity.name), code: legalEntity.code } : null,
    managerId: user.managerId,
    manager: manager ? ref(ctx, 'users', manager.id, fullName(manager)) : null,
    modifiedAt: luccaDateTime(user.modifiedAt),
  };
  // Built only when asked for (`wanted`: the request's lower-cased field tree): most reads never do.
  if (!wanted || wanted.has('extendeddata')) view.extendedData = extendedDataView(ctx, user);
  if (!wanted || wanted.has(`useraxisvalues_${AXIS.id}`)) {
    const section = axisSectionOf(user);
    view[`userAxisValues_${AXIS.id}`] = ref(ctx, 'axissections', section.id, section.name);
  }
  if (!ctx.role.hrFileSections) {
    if (ctx.key.hiddenAs === 'null') view.birthDate = null;
    else delete view.birthDate;
  }
  return view;
}

/**
 * `extendedData`: one `{ id, value }` per custom field of the sections the role covers (a field
 * without a value is `{ id, value: null }`); fields of other sections are left out. Value ids are
 * derived from the user and the field (stable across reads). Dates as `YYYY-MM-DDT00:00:00`.
 */
function extendedDataView(ctx: RequestContext, user: LuccaUser): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  EXTENSIONS.forEach((def, i) => {
    if (!seesSection(ctx.role, def.section)) return;
    out[def.key] = { id: user.id * 100 + i, value: extensionValue(user, def.key) };
  });
  return out;
}

/** GET /api/v3/users */
export function listUsers(ctx: RequestContext): unknown {
  const q = ctx.query;
  const fields = parseFields(q.get('fields'), DEFAULT_FIELDS, 'User');
  checkFilterKeys(q.params, 'User', ['formerEmployees']);
  checkOrderBy(q.get('orderBy'), 'User');
  const { offset, limit } = parsePaging(q.get('paging'), 1000);
  const former = q.bool('formerEmployees');
  if (former === null) throw badRequest('formerEmployees must be true or false');
  const preds: Array<(u: LuccaUser) => boolean> = [(u) => visibleTo(ctx, u)];
  // Former employees are left out unless asked for, or unless the caller filters on the contract end itself.
  if (!former && !q.has('dtContractEnd')) preds.push((u) => !isFormer(u, ctx.today));
  addFilter(preds, q.get('id'), 'id', 'number', (u) => u.id);
  addFilter(preds, q.get('modifiedAt'), 'modifiedAt', 'datetime', (u) => u.modifiedAt, ctx.company.clock.now());
  addFilter(preds, q.get('dtContractStart'), 'dtContractStart', 'date', (u) => u.dtContractStart);
  addFilter(preds, q.get('dtContractEnd'), 'dtContractEnd', 'date', (u) => u.dtContractEnd);
  addFilter(preds, q.get('departmentId'), 'departmentId', 'number', (u) => u.departmentId);
  addFilter(preds, q.get('legalEntityId'), 'legalEntityId', 'number', (u) => u.legalEntityId);
  addFilter(preds, q.get('managerId'), 'managerId', 'number', (u) => u.managerId);
  addTextFilter(preds, q.get('mail'), (u) => u.mail);
  addTextFilter(preds, q.get('login'), (u) => u.login);
  const { page, total } = selectPage(ctx.company.users, preds, q.get('orderBy'), offset, limit);
  const wantsItems = fields.tree.size > 0 || !fields.count;
  const items = wantsItems ? page.map((u) => project(userView(ctx, u, fields.tree), fields.tree)) : null;
  return v3Collection(ctx, items, fields.count ? total : null);
}

/** In id order (the stored order) one pass counts matches and keeps only the page; another order sorts all matches. */
function selectPage(users: readonly LuccaUser[], preds: Array<(u: LuccaUser) => boolean>, orderBy: string | undefined, offset: number, limit: number) {
  if (orderBy !== undefined && !/^\s*id\s*(,\s*asc\s*)?$/i.test(orderBy)) {
    const matched = users.filter((u) => matchesAll(u, preds));
    sortUsers(matched, orderBy);
    return { page: matched.slice(offset, offset + limit), total: matched.length };
  }
  const page: LuccaUser[] = [];
  let total = 0;
  for (const user of users) {
    if (!matchesAll(user, preds)) continue;
    if (total >= offset && total < offset + limit) page.push(user);
    total++;
  }
  return { page, total };
}

/** GET /api/v3/users/:id: 404 for an unknown id or a person the role may not see. */
export function getUser(ctx: RequestContext): unknown {
  const id = Number(ctx.params.id);
  const user = Number.isInteger(id) ? ctx.company.byId.get(id) : undefined;
  if (!user || !visibleTo(ctx, user)) throw new LuccaHttpError(404, `Resource with ID ${ctx.params.id} not found`);
  const fields = parseFields(ctx.query.get('fields'), DEFAULT_FIELDS, 'User');
  return v3Envelope(ctx, project(userView(ctx, user, fields.tree), fields.tree));
}

/** `mail=<exact>` (case-insensitive) or `mail=like,<part>`. */
function addTextFilter(preds: Array<(u: LuccaUser) => boolean>, raw: string | undefined, read: (u: LuccaUser) => string): void {
  if (raw === undefined) return;
  const like = /^like,(.*)$/i.exec(raw);
  if (like) {
    const part = (like[1] ?? '').toLowerCase();
    preds.push((u) => read(u).toLowerCase().includes(part));
  } else {
    const wanted = new Set(raw.split(',').map((v) => v.trim().toLowerCase()));
    preds.push((u) => wanted.has(read(u).toLowerCase()));
  }
}

const SORTABLE: Record<string, (u: LuccaUser) => string | number> = {
  id: (u) => u.id,
  lastname: (u) => u.lastName ?? '',
  firstname: (u) => u.firstName,
  modifiedat: (u) => u.modifiedAt,
  dtcontractstart: (u) => u.dtContractStart,
};

/** `orderBy=field,asc|desc`; default (and tie-break) is id ascending, so paging is stable. */
function sortUsers(users: LuccaUser[], raw: string): void {
  const [field = 'id', direction = 'asc'] = raw.split(',').map((t) => t.trim().toLowerCase());
  const read = SORTABLE[field];
  if (!read || !['asc', 'desc'].includes(direction)) throw badRequest(`orderBy: unsupported "${raw}"`);
  if (field === 'id' && direction === 'asc') return;
  const sign = direction === 'asc' ? 1 : -1;
  users.sort((a, b) => {
    const x = read(a);
    const y = read(b);
    return (x < y ? -sign : x > y ? sign : 0) || a.id - b.id;
  });
}
