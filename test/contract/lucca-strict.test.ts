/**
 * The Lucca simulator is as strict as Lucca, rule by rule. Each test names where the rule comes from:
 * a developers.lucca.fr page, or a file of LuccaSA/RestDrivenDomain (RDD), the framework behind
 * Lucca's v3 APIs (field selection, filters, paging, error bodies, rights before paging).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher, retryAfterMs } from '../../activities/http/http.js';
import { createLuccaClient } from '../../activities/lucca/client.js';
import { EXPENSE_CLAIM_FIELDS, HAPPYPAL_USER_FIELDS, LEAVE_FIELDS, REFLECT_USER_FIELDS } from '../../activities/lucca/schemas.js';
import { unlimited } from '../../activities/http/rate-limiter.js';
import { generateCompany, isFormer, isFuture, type Company } from '../../dev/simulators/data/company.js';
import { FULL_ROLE, luccaGet, type SimResponse } from '../../dev/simulators/lucca/fixtures.js';
import { startLuccaSimulator, type LuccaSimulator } from '../../dev/simulators/lucca/server.js';

let sim: LuccaSimulator;
let company: Company;
let base: string;
const dispatcher = createDispatcher();
const get = (path: string, key = 'full-key') => luccaGet(`${base}${path}`, key);
const LEAVES = '/api/v3/leaves?date=since,2000-01-01&leavePeriod.ownerId=greaterthan,0';
/** The people a key without "See former employees" and "See future employees" may see. */
const NARROW = { ...FULL_ROLE, seeFormer: false, seeFuture: false };

beforeAll(async () => {
  // 4 s: a 10,000-row page answers well within it on a busy machine; the 408 case waits longer.
  sim = await startLuccaSimulator({ rateLimitPerMinute: 0, requestTimeoutMs: 4000 });
  company = generateCompany({ employees: 150, seed: 17 });
  sim.addInstance({
    name: 'acme',
    company,
    keys: [
      { key: 'full-key', role: FULL_ROLE },
      { key: 'narrow-key', role: NARROW },
      { key: 'core-key', role: { seeFormer: true, seeFuture: true, hrFileSections: true } },
    ],
  });
  base = sim.instanceUrl('acme');
});
afterEach(() => {
  sim.faults.clear();
  sim.setRateLimit(0, 'seconds');
});
afterAll(async () => {
  await sim.close();
  await dispatcher.close();
});

/** RDD's error body (CHANGELOG 1.0.10: camelCase status, message, data; no stack trace in production). */
function expectLuccaError(res: SimResponse, status: number, message?: string | RegExp): void {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(Object.keys(res.body).sort()).toEqual(['data', 'message', 'status']);
  expect(res.body.status).toBe(status);
  expect(res.body.data).toEqual({});
  expect(typeof res.body.message).toBe('string');
  if (message !== undefined) expect(res.body.message).toMatch(message instanceof RegExp ? message : new RegExp(`^${message}$`));
}

