/**
 * Lucca's documented payload shapes (developers.lucca.fr legacy reference: expense claims, Pagga
 * fixed and variable items, v4 work contracts), served by a stub Lucca and read through our Lucca
 * client and the Reflect dataset mapping: object-form status, `Z` dates, CHF items with and without
 * fixed pay, a nature shared by French and Swiss establishments, a deleted variable item.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../activities/http/http.js';
import { createLuccaClient } from '../../activities/lucca/client.js';
import { EXPENSE_CLAIM_FIELDS } from '../../activities/lucca/schemas.js';
import { unlimited } from '../../activities/http/rate-limiter.js';
import { mapDataset } from '../../activities/targets/reflect/datasets.js';
import type { StagedRow } from '../../db/queries/staging.js';
import type { Mapped } from '../../activities/targets/reflect/model.js';
import { decideReadPlan } from '../../activities/targets/reflect/read-plan.js';
import { STAGED } from '../../activities/targets/reflect/readers.js';

const FR = { id: 10, name: 'Acme FR', currencyCode: 'EUR', currencySymbol: '€' };
const CH = { id: 20, name: 'Acme CH', currencyCode: 'CHF', currencySymbol: 'CHF' };
const owner = (id: number) => ({ id, firstName: 'A', lastName: 'B', name: 'A B', displayName: 'B A' });
const contract = (workContractId: number, ownerId: number) => ({ workContractId, amendmentId: 0, ownerId, owner: owner(ownerId), startsOn: '2021-01-01', endsOn: null });
const basicSalary = { id: 1, name: 'Basic salary', category: { id: 1, code: 'BASIC_SALARY' }, establishments: [FR, CH] };
const bonus = { id: 2, name: 'Annual bonus', type: 'Amount', category: { id: 2, code: 'BONUS' }, establishments: [FR, CH] };

/** Person 41 works in Zurich (contract 410), person 42 in Paris (420); person 43 in Zurich has a bonus and no fixed pay. */
const BODIES: Record<string, unknown> = {
  '/api/v3/expenseClaims': {
    header: { generated: '2025-01-01T00:00:00', principal: 'key', processId: 1 },
    data: {
      items: [
        { id: 501, name: 'Train', declaredOn: '2024-03-31T22:30:00Z', statusId: { id: 3 }, status: { id: 3, name: 'Approved', code: 'Approved' }, ownerId: 41, currencyId: 'CHF', modifiedOn: '2024-04-01T08:00:00Z' },
        { id: 502, name: 'Hotel', declaredOn: '2024-04-01T00:00:00+02:00', status: { id: 7, name: 'Paid', code: 'Paid' }, ownerId: 42, currencyId: 'EUR' },
      ],
    },
  },
  '/remuneration/api/fixed-items': {
    items: [
      { id: 1, amount: 9000, startsOn: '2021-01-01', endsOn: null, comment: null, natureId: 1, nature: basicSalary, workContractId: 410, workContract: contract(410, 41) },
      { id: 2, amount: 4000, startsOn: '2021-01-01', endsOn: null, comment: null, natureId: 1, nature: basicSalary, workContractId: 420, workContract: contract(420, 42) },
    ],
    next: null, prev: null, count: 2,
  },
  '/remuneration/api/variable-items': {
    items: [
      { id: 7, amount: 1500, natureId: 2, workContractId: 410, amendmentId: 0, comments: null, period: '2024-12-01', nature: bonus, workContract: contract(410, 41), isDeleted: false },
      { id: 8, amount: 800, natureId: 2, workContractId: 430, amendmentId: 0, comments: null, period: '2024-12-01', nature: bonus, workContract: contract(430, 43), isDeleted: false },
      { id: 9, amount: 500, natureId: 2, workContractId: 420, amendmentId: 0, comments: null, period: '2024-11-01', nature: bonus, workContract: contract(420, 42), isDeleted: true },
      { id: 10, amount: 300, natureId: 2, workContractId: 999, amendmentId: 0, comments: null, period: '2024-11-01', nature: bonus, workContract: contract(999, 44), isDeleted: false },
    ],
    next: null, prev: null, count: 4,
  },
  '/directory/api/4.0/work-contracts': {
    items: [410, 420, 430].map((id) => ({
      id, ownerId: id / 10, startsOn: '2021-01-01', endsOn: null, isApplicable: true, establishmentId: id === 420 ? FR.id : CH.id,
      spcId: 1, typeId: 1, hiringTypeId: 3, terminationReasonId: null, trialPeriodDays: null, renewedTrialPeriodDays: null,
      trialPeriodEndDate: null, trialPeriodEndDate2: null, authorId: 1, lastModifierId: 1, createdAt: '2021-01-01T09:00:00.12', lastModifiedAt: '2024-01-10T12:27:02.22',
    })),
    count: 3,
  },
};

