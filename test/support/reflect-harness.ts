import type { Client, WorkflowHandle } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import type { ReflectDataset } from '../../activities/targets/reflect/schemas.js';
import type { Deps } from '../../activities/index.js';
import { createDb, type DbHandle } from '../../db/client.js';
import { updateConnection, type NewConnection } from '../../db/queries/connections.js';
import { connections } from '../../db/schema.js';
import type { Logger } from '../../lib/logger.js';
import { activityOf } from '../../dev/simulators/data/activity.js';
import type { Company, GenerateCompanyOptions } from '../../dev/simulators/data/company.js';
import { establishmentCurrency } from '../../dev/simulators/data/compensation.js';
import { LEAVE_ACCOUNTS, type Leave } from '../../dev/simulators/data/types.js';
import { FULL_ROLE, startDemoLucca, type DemoLucca } from '../../dev/simulators/lucca/fixtures.js';
import { startReflectSimulator, type ReflectSimulator } from '../../dev/simulators/reflect/server.js';
import type { SyncInput, SyncSummary } from '../../workflows/contracts.js';
import { createHarnessCore } from './harness-core.js';
import { connectToTestServer, uniqueTaskQueue } from './temporal.js';
import { testDatabaseUrl } from './database.js';

/** A Lucca key whose role has everything Reflect needs. */
export const REFLECT_LUCCA_KEY = 'reflect-lucca-key';
/** A Lucca key whose role lacks Pagga's "Consult individual situations" (remuneration → 403). */
export const NO_PAGGA_LUCCA_KEY = 'reflect-no-pagga-key';

export interface ReflectHarness {
  db: DbHandle;
  client: Client;
  taskQueue: string;
  lucca: DemoLucca;
  reflect: ReflectSimulator;
  deps: Deps;
  company(): Company;
  /** A Reflect connection, activated (as the operator would) unless `active: false`. */
  addConnection(overrides?: Partial<NewConnection> & { active?: boolean; fullReadDays?: number | null }): Promise<{ id: string; name: string }>;
  sync(connectionId: string, input?: Partial<SyncInput>): Promise<SyncSummary>;
  start(connectionId: string, input?: Partial<SyncInput>): Promise<WorkflowHandle>;
  withWorker<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Like sync-harness.ts, for Reflect: real Temporal and Postgres, a Lucca simulator with a full key
 * and a key without Pagga rights, and a Reflect simulator. The sync's clock is the Lucca model's
 * clock (`deps.now`, `deps.today`), so incremental reads see the simulator's modification stamps.
 */
export async function createReflectHarness(
  options: { company?: GenerateCompanyOptions; luccaRateLimit?: number; logger?: Logger } = {},
): Promise<ReflectHarness> {
  const temporal = await connectToTestServer();
  const db = createDb(testDatabaseUrl(), { max: 10 });
  const lucca = await startDemoLucca({
    company: options.company ?? { employees: 40, seed: 3 },
    rateLimitPerMinute: options.luccaRateLimit ?? 0,
    apiKey: REFLECT_LUCCA_KEY,
    keys: [
      { key: REFLECT_LUCCA_KEY, name: 'reflect', role: FULL_ROLE },
      { key: NO_PAGGA_LUCCA_KEY, name: 'reflect-no-pagga', role: { ...FULL_ROLE, pagga: false } },
    ],
  });
  const reflect = await startReflectSimulator({ rateLimitPerMinute: 0 });
  // The connections' Lucca key is lucca.apiKey, i.e. REFLECT_LUCCA_KEY.
  const core = createHarnessCore({
    db, temporal, lucca, target: reflect, targetKind: 'reflect', taskQueue: uniqueTaskQueue('reflect'),
    workflowIdPrefix: 'test-reflect', namePrefix: 'reflect', modelNow: true, logger: options.logger,
  });
  const { deps, taskQueue, start, withWorker, sync, close } = core;

  return {
    db, client: temporal.client, taskQueue, lucca, reflect, deps, company: () => lucca.sim.company('demo'), start, withWorker, sync, close,
    async addConnection({ active = true, fullReadDays, ...overrides } = {}) {
      const row = await core.addConnection(overrides);
      if (active) await updateConnection(db.db, row.id, { active: true });
      if (fullReadDays !== undefined) await db.db.update(connections).set({ fullReadDays }).where(eq(connections.id, row.id));
      return row;
    },
  };
}

/** Requests Reflect answered on one endpoint (every status). */
export function reflectRequests(reflect: ReflectSimulator, endpoint: 'batchUpsert' | 'batchDelete' | 'listRecords'): number {
  return Object.values(reflect.state.dump().requestCounts[endpoint] ?? {}).reduce((a, b) => a + b, 0);
}

/** A dataset as Reflect stores it, by external id, without the server's timestamps. */
export function reflectRecords(reflect: ReflectSimulator, dataset: ReflectDataset): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const { created_at: _c, updated_at: _u, ...record } of reflect.state.records(dataset)) out.set(String(record.external_id), record);
  return out;
}