describe('unknown properties in `fields` (RDD ExpressionHelper/PropertySelector: "Unknown property {0} on type {1}")', () => {
  it('users: an unknown name at the root, dotted or in brackets is a 400 naming it and its type (developers.lucca.fr/api-reference/legacy/directory/user)', async () => {
    expectLuccaError(await get('/api/v3/users?fields=id,bogusField'), 400, 'Unknown property bogusField on type User');
    expectLuccaError(await get('/api/v3/users?fields=id,department.bogus'), 400, 'Unknown property bogus on type Department');
    expectLuccaError(await get('/api/v3/users?fields=id,department[id,Bogus]'), 400, 'Unknown property Bogus on type Department');
    expectLuccaError(await get('/api/v3/users?fields=id,firstName.length'), 400, 'Unknown property length on type User');
    expectLuccaError(await get('/api/v3/users/1?fields=id,bogusField'), 400, 'Unknown property bogusField on type User');
  });

  it('users: documented names pass whatever their case, and so do dynamic dictionaries and axis values', async () => {
    expect((await get('/api/v3/users?fields=ID,FirstName,department.NAME,manager.id,collection.count&paging=0,2')).status).toBe(200);
    expect((await get('/api/v3/users?fields=id,extendedData.e_badge,applicationData,userAxisValues_2.id&paging=0,2')).status).toBe(200);
    expect((await get('/api/v3/users?fields=id,modifiedOn,modifiedAt&paging=0,2')).status).toBe(200);
  });

  it('leaves: the Leave resource has no modifiedAt, and its period and account only their documented properties (timmi-absences/leaves/leave, leave-requests/leave-period)', async () => {
    expectLuccaError(await get(`${LEAVES}&fields=id,modifiedAt`), 400, 'Unknown property modifiedAt on type Leave');
    expectLuccaError(await get(`${LEAVES}&fields=id,leavePeriod.startsOn`), 400, 'Unknown property startsOn on type LeavePeriod');
    expectLuccaError(await get(`${LEAVES}&fields=id,leaveAccount[id,code]`), 400, 'Unknown property code on type LeaveAccount');
    const ok = await get(`${LEAVES}&fields=${LEAVE_FIELDS.join(',')},value,creationDate,cancellationDate,cancellationUserId,comment,leavePeriod[isConfirmed,owner.name]&paging=0,5`);
    expect(ok.status).toBe(200);
    expect(ok.body.data.items.length).toBeGreaterThan(0);
  });

  it('expense claims and leave requests: unknown names are 400s too (cleemy-expenses/expenseclaims/list-expenseclaims, leave-requests/leave-request)', async () => {
    expectLuccaError(await get('/api/v3/expenseClaims?fields=id,amount'), 400, 'Unknown property amount on type ExpenseClaim');
    expectLuccaError(await get('/api/v3/expenseClaims?fields=id,owner.bogus'), 400, 'Unknown property bogus on type User');
    expect((await get(`/api/v3/expenseClaims?fields=${EXPENSE_CLAIM_FIELDS.join(',')},status.code,approvalState.name,currency.id&paging=0,3`)).status).toBe(200);
    expectLuccaError(await get('/api/v3/leaveRequests?fields=id,modifiedAt'), 400, 'Unknown property modifiedAt on type LeaveRequest');
    expect((await get('/api/v3/leaveRequests?fields=id,status,approvals[approverId,approved]&paging=0,3')).status).toBe(200);
  });
});

describe('unknown filter keys (RDD FilterParser: every non-reserved query key is a property path; Reserved.cs lists the others)', () => {
  it('answers 400 for a key that is no property, and accepts reserved keys and the endpoint\'s own parameters', async () => {
    expectLuccaError(await get('/api/v3/users?bogus=1'), 400, 'Unknown property bogus on type User');
    expectLuccaError(await get('/api/v3/users?department.bogus=1'), 400, 'Unknown property bogus on type Department');
    expectLuccaError(await get(`${LEAVES}&modifiedAt=since,2025-01-01T00:00:00`), 400, 'Unknown property modifiedAt on type Leave');
    expectLuccaError(await get('/api/v3/expenseClaims?amount=10'), 400, 'Unknown property amount on type ExpenseClaim');
    expect((await get('/api/v3/users?formerEmployees=true&_=12345&paging=0,1&orderBy=id,asc')).status).toBe(200);
    expect((await get('/api/v3/users?departmentId=1&modifiedAt=since,2020-01-01T00:00:00&dtContractEnd=notequal,null')).status).toBe(200);
    expect((await get(`${LEAVES}&leavePeriod.owner.departmentId=1&leaveAccountId=1&isActive=true`)).status).toBe(200);
    expect((await get('/api/v3/expenseClaims?ownerId=1&owner.id=1&modifiedOn=since,2020-01-01T00:00:00&declaredOn=since,2020-01-01')).status).toBe(200);
  });

  it('takes `between` with exactly two dates (RDD FilterParser: "Correct filter format is \'XXX=between,start,end\'")', async () => {
    expect((await get('/api/v3/leaves?date=between,2025-01-01,2025-01-31&leavePeriod.ownerId=1')).status).toBe(200);
    expectLuccaError(await get('/api/v3/leaves?date=between,2025-01-01&leavePeriod.ownerId=1'), 400);
    expectLuccaError(await get('/api/v3/leaves?date=between,2025-01-01,2025-01-15,2025-01-31&leavePeriod.ownerId=1'), 400);
    expectLuccaError(await get('/api/v3/users?id=between,1,5'), 400);
  });
});

