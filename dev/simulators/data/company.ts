import { createRng, pick, type Rng } from '../shared/rng.js';
import { Clock } from './clock.js';
import { generateCompensation } from './compensation.js';
import { GenerateCompanyOptionsSchema, MUTATION_ID_BASE, type Company, type GenerateCompanyOptions } from './company-model.js';
import { addDays, DAY_MS, dateToMs, msToDate } from './dates.js';
import { uniqueMail } from './identity.js';
import { markInvalid } from './invalid.js';
import {
  COMPANIES, FEMALE_FIRST_NAMES, JOB_TITLES, LAST_NAMES, MALE_FIRST_NAMES, SECOND_LAST_NAMES,
} from './names.js';
import { makeDepartments, makeLegalEntities } from './org.js';
import { intBetween, weighted } from './random.js';
import type { LuccaUser } from './types.js';

export * from './company-model.js';

/** Builds one deterministic Lucca tenant: same (employees, seed, options) → identical model. */
export function generateCompany(input: GenerateCompanyOptions): Company {
  const opts = GenerateCompanyOptionsSchema.parse(input);
  const rng = createRng(opts.seed);
  const brand = opts.company ?? pick(rng, COMPANIES);
  const company: Company = {
    name: brand.name,
    domain: brand.domain,
    seed: opts.seed,
    asOf: opts.asOf,
    clock: new Clock(`${opts.asOf}T08:00:00Z`),
    withActivity: opts.withActivity,
    users: [],
    byId: new Map(),
    departments: makeDepartments(opts.employees),
    legalEntities: makeLegalEntities(opts.employees, brand.name),
    invalidUserIds: [],
    removedUserIds: [],
    fixedItems: [],
    variableItems: [],
    activity: new Map(),
    next: {
      userId: opts.startId + opts.employees,
      fixedItemId: 1,
      variableItemId: 1,
      leavePeriodId: MUTATION_ID_BASE,
      expenseClaimId: MUTATION_ID_BASE,
      employeeNumber: new Map(),
    },
    usedMails: new Set(),
  };
  for (let i = 0; i < opts.employees; i++) {
    const user = makeUser(company, rng, opts.startId + i);
    company.users.push(user);
    company.byId.set(user.id, user);
  }
  assignManagers(company);
  markInvalid(company, rng, opts.invalidShare);
  for (const user of company.users) generateCompensation(company, user);
  return company;
}

export function nextEmployeeNumber(company: Company, legalEntityId: number): string {
  const n = (company.next.employeeNumber.get(legalEntityId) ?? 0) + 1;
  company.next.employeeNumber.set(legalEntityId, n);
  return String(n).padStart(5, '0');
}

function makeUser(company: Company, rng: Rng, id: number): LuccaUser {
  const gender = rng() < 0.5 ? 'female' : 'male';
  const firstName = pick(rng, gender === 'female' ? FEMALE_FIRST_NAMES : MALE_FIRST_NAMES);
  let lastName = pick(rng, LAST_NAMES);
  if (rng() < 0.08) lastName = `${lastName}-${pick(rng, SECOND_LAST_NAMES)}`;
  if (rng() < 0.05) lastName = lastName.toUpperCase();
  const birthDate = msToDate(Date.UTC(1960, 0, 1) + Math.floor(rng() * (Date.UTC(2004, 11, 31) - Date.UTC(1960, 0, 1))));
  const { start, end } = contractDates(rng, company.asOf, birthDate);
  const department = pick(rng, company.departments);
  const legalEntity = pick(rng, company.legalEntities);
  const mail = uniqueMail(company, firstName, lastName);
  const modifiedFloor = Math.max(dateToMs(start < company.asOf ? start : company.asOf) - 30 * DAY_MS, dateToMs(company.asOf) - 730 * DAY_MS);
  const modifiedAt = modifiedFloor + Math.floor(rng() * (dateToMs(company.asOf) - modifiedFloor));
  return {
    id,
    firstName,
    lastName,
    mail,
    login: mail.split('@')[0]?.toLowerCase() ?? String(id),
    gender,
    birthDate,
    dtContractStart: start,
    dtContractEnd: end,
    departmentId: department.id,
    legalEntityId: legalEntity.id,
    managerId: null,
    employeeNumber: nextEmployeeNumber(company, legalEntity.id),
    jobTitle: pick(rng, JOB_TITLES),
    modifiedAt,
  };
}

/** About 83 % active, 12 % former, 3 % working their notice (end in the future), 2 % future starts. */
function contractDates(rng: Rng, asOf: string, birthDate: string): { start: string; end: string | null } {
  const kind = weighted(rng, [['active', 83], ['former', 12], ['notice', 3], ['future', 2]] as const);
  if (kind === 'future') return { start: addDays(asOf, intBetween(rng, 1, 60)), end: null };
  const adult = addDays(birthDate, 18 * 366);
  const earliest = adult > '2000-01-03' ? adult : '2000-01-03';
  const latest = addDays(asOf, kind === 'former' ? -60 : -1);
  const span = Math.max(0, Math.round((dateToMs(latest) - dateToMs(earliest)) / DAY_MS));
  const start = addDays(earliest, Math.floor(rng() * (span + 1)));
  if (kind === 'active') return { start, end: null };
  if (kind === 'notice') return { start, end: addDays(asOf, intBetween(rng, 1, 90)) };
  const endSpan = Math.max(30, Math.round((dateToMs(asOf) - dateToMs(start)) / DAY_MS) - 1);
  const end = addDays(start, intBetween(rng, 30, endSpan));
  return { start, end: end < asOf ? end : addDays(asOf, -1) };
}

/**
 * A small hierarchy: the first user runs the company; in each department the first member reports
 * to them, every eighth member is a team lead reporting to the head, the rest report to the last lead.
 */
function assignManagers(company: Company): void {
  const ceo = company.users[0];
  if (!ceo) return;
  const members = new Map<number, LuccaUser[]>();
  for (const user of company.users) {
    if (user === ceo) continue;
    const list = members.get(user.departmentId) ?? [];
    list.push(user);
    members.set(user.departmentId, list);
  }
  for (const list of members.values()) {
    const head = list[0];
    if (!head) continue;
    head.managerId = ceo.id;
    let lead = head;
    for (let i = 1; i < list.length; i++) {
      const user = list[i] as LuccaUser;
      if (i % 8 === 1) {
        user.managerId = head.id;
        lead = user;
      } else user.managerId = lead.id;
    }
  }
}
