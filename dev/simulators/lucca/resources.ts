/**
 * The documented shape of each Lucca v3 resource the simulator serves, as a type graph: Lucca's
 * framework (RestDrivenDomain) resolves every name in `fields` and every filter key against the
 * entity's properties and answers 400 "Unknown property {name} on type {Type}" when one is missing,
 * so the simulator checks requests against these models before it projects anything.
 *
 * A property is a scalar (`true`), another type (its name), or a dictionary whose keys are dynamic
 * (`DICT`: extendedData, applicationData). Names match case-insensitively, as in Lucca.
 *
 * Sources (one per type): the resource pages of developers.lucca.fr, listed next to each type.
 */
import type { FieldTree } from './fields.js';
import { badRequest } from './http-error.js';

const DICT = 'dict';
type Property = true | typeof DICT | TypeName;

export type TypeName =
  | 'User' | 'Reference' | 'Picture' | 'UserWorkCycle' | 'Department' | 'LegalEntity'
  | 'Leave' | 'LeaveAccount' | 'LeavePeriod' | 'LeavePeriodLog'
  | 'LeaveRequest' | 'LeaveRequestApproval' | 'LeaveCancellationRequest'
  | 'ExpenseClaim' | 'CodedReference' | 'AuthorizedActions';

const scalars = (...names: string[]): Record<string, Property> => Object.fromEntries(names.map((n) => [n, true]));

const TYPES: Record<TypeName, Record<string, Property>> = {
  // https://developers.lucca.fr/api-reference/legacy/directory/user and .../directory/list-users (sample item).
  // The sample names the modification date `modifiedOn`, the list's filter `modifiedAt`: both are properties.
  User: {
    ...scalars(
      'id', 'name', 'url', 'displayName', 'firstName', 'lastName', 'login', 'mail', 'birthDate',
      'dtContractStart', 'dtContractEnd', 'seniorityDate', 'employeeNumber', 'jobTitle', 'gender',
      'nationality', 'csp', 'modifiedAt', 'modifiedOn', 'departmentId', 'legalEntityId', 'managerId', 'cultureId',
    ),
    calendar: 'Reference', culture: 'Reference', picture: 'Picture', rolePrincipal: 'Reference', habilitedRoles: 'Reference',
    userWorkCycles: 'UserWorkCycle', department: 'Department', legalEntity: 'LegalEntity', manager: 'User',
    applicationData: DICT, extendedData: DICT,
  },
  Reference: scalars('id', 'name', 'url'),
  Picture: scalars('id', 'name', 'url', 'href'),
  UserWorkCycle: scalars('id', 'ownerId', 'workCycleId', 'startsOn', 'endsOn'),
  // The nested `department` / `legalEntity` of the user sample: {id, name, url}; `code` is a legal unit's.
  Department: scalars('id', 'name', 'url', 'code'),
  LegalEntity: scalars('id', 'name', 'url', 'code'),

  // https://developers.lucca.fr/api-reference/legacy/timmi-absences/leaves/leave: no modification date
  // (the syncing-leaves guide tracks changes through `isActive` and `cancellationDate`).
  Leave: {
    ...scalars('id', 'name', 'url', 'date', 'isAm', 'leaveAccountId', 'leavePeriodId', 'value', 'creationDate', 'isActive', 'cancellationDate', 'cancellationUserId', 'comment'),
    leaveAccount: 'LeaveAccount', leavePeriod: 'LeavePeriod',
  },
  LeaveAccount: scalars('id', 'name', 'url'),
  // https://developers.lucca.fr/api-reference/legacy/timmi-absences/leave-requests/leave-period; `owner`
  // is the user the documented `leavePeriod.owner.departmentId` filter of list-leaves walks through.
  LeavePeriod: {
    ...scalars('id', 'ownerId', 'isConfirmed', 'confirmationDate', 'attachmentId'),
    owner: 'User', leaves: 'Leave', logs: 'LeavePeriodLog',
  },
  LeavePeriodLog: scalars('id', 'date', 'comment', 'status'),
  // https://developers.lucca.fr/api-reference/legacy/timmi-absences/leave-requests/leave-request
  LeaveRequest: {
    ...scalars('id', 'name', 'url', 'leavePeriodId', 'status', 'creationDate', 'nextApproverId', 'isActive', 'cancellationUserId', 'cancellationDate'),
    leavePeriod: 'LeavePeriod', approvals: 'LeaveRequestApproval', cancellationRequests: 'LeaveCancellationRequest',
  },
  LeaveRequestApproval: scalars('id', 'date', 'approverId', 'substitutedApproverId', 'approved', 'comment'),
  LeaveCancellationRequest: scalars('id', 'date', 'authorId', 'comment', 'status'),

  // https://developers.lucca.fr/api-reference/legacy/cleemy-expenses/expenseclaims/list-expenseclaims (sample item)
  ExpenseClaim: {
    ...scalars(
      'id', 'name', 'url', 'declaredOn', 'createdOn', 'modifiedOn', 'paymentReceivedOn', 'sourceId', 'paymentMethodId',
      'statusId', 'approvalStateId', 'ownerId', 'authorId', 'legalEntityId', 'departmentId', 'currencyId',
    ),
    source: 'CodedReference', paymentMethod: 'CodedReference', status: 'CodedReference', approvalState: 'CodedReference',
    authorizedActions: 'AuthorizedActions', owner: 'User', author: 'User', legalEntity: 'LegalEntity',
    department: 'Department', currency: 'Reference',
  },
  CodedReference: scalars('id', 'name', 'code'),
  AuthorizedActions: scalars('isCancellable', 'isEditable', 'isApprovable', 'isControllable', 'isUnControllable'),
};

