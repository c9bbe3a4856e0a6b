/**
 * Test-data builders for the HappyPal planner (activities/targets/happypal/plan-records.ts). Defaults describe one
 * consistent, valid, current employee; every builder takes overrides. Pure: no I/O, no clock.
 */
import { HappyPalUserSchema, type HappyPalUser } from '../../../activities/targets/happypal/schemas.js';
import type { PlanInput } from '../../../activities/targets/happypal/plan-records.js';
import { apiFields, type Person } from '../../../rules/person.js';

export const TODAY = '2025-06-15';

/** A raw Lucca v3 user item, as the API returns it (dates as local midnight date-times). */
export interface LuccaUserItem {
  id: number;
  firstName: string | null;
  lastName: string | null;
  mail: string | null;
  birthDate: string | null;
  dtContractStart: string | null;
  dtContractEnd: string | null;
  modifiedAt: string;
}

/** A Lucca date-time (`YYYY-MM-DDT00:00:00`) for a day, null kept. */
export function luccaDateTime(day: string | null): string | null {
  return day === null ? null : `${day}T00:00:00`;
}

export function aLuccaUser(overrides: Partial<LuccaUserItem> = {}): LuccaUserItem {
  const id = overrides.id ?? 12;
  return {
    id,
    firstName: 'Alice',
    lastName: 'Martin',
    mail: `employee.${id}@acme.example`,
    birthDate: '1990-01-02T00:00:00',
    dtContractStart: '2020-01-01T00:00:00',
    dtContractEnd: null,
    modifiedAt: '2025-01-01T10:00:00.000',
    ...overrides,
  };
}

/** The plan input's `{ sourceId, data }` for a Lucca item. */
export function aSource(user: LuccaUserItem): PlanInput['sources'][number] {
  return { sourceId: String(user.id), data: user };
}

/** A raw source entry with arbitrary data (malformed records). */
export function aRawSource(sourceId: string, data: unknown): PlanInput['sources'][number] {
  return { sourceId, data };
}

/**
 * The canonical person of a (valid) Lucca item, written independently of the code under test:
 * names and email as given (the defaults are already normalised), dates cut to `YYYY-MM-DD`.
 */
export function personOf(user: LuccaUserItem): Person {
  const day = (s: string | null) => (s === null ? null : s.slice(0, 10));
  return {
    firstName: user.firstName ?? '',
    lastName: user.lastName ?? '',
    email: (user.mail ?? '').trim().toLowerCase(),
    birthDate: day(user.birthDate),
    contractStart: day(user.dtContractStart),
    contractEnd: day(user.dtContractEnd),
  };
}

/** A HappyPal profile (validated against HappyPalUserSchema, so it is always a realistic one). */
export function aHappyPalUser(overrides: Partial<HappyPalUser> = {}): HappyPalUser {
  return HappyPalUserSchema.parse({
    id: 'hp_usr_1',
    external_id: null,
    first_name: 'Alice',
    last_name: 'Martin',
    email: 'employee.12@acme.example',
    birth_date: '1990-01-02',
    contract_start: '2020-01-01',
    contract_end: null,
    status: 'active',
    created_at: '2025-01-01T10:00:00.000Z',
    updated_at: '2025-01-01T10:00:00.000Z',
    updated_by: 'api',
    ...overrides,
  });
}

/** The HappyPal profile that mirrors a Lucca item exactly (what our last write left there). */
export function profileFor(user: LuccaUserItem, overrides: Partial<HappyPalUser> = {}): HappyPalUser {
  const p = personOf(user);
  return aHappyPalUser({
    id: `hp_usr_${user.id}`,
    external_id: String(user.id),
    ...apiFields(p),
    ...overrides,
  });
}

export type Snapshot = PlanInput['snapshots'][number];

export function aSnapshot(sourceId: string, fields: Partial<Person> | Person, overrides: Partial<Snapshot> = {}): Snapshot {
  return { sourceId, fields: { ...fields }, kept: {}, targetStatus: 'active', ...overrides };
}

/**
 * One employee already in sync: the Lucca item, its profile, the link and the snapshot (base).
 * `lucca` and `profile` override either side independently, `base` the snapshot's fields.
 */
export interface SyncedEmployee {
  user: LuccaUserItem;
  source: PlanInput['sources'][number];
  target: HappyPalUser;
  link: PlanInput['links'][number];
  snapshot: Snapshot;
}

export function aSyncedEmployee(
  id: number,
  opts: { lucca?: Partial<LuccaUserItem>; profile?: Partial<HappyPalUser>; base?: Partial<Person>; kept?: Snapshot['kept'] } = {},
): SyncedEmployee {
  const original = aLuccaUser({ id });
  const user = aLuccaUser({ id, ...opts.lucca });
  const target = profileFor(original, opts.profile);
  const sourceId = String(id);
  return {
    user,
    source: aSource(user),
    target,
    link: { sourceId, targetId: target.id },
    snapshot: aSnapshot(sourceId, { ...personOf(original), ...opts.base }, {
      kept: opts.kept ?? {},
      targetStatus: target.status,
    }),
  };
}

/** Spreads synced employees into the plan input's parallel arrays. */
export function withEmployees(employees: SyncedEmployee[]): Pick<PlanInput, 'sources' | 'targets' | 'links' | 'snapshots'> {
  return {
    sources: employees.map((e) => e.source),
    targets: employees.map((e) => e.target),
    links: employees.map((e) => e.link),
    snapshots: employees.map((e) => e.snapshot),
  };
}

export function aPlanInput(overrides: Partial<PlanInput> = {}): PlanInput {
  return {
    connectionId: 'conn_test',
    today: TODAY,
    sources: [],
    targets: [],
    links: [],
    snapshots: [],
    openConflicts: [],
    defaultPolicy: 'lucca-wins',
    fieldPolicies: {},
    guardPct: 10,
    confirmDeactivations: false,
    ...overrides,
  };
}