const STATUS: Record<number, string> = {
  1: 'created', 2: 'partially_approved', 3: 'approved', 4: 'controlled', 5: 'approved_and_controlled',
  6: 'payment_initiated', 7: 'paid', 8: 'refused', 9: 'cancelled',
};

export interface ExpectedReflect {
  employees: Map<string, Record<string, unknown>>;
  compensation: Map<string, Record<string, unknown>>;
  absences: Map<string, Record<string, unknown>>;
  expenses: Map<string, Record<string, unknown>>;
}

/**
 * What Reflect should hold after a full sync, computed from the Lucca simulator's company model
 * (never from our database or the API answers): valid employees (former ones included), every pay
 * item not deleted, one absence per leave period and account whose half-days all lie in
 * [absencesFrom, absencesTo], every expense claim.
 */
export function expectedReflect(company: Company, absencesFrom: string, absencesTo: string): ExpectedReflect {
  const invalid = new Set(company.invalidUserIds.map((r) => r.userId));
  const departments = new Map(company.departments.map((d) => [d.id, d.name]));
  const employees = new Map<string, Record<string, unknown>>();
  const absences = new Map<string, Record<string, unknown>>();
  const expenses = new Map<string, Record<string, unknown>>();
  for (const u of company.users) {
    if (!invalid.has(u.id)) {
      employees.set(String(u.id), {
        external_id: String(u.id), first_name: u.firstName, last_name: u.lastName, email: u.mail.toLowerCase(),
        birth_date: u.birthDate, contract_start: u.dtContractStart, contract_end: u.dtContractEnd,
        department: departments.get(u.departmentId) ?? null,
        manager_external_id: u.managerId === null || u.managerId === u.id ? null : String(u.managerId),
        employee_number: u.employeeNumber,
      });
    }
    const activity = activityOf(company, u.id);
    const periods = new Map<string, Leave[]>();
    for (const leave of activity?.leaves ?? []) {
      const key = `${leave.leavePeriodId}-${leave.leaveAccountId}`;
      periods.set(key, [...(periods.get(key) ?? []), leave]);
    }
    for (const [id, rows] of periods) {
      if (rows.some((r) => r.date < absencesFrom || r.date > absencesTo)) continue;
      const active = rows.filter((r) => r.isActive).sort((a, b) => a.date.localeCompare(b.date) || Number(b.isAm) - Number(a.isAm));
      const first = active[0];
      const last = active.at(-1);
      if (!first || !last) continue;
      absences.set(id, {
        external_id: id, employee_external_id: String(u.id),
        type: LEAVE_ACCOUNTS.find((a) => a.id === first.leaveAccountId)?.name,
        starts_on: first.date, ends_on: last.date, start_half: first.isAm ? 'am' : 'pm', end_half: last.isAm ? 'am' : 'pm',
        days: active.length / 2,
      });
    }
    for (const claim of activity?.expenseClaims ?? []) {
      expenses.set(String(claim.id), {
        external_id: String(claim.id), employee_external_id: String(u.id), name: claim.name, declared_on: claim.declaredOn,
        status: STATUS[claim.statusId], currency: claim.currencyId, amount: null,
      });
    }
  }
  const compensation = new Map<string, Record<string, unknown>>();
  // Each person's pay is in the currency of their establishment (their legal entity's, in the model).
  const entities = new Map(company.legalEntities.map((l) => [l.id, l]));
  const currencyOf = (ownerId: number) => {
    const entity = entities.get(company.byId.get(ownerId)?.legalEntityId ?? -1);
    return entity ? establishmentCurrency(entity).currencyCode : 'unknown';
  };
  for (const item of company.fixedItems) {
    compensation.set(`fixed-${item.id}`, {
      external_id: `fixed-${item.id}`, employee_external_id: String(item.ownerId), kind: 'fixed', category: 'BASIC_SALARY',
      amount: item.amount, currency: currencyOf(item.ownerId), starts_on: item.startsOn, ends_on: item.endsOn, period: null,
    });
  }
  for (const item of company.variableItems) {
    if (item.isDeleted) continue;
    compensation.set(`variable-${item.id}`, {
      external_id: `variable-${item.id}`, employee_external_id: String(item.ownerId), kind: 'variable', category: 'BONUS',
      amount: item.amount, currency: currencyOf(item.ownerId), starts_on: null, ends_on: null, period: item.period,
    });
  }
  return { employees, compensation, absences, expenses };
}