/** `userAxisValues_{axisId}` (directory/user, "About User Axis Values"): one dynamic property per axis. */
const DYNAMIC: Partial<Record<TypeName, Array<[RegExp, Property]>>> = {
  User: [[/^useraxisvalues_\d+$/, 'Reference']],
};

const lowered = new Map<TypeName, Map<string, Property>>(
  Object.entries(TYPES).map(([name, props]) => [name as TypeName, new Map(Object.entries(props).map(([k, v]) => [k.toLowerCase(), v]))]),
);

function property(type: TypeName, name: string): Property | undefined {
  const lower = name.toLowerCase();
  return lowered.get(type)?.get(lower) ?? DYNAMIC[type]?.find(([pattern]) => pattern.test(lower))?.[1];
}

const unknown = (name: string, type: TypeName) => badRequest(`Unknown property ${name} on type ${type}`);

/** 400 for the first name in a `fields` tree that the type does not have (`spelled` gives the client's spelling). */
export function checkFieldTree(tree: FieldTree, type: TypeName, spelled: ReadonlyMap<string, string> = new Map()): void {
  for (const [name, sub] of tree) {
    const prop = property(type, name);
    if (prop === undefined) throw unknown(spelled.get(name) ?? name, type);
    if (sub === true || prop === DICT) continue;
    // A scalar has no sub-properties: its first requested one is unknown.
    const child = [...sub.keys()][0] ?? '';
    if (prop === true) throw unknown(spelled.get(child) ?? child, type);
    checkFieldTree(sub, prop, spelled);
  }
}

/** 400 unless a dotted path (`leavePeriod.owner.departmentId`) walks through the type's properties. */
export function checkPath(path: string, type: TypeName): void {
  let current: Property = type;
  let owner: TypeName = type;
  for (const part of path.split('.')) {
    if (current === DICT) return;
    if (current === true) throw unknown(part, owner);
    owner = current;
    const next: Property | undefined = property(owner, part.trim());
    if (next === undefined) throw unknown(part.trim(), owner);
    current = next;
  }
}

/** Query keys Lucca's framework reserves for itself (paging, fields, ordering…); every other key is a filter. */
const RESERVED = new Set(['_', 'randomnumber', 'authtoken', 'callback', 'fields', 'groupby', 'httpmethod', 'longtoken', 'metadata', 'notify', 'accept', 'orderby', 'paging', 'template']);

/**
 * Each query key that is neither reserved nor one of the endpoint's own parameters (`actionParams`,
 * e.g. `formerEmployees` on users) is a filter on a property path: an unknown one is a 400.
 */
export function checkFilterKeys(params: URLSearchParams, type: TypeName, actionParams: readonly string[] = []): void {
  const own = new Set(actionParams.map((p) => p.toLowerCase()));
  for (const key of new Set(params.keys())) {
    const lower = key.toLowerCase();
    if (key.trim() === '' || RESERVED.has(lower) || own.has(lower)) continue;
    checkPath(key, type);
  }
}

/**
 * `orderby=(property,asc|desc)*` as RDD's OrderByParser reads it: pairs of a property path of the
 * type and a direction; anything else is a 400. (Which properties an endpoint can sort on is its own.)
 */
export function checkOrderBy(raw: string | undefined, type: TypeName): void {
  if (raw === undefined) return;
  const tokens = raw.split(',').map((t) => t.trim());
  if (tokens.length % 2 !== 0 || tokens.some((t) => t === '')) throw badRequest('Order by query parameter is invalid');
  for (let i = 0; i < tokens.length; i += 2) {
    checkPath(tokens[i] as string, type);
    if (!/^(asc|desc)$/i.test(tokens[i + 1] as string)) throw badRequest('Order by query parameter is invalid');
  }
}

/** Whether every name of a client's field list (dotted paths) exists on the type: the field-list test's check. */
export function unknownFields(fields: readonly string[], type: TypeName): string[] {
  return fields.filter((field) => {
    try {
      checkPath(field, type);
      return false;
    } catch {
      return true;
    }
  });
}