describe('orderby (RDD OrderByParser: "Correct order by format is `orderby=(property,[asc|desc])*`")', () => {
  it('takes property and direction pairs; an unknown property or a missing direction is a 400', async () => {
    expect((await get('/api/v3/users?orderBy=id,asc&paging=0,2')).status).toBe(200);
    expect((await get('/api/v3/expenseClaims?orderby=declaredOn,desc&paging=0,2')).status).toBe(200);
    expectLuccaError(await get('/api/v3/users?orderBy=id'), 400, 'Order by query parameter is invalid');
    expectLuccaError(await get('/api/v3/users?orderBy=id,up'), 400, 'Order by query parameter is invalid');
    expectLuccaError(await get('/api/v3/users?orderBy=bogus,asc'), 400, 'Unknown property bogus on type User');
    expectLuccaError(await get('/api/v3/expenseClaims?orderBy=amount,desc'), 400, 'Unknown property amount on type ExpenseClaim');
  });
});

describe('paging (RDD PagingParser and Page; developers.lucca.fr/api-reference/legacy/directory/list-users: "{offset},{limit}. Defaults to 0,1000")', () => {
  it('answers malformed or out-of-range paging with RDD\'s messages; `paging=1` is the default page', async () => {
    expectLuccaError(await get('/api/v3/users?paging=0,1001'), 400, 'Paging limit should be between 1 and 1000');
    expectLuccaError(await get('/api/v3/users?paging=0,0'), 400, 'Paging limit should be between 1 and 1000');
    expectLuccaError(await get('/api/v3/users?paging=a,10'), 400, 'Offset value a not in correct format');
    expectLuccaError(await get('/api/v3/users?paging=0,b'), 400, 'Limit value b not in correct format');
    expectLuccaError(await get('/api/v3/users?paging=5'), 400, '5 does not respect limit=start,count format');
    expectLuccaError(await get(`${LEAVES}&paging=0,10001`), 400, 'Paging limit should be between 1 and 10000');
    expect((await get('/api/v3/users?paging=1')).status).toBe(200);
  });
});

describe('error bodies in Lucca\'s shape for every error (RDD CHANGELOG 1.0.10 and JsonExceptionAttribute; developers.lucca.fr/documentation/using-api/errors for the codes)', () => {
  it('401 without or with an unknown key (legacy/authentication)', async () => {
    expectLuccaError(await luccaGet(`${base}/api/v3/users`, null), 401);
    expectLuccaError(await get('/api/v3/users', 'nope'), 401);
  });

  it('403 for a module the key\'s role lacks, 404 for an unknown id, route or instance, 405 for another verb', async () => {
    expectLuccaError(await get(LEAVES, 'core-key'), 403);
    expectLuccaError(await get('/api/v3/users/999999'), 404, 'Resource with ID 999999 not found');
    expectLuccaError(await get('/api/v3/nothing-here'), 404);
    expectLuccaError(await luccaGet(`${sim.instanceUrl('nobody')}/api/v3/users`, 'full-key'), 404);
    const post = await fetch(`${base}/api/v3/users`, { method: 'POST', headers: { authorization: 'lucca application=full-key' } });
    const body = await post.json() as Record<string, unknown>;
    expect(post.status).toBe(405);
    expect(body).toEqual({ status: 405, message: expect.any(String), data: {} });
  });

  it('429 (the rate limit and an injected burst), 500 and 408 (injected faults) answer in the same shape', async () => {
    sim.setRateLimit(1);
    expect((await get('/api/v3/users?paging=0,1')).status).toBe(200);
    expectLuccaError(await get('/api/v3/users?paging=0,1'), 429);
    sim.setRateLimit(0);
    sim.faults.set('users', { burst429: 1 });
    expectLuccaError(await get('/api/v3/users?paging=0,1'), 429);
    sim.faults.set('users', { errorRate: 1 });
    expectLuccaError(await get('/api/v3/users?paging=0,1'), 500);
    sim.faults.set('users', { errorRate: 0, latencyMs: 4500 });
    expectLuccaError(await get('/api/v3/users?paging=0,1'), 408);
  });
});