let server: Server;
let base = '';
const asked: URL[] = [];
const dispatcher = createDispatcher(4);

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    asked.push(url);
    const body = BODIES[url.pathname];
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await dispatcher.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const lucca = () => createLuccaClient({ baseUrl: base, apiKey: 'k', dispatcher, limiter: unlimited });
const staged = (items: unknown[]): StagedRow[] => items.map((data, i) => ({ sourceId: String(i), data }));
const byId = (mapped: Mapped[]) => new Map(mapped.map((m) => [m.id, m]));

describe('documented Lucca shapes through the client and the Reflect mapping', () => {
  it('expense claims: the status as objects, declaredOn with Z or an offset → the Paris day', async () => {
    const page = await lucca().listExpenseClaims({ offset: 0, fields: EXPENSE_CLAIM_FIELDS });
    expect(asked.at(-1)?.searchParams.get('fields')).toContain('status.id');
    const plan = decideReadPlan({ dataset: 'expenses', now: new Date('2025-01-01T00:00:00Z'), today: '2025-01-01', cursor: undefined, fullReadDays: 7 });
    const mapped = byId(mapDataset('expenses', new Map([[STAGED['expense-claims'], staged(page.items)]]), plan, '2025-01-01').mapped);
    expect(mapped.get('501')).toMatchObject({ kind: 'record', record: { status: 'approved', declared_on: '2024-04-01', currency: 'CHF' } });
    expect(mapped.get('502')).toMatchObject({ kind: 'record', record: { status: 'paid', declared_on: '2024-04-01', currency: 'EUR' } });
  });

  it('pay items: each in its establishment\'s currency, with or without fixed pay; deleted items gone; an unknown contract quarantined', async () => {
    const [fixed, variable, contracts] = await Promise.all([
      lucca().listFixedItems({ page: 1 }), lucca().listVariableItems({ page: 1 }), lucca().listWorkContracts({ page: 1 }),
    ]);
    expect(contracts).toMatchObject({ count: 3, hasNext: false });
    expect(asked.find((u) => u.pathname === '/remuneration/api/variable-items')?.searchParams.has('IncludeDeleted')).toBe(false);
    expect(asked.find((u) => u.pathname === '/directory/api/4.0/work-contracts')?.searchParams.get('fields.root')).toBe('count');
    const plan = decideReadPlan({ dataset: 'compensation', now: new Date('2025-01-01T00:00:00Z'), today: '2025-01-01', cursor: undefined, fullReadDays: 7 });
    const rows = new Map([
      [STAGED['fixed-items'], staged(fixed.items)], [STAGED['variable-items'], staged(variable.items)], [STAGED['work-contracts'], staged(contracts.items)],
    ]);
    const mapped = byId(mapDataset('compensation', rows, plan, '2025-01-01').mapped);
    expect(mapped.get('fixed-1')).toMatchObject({ record: { employee_external_id: '41', currency: 'CHF' } }); // shared nature, Swiss contract
    expect(mapped.get('fixed-2')).toMatchObject({ record: { employee_external_id: '42', currency: 'EUR' } }); // same nature, French contract
    expect(mapped.get('variable-7')).toMatchObject({ record: { employee_external_id: '41', currency: 'CHF' } });
    expect(mapped.get('variable-8')).toMatchObject({ record: { employee_external_id: '43', currency: 'CHF' } }); // no fixed pay at all
    expect(mapped.get('variable-9')).toEqual({ kind: 'gone', id: 'variable-9' });
    expect(mapped.get('variable-10')).toMatchObject({ kind: 'invalid', reasons: [{ code: 'currency_unknown' }] });
  });
});