describe('Retry-After in both forms HTTP allows (developers.luccasoftware.com/documentation/limits: 429, "respect Retry-After"; RFC 9110 §10.2.3)', () => {
  const IMF_FIXDATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
  const waitOf = (value: string | null) => retryAfterMs({ 'retry-after': value ?? undefined });

  it('as delay-seconds (the default), from the rate limit and from an injected 429; our client reads it', async () => {
    sim.setRateLimit(1);
    await get('/api/v3/users?paging=0,1');
    const limited = await get('/api/v3/users?paging=0,1');
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(waitOf(limited.headers.get('retry-after'))).toBe(Number(limited.headers.get('retry-after')) * 1000);
    sim.setRateLimit(0);
    sim.faults.set('users', { burst429: 1, retryAfterSeconds: 7 });
    const injected = await get('/api/v3/users?paging=0,1');
    expect(injected.headers.get('retry-after')).toBe('7');
    expect(waitOf('7')).toBe(7000);
  });

  it('as an HTTP date, selected per simulator (rate limit) or per fault; our client reads it as the time until then', async () => {
    sim.setRateLimit(1, 'http-date');
    await get('/api/v3/users?paging=0,1');
    const before = Date.now();
    const limited = await get('/api/v3/users?paging=0,1');
    const limitedAt = limited.headers.get('retry-after') ?? '';
    expect(limitedAt).toMatch(IMF_FIXDATE);
    expect(Date.parse(limitedAt)).toBeGreaterThan(before);
    expect(Date.parse(limitedAt)).toBeLessThanOrEqual(before + 62_000);
    sim.setRateLimit(0);
    sim.faults.set('users', { burst429: 1, retryAfterSeconds: 30, retryAfterAs: 'http-date' });
    const sent = Date.now();
    const injected = (await get('/api/v3/users?paging=0,1')).headers.get('retry-after') ?? '';
    expect(injected).toMatch(IMF_FIXDATE);
    const wait = retryAfterMs({ 'retry-after': injected }, sent);
    expect(wait).toBeGreaterThanOrEqual(30_000);
    expect(wait).toBeLessThanOrEqual(32_000);
  });

  it('the admin API selects the form of the rate limit\'s Retry-After', async () => {
    const res = await fetch(`${sim.url}/_admin/rate-limit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ perMinute: 1, retryAfterAs: 'http-date' }) });
    expect(await res.json()).toEqual({ perMinute: 1, retryAfterAs: 'http-date' });
    await get('/api/v3/users?paging=0,1');
    expect((await get('/api/v3/users?paging=0,1')).headers.get('retry-after')).toMatch(IMF_FIXDATE);
  });
});

describe('dates in the formats Lucca documents', () => {
  it('users: dates as YYYY-MM-DDT00:00:00, modifiedAt with milliseconds and no offset (legacy/directory/list-users sample: "2015-09-07T10:20:06.583")', async () => {
    const { body } = await get('/api/v3/users?formerEmployees=true&fields=id,birthDate,dtContractStart,dtContractEnd,modifiedAt');
    for (const u of body.data.items) {
      for (const field of ['birthDate', 'dtContractStart']) expect(u[field]).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00$/);
      if (u.dtContractEnd !== null) expect(u.dtContractEnd).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00$/);
      expect(u.modifiedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$/);
    }
    expect(body.header.generated).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$/);
  });

  it('leaves: `date` as yyyy-mm-dd, creation and cancellation as date-times without offset (timmi-absences/leaves/leave)', async () => {
    const { body } = await get(`${LEAVES}&fields=id,date,creationDate,cancellationDate&paging=0,500`);
    expect(body.data.items.length).toBeGreaterThan(0);
    for (const l of body.data.items) {
      expect(l.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(l.creationDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$/);
      if (l.cancellationDate !== null) expect(l.cancellationDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$/);
    }
  });
});

describe('leave ids as Lucca writes them ({ownerId}-{yyyyMMdd}-{AM|PM}, one leave per person and half-day: timmi-absences/leaves/leave)', () => {
  it('gives each half-day a string id made of its owner, day and half, with name = id and url = /api/v3/leaves/{id}', async () => {
    const { body } = await get(`${LEAVES}&fields=id,name,url,date,isAm,leavePeriod.ownerId&paging=0,300`);
    expect(body.data.items.length).toBeGreaterThan(0);
    for (const l of body.data.items) {
      expect(l.id).toBe(`${l.leavePeriod.ownerId}-${l.date.replaceAll('-', '')}-${l.isAm ? 'AM' : 'PM'}`);
      expect(l.name).toBe(l.id);
      expect(l.url).toBe(`${base}/api/v3/leaves/${l.id}`);
    }
    expect(new Set(body.data.items.map((l: { id: string }) => l.id)).size).toBe(body.data.items.length);
  });
});

describe('rights filter before paging (RDD ReadOnlyRepository: ApplyRightsAsync, then ApplyPage)', () => {
  const idsOf = (res: SimResponse) => (res.body.data.items as Array<{ id: number | string }>).map((i) => i.id);

  it('users: pages run over the people the key may see, so small pages neither skip nor repeat anyone', async () => {
    const today = company.clock.today();
    const visible = company.users.filter((u) => !isFormer(u, today) && !isFuture(u, today)).map((u) => u.id);
    expect(visible.length).toBeLessThan(company.users.filter((u) => !isFormer(u, today)).length); // the key really sees fewer
    const paged: number[] = [];
    for (let offset = 0; offset < visible.length + 7; offset += 7) {
      paged.push(...(idsOf(await get(`/api/v3/users?formerEmployees=true&fields=id&paging=${offset},7`, 'narrow-key')) as number[]));
    }
    expect(paged).toEqual(visible);
    const counted = await get('/api/v3/users?formerEmployees=true&fields=collection.count', 'narrow-key');
    expect(counted.body.data.count).toBe(visible.length);
  });

  it('leaves: pages are over the visible owners\' half-days, equal to one big page cut in pieces', async () => {
    const whole = idsOf(await get(`${LEAVES}&fields=id&paging=0,10000`, 'narrow-key'));
    const today = company.clock.today();
    const hidden = new Set(company.users.filter((u) => isFormer(u, today) || isFuture(u, today)).map((u) => String(u.id)));
    expect(whole.some((id) => hidden.has(String(id).split('-')[0] ?? ''))).toBe(false);
    const paged: Array<number | string> = [];
    for (let offset = 0; offset < whole.length + 250; offset += 250) {
      paged.push(...idsOf(await get(`${LEAVES}&fields=id&paging=${offset},250`, 'narrow-key')));
    }
    expect(paged).toEqual(whole);
  });
});

describe('the requests our Lucca client sends pass the strict simulator (fields, paging, orderBy, formerEmployees, modifiedAt/modifiedOn, date=between, leavePeriod.ownerId=greaterthan,0)', () => {
  const lucca = () => createLuccaClient({ baseUrl: base, apiKey: 'full-key', dispatcher, limiter: unlimited });

  it('users with the HappyPal and Reflect field lists, incremental or not', async () => {
    const happypal = await lucca().listUsers({ offset: 0, fields: HAPPYPAL_USER_FIELDS, formerEmployees: true });
    expect(happypal.items.length).toBe(happypal.count);
    const reflect = await lucca().listUsers({ offset: 0, fields: REFLECT_USER_FIELDS, formerEmployees: true, modifiedSince: '2000-01-01T00:00:00' });
    expect(reflect.items.length).toBe(happypal.count);
    expect(Object.keys(reflect.items[0] as object)).toEqual(expect.arrayContaining(['department', 'managerId', 'employeeNumber']));
  });

  it('leaves with LEAVE_FIELDS over a date window, and expense claims with EXPENSE_CLAIM_FIELDS', async () => {
    const leaves = await lucca().listLeaves({ offset: 0, fields: LEAVE_FIELDS, from: '2000-01-01', to: '2100-01-01' });
    expect(leaves.items.length).toBeGreaterThan(0);
    expect(Object.keys(leaves.items[0] as object).sort()).toEqual(['date', 'id', 'isActive', 'isAm', 'leaveAccount', 'leaveAccountId', 'leavePeriod', 'leavePeriodId']);
    const claims = await lucca().listExpenseClaims({ offset: 0, fields: EXPENSE_CLAIM_FIELDS, modifiedSince: '2000-01-01T00:00:00' });
    expect(claims.items.length).toBeGreaterThan(0);
  });
});
