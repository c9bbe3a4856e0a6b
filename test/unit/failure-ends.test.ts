import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivityFailure, ApplicationFailure, RetryState, TimeoutFailure, TimeoutType } from '@temporalio/common';
import { luccaErrorMessage, jsonShape, textExcerpt } from '../../activities/http/answers.js';
import { runsTable } from '../../client/runs-view.js';
import type { RunRow } from '../../db/queries/runs.js';
import { createHappyPalClient } from '../../activities/targets/happypal/client.js';
import { createDispatcher, MALFORMED_ATTEMPTS } from '../../activities/http/http.js';
import { createLuccaClient } from '../../activities/lucca/client.js';
import { unlimited } from '../../activities/http/rate-limiter.js';
import { createReflectClient } from '../../activities/targets/reflect/client.js';
import { SyncError, toApplicationFailure, withFailureMapping } from '../../activities/errors.js';
import { DEFAULT_RUN_BUDGET_MS, RUN_BUDGET_MS, runPolicies } from '../../workflows/policies.js';
import { failureMessage, failureType } from '../../workflows/run-activities.js';

/**
 * Every failure class has an end (docs/design.md §4): documented and hostile answers go through the real
 * clients over HTTP; each ends in a page or a SyncError whose retry rule and attempt budget are its
 * own, and whose message names the endpoint, status and content type, never a value from the body.
 */
const KEY = 'LUCCA-KEY-secret-0001';
const PII = ['jean', 'dupont', 'acme.fr', '0612345678', '1984-03-12', KEY, 'zorglub'];

let server: Server;
let base = '';
let answer: (res: ServerResponse) => void = () => undefined;
const dispatcher = createDispatcher(4);

beforeAll(async () => {
  server = createServer((_req, res) => answer(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await dispatcher.close();
  await new Promise((resolve) => server.close(resolve));
});

const reply = (status: number, contentType: string | null, body: string | Buffer) => {
  answer = (res) => {
    res.writeHead(status, contentType ? { 'content-type': contentType } : {});
    res.end(body);
  };
};
const lucca = () => createLuccaClient({ baseUrl: base, apiKey: KEY, dispatcher, limiter: unlimited });
/** A users page asked with a modification filter: the query must never reach a message. */
const listUsers = () => lucca().listUsers({ offset: 0, fields: ['id', 'firstName'], modifiedSince: 'zorglub' });
const failureOf = async (p: Promise<unknown>): Promise<SyncError> => {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(SyncError);
  return err as SyncError;
};
const expectNoPii = (message: string) => {
  for (const value of PII) expect(message.toLowerCase()).not.toContain(value.toLowerCase());
  expect(message).not.toContain('?');
  expect(message).not.toContain(base);
};
const page = (items: unknown[], header: unknown = { generated: '2026-01-01T00:00:00' }) =>
  JSON.stringify({ header, data: { items, count: items.length } });
const person = { id: 7, firstName: 'Jean', lastName: 'Dupont', mail: 'jean.dupont@acme.fr' };

describe('malformed answers from Lucca: a few attempts, then a clear message with no personal data', () => {
  it('an HTML login page with status 200: its title, digits and emails masked', async () => {
    reply(200, 'text/html; charset=utf-8', `<!DOCTYPE html><html><head><title>Connexion SSO 2026 – jean.dupont@acme.fr</title></head>
      <body><p>Bonjour Jean Dupont, 0612345678</p></body></html>`);
    const err = await failureOf(listUsers());
    expect(err).toMatchObject({ code: 'lucca_not_json', retryable: true, maxAttempts: MALFORMED_ATTEMPTS });
    expect(err.message).toContain("Lucca's answer to GET /api/v3/users is not what its API sends (200, text/html): page title \"Connexion SSO #### – <email>\"");
    expect(err.message).toContain("Check the connection's Lucca URL");
    expectNoPii(err.message);
  });

  it('an HTML page without a title: its first words, masked', async () => {
    reply(200, 'text/html', '<html><body><h1>Access denied</h1><p>Request 88812345 from jean@acme.fr blocked</p></body></html>');
    const err = await failureOf(listUsers());
    expect(err.message).toContain('page text "Access denied Request ######## from <email> blocked"');
    expectNoPii(err.message);
  });

  it('text/plain: a non-JSON content type, with its first words masked', async () => {
    reply(200, 'text/plain', 'Maintenance until 14:00, call Jean Dupont on 0612345678');
    const err = await failureOf(listUsers());
    expect(err).toMatchObject({ code: 'lucca_not_json', maxAttempts: MALFORMED_ATTEMPTS });
    // A few words, 40 characters at most: whatever follows never reaches the message.
    expect(err.message).toContain('(200, text/plain): starts "Maintenance until ##:##, call Jean Dupo…"');
    expect(err.message).not.toContain('0612345678');
  });

  it('a changed envelope ({"data": [...]}): only its shape is told', async () => {
    reply(200, 'application/json', JSON.stringify({ data: [person] }));
    const err = await failureOf(listUsers());
    expect(err).toMatchObject({ code: 'lucca_bad_envelope', retryable: true, maxAttempts: MALFORMED_ATTEMPTS });
    expect(err.message).toContain('(200, application/json): expected the {header, data: {items}} envelope, got top-level keys: data.');
    expectNoPii(err.message);
  });

  it('a byte-order mark before valid JSON is dropped and the page is read', async () => {
    reply(200, 'application/json; charset=utf-8', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(page([person]))]));
    expect(await listUsers()).toEqual({ items: [person], count: 1 });
  });

  it('a byte-order mark before garbage is not valid JSON: malformed', async () => {
    reply(200, 'application/json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('jean.dupont@acme.fr;1984-03-12;x')]));
    const err = await failureOf(listUsers());
    expect(err).toMatchObject({ code: 'lucca_bad_json', retryable: true, maxAttempts: MALFORMED_ATTEMPTS });
    expect(err.message).toContain('not valid JSON, starts "<email>;####-##-##;x"');
    expectNoPii(err.message);
  });

  it('a header that is null (or odd) is ignored when the data is fine', async () => {
    reply(200, 'application/json', page([person], null));
    expect(await listUsers()).toEqual({ items: [person], count: 1 });
    reply(200, 'application/json', page([person], 'not a header'));
    expect(await listUsers()).toEqual({ items: [person], count: 1 });
  });

  it('a body cut in the middle is a transport fault: retried until the run deadline, no attempt budget', async () => {
    reply(200, 'application/json', page([person]).slice(0, 40));
    const err = await failureOf(listUsers());
    expect(err).toMatchObject({ code: 'lucca_body_lost', retryable: true, maxAttempts: undefined });
  });

  it('an empty 200 is told as such', async () => {
    reply(200, 'application/json', '');
    const err = await failureOf(listUsers());
    expect(err.message).toContain('got an empty body');
  });
});

describe("Lucca's own error message is kept; a 400 is not retried", () => {
  it('the legacy v3 body: the exception message as raw text, under application/json (RestDrivenDomain)', async () => {
    reply(400, 'application/json', 'Selected property birthDat does not exist on objet of type User');
    const err = await failureOf(listUsers());
    expect(err).toMatchObject({ code: 'lucca_bad_request', retryable: false });
    expect(err.message).toBe(
      'Lucca refused the request to /api/v3/users (400). Lucca says: "Selected property birthDat does not exist on objet of type User" ' +
        'The connector asked for something this Lucca instance does not accept: report this message to the connector maintainers; retrying cannot help.',
    );
  });

  it('problem details (application/problem+json): title and each field, values masked', async () => {
    reply(400, 'application/problem+json', JSON.stringify({
      type: 'https://tools.ietf.org/html/rfc7231#section-6.5.1', title: 'One or more validation errors occurred.', status: 400,
      errors: { Id: ['The id field is required.'], Date: ['Error converting value "1984-03-12" to type DateTime.'] },
    }));
    const err = await failureOf(listUsers());
    expect(err.message).toContain('Lucca says: "One or more validation errors occurred. — Id: The id field is required.; Date: Error converting value "…" to type DateTime."');
    expectNoPii(err.message);
  });

  it("ASP.NET's {Message}, with a value in it: masked, capped", async () => {
    reply(400, 'application/json', JSON.stringify({ Message: `Unknown filter mail=jean.dupont@acme.fr ${'x'.repeat(500)}` }));
    const err = await failureOf(listUsers());
    expect(err.message).toContain('Lucca says: "Unknown filter mail=<email> xxx');
    expect(err.message.length).toBeLessThan(450);
    expectNoPii(err.message);
  });

  it('another 4xx keeps its message too and is not retried; an HTML error page gives none', async () => {
    reply(405, 'application/json', JSON.stringify({ Message: 'The requested resource does not support http method GET.' }));
    expect(await failureOf(listUsers())).toMatchObject({
      code: 'lucca_unexpected_status', retryable: false,
      message: 'Lucca answered 405 on /api/v3/users. Lucca says: "The requested resource does not support http method GET."',
    });
    reply(400, 'text/html', '<html><title>Bad Request jean@acme.fr</title></html>');
    expect((await failureOf(listUsers())).message).toContain('(400). Lucca gave no reason.');
  });

  it('the documented shapes, directly', () => {
    expect(luccaErrorMessage('Paging limit should be between 1 and 1000', undefined)).toBe('Paging limit should be between 1 and 1000');
    expect(luccaErrorMessage(undefined, 'Query parameter is invalid')).toBe('Query parameter is invalid');
    expect(luccaErrorMessage({ detail: 'Unknown field birthDat', title: 'Bad Request' }, undefined)).toBe('Unknown field birthDat');
    expect(luccaErrorMessage({}, '{}')).toBeNull();
    expect(luccaErrorMessage(undefined, '<html>…</html>')).toBeNull();
    expect(jsonShape([1, 2])).toBe('a top-level array of 2 items');
    expect(jsonShape({ 'jean.dupont@acme.fr': 1 })).toBe('top-level keys: <email>');
    expect(textExcerpt('')).toBe('an empty body');
  });
});

describe('HappyPal and Reflect answers follow the same rule', () => {
  it('HappyPal: an HTML page on the users list, and a changed envelope, fail after a few attempts', async () => {
    const happypal = createHappyPalClient({ baseUrl: base, apiKey: 'hp-key-0001', dispatcher });
    reply(200, 'text/html', '<html><title>Zscaler: jean@acme.fr</title></html>');
    const html = await failureOf(happypal.listUsers(1, 100));
    expect(html).toMatchObject({ code: 'happypal_not_json', retryable: true, maxAttempts: MALFORMED_ATTEMPTS });
    expect(html.message).toContain("HappyPal's answer to GET /v1/users is not what its API sends (200, text/html): page title \"Zscaler: <email>\"");
    expect(html.message).toContain("Check the connection's target URL");
    reply(200, 'application/json', JSON.stringify({ users: [person] }));
    const shape = await failureOf(happypal.listUsers(1, 100));
    expect(shape).toMatchObject({ code: 'happypal_bad_response', maxAttempts: MALFORMED_ATTEMPTS });
    expect(shape.message).toContain('expected a users page, got top-level keys: users');
    expectNoPii(shape.message);
  });

  it('Reflect: a records page with another shape fails after a few attempts; a refused key ends at once', async () => {
    const reflect = createReflectClient({ baseUrl: base, apiKey: 'rf-key-0001', dispatcher });
    reply(200, 'application/json', JSON.stringify({ data: [person] }));
    const shape = await failureOf(reflect.listRecords('employees', 1, 100));
    expect(shape).toMatchObject({ code: 'reflect_bad_response', retryable: true, maxAttempts: MALFORMED_ATTEMPTS });
    expect(shape.message).toContain("Reflect's answer to GET /v1/datasets/employees/records is not what its API sends (200, application/json)");
    expectNoPii(shape.message);
    reply(401, 'application/json', '{}');
    expect(await failureOf(reflect.listRecords('employees', 1, 100))).toMatchObject({ code: 'reflect_unauthorized', retryable: false });
  });
});

describe('one source of truth for retryability: the error itself', () => {
  const failure = (err: SyncError, attempt: number) => toApplicationFailure(err, attempt) as ApplicationFailure;

  it('a malformed answer is retried until its attempt budget, then ends, saying so', () => {
    const err = new SyncError('lucca_not_json', 'Lucca sent a page.', true, undefined, undefined, 3);
    expect(failure(err, 1).nonRetryable).toBe(false);
    expect(failure(err, 2).nonRetryable).toBe(false);
    expect(failure(err, 3)).toMatchObject({ nonRetryable: true, type: 'lucca_not_json', message: 'Lucca sent a page. (Gave up after 3 attempts.)' });
  });

  it('a transient fault has no attempt budget (the run deadline ends it); Retry-After is kept', () => {
    const err = new SyncError('lucca_rate_limited', 'slow down', true, 5000);
    expect(failure(err, 250)).toMatchObject({ nonRetryable: false, nextRetryDelay: 5000 });
  });

  it.each(['reflect_unauthorized', 'target_url_invalid', 'happypal_unauthorized', 'lucca_unauthorized', 'lucca_forbidden',
    'lucca_unknown_instance', 'lucca_bad_request', 'lucca_url_invalid', 'connection_not_found'])('%s, thrown non-retryable, ends at once', (code) => {
    expect(failure(new SyncError(code, 'x', false), 1).nonRetryable).toBe(true);
  });

  it('while an activity retries, its run says why; a non-retryable error or a foreign error never leaks its text', async () => {
    const notes: string[] = [];
    const recovered: string[] = [];
    const hooks = { retrying: async (runId: string, m: string) => void notes.push(`${runId}: ${m}`), recovered: async (runId: string) => void recovered.push(runId) };
    const acts = withFailureMapping({
      transient: async (_: { runId: string }) => { throw new SyncError('lucca_unavailable', 'Lucca answered 503; will retry with backoff.', true); },
      fatal: async (_: { runId: string }) => { throw new SyncError('lucca_bad_request', 'refused', false); },
      foreign: async (_: { runId: string }) => { throw new Error('duplicate key value (mail)=(jean@acme.fr)'); },
    }, hooks);
    await expect(acts.transient({ runId: 'r1' })).rejects.toBeInstanceOf(ApplicationFailure);
    await expect(acts.fatal({ runId: 'r2' })).rejects.toMatchObject({ nonRetryable: true });
    await expect(acts.foreign({ runId: 'r3' })).rejects.toThrow('duplicate key');
    expect(notes).toEqual(['r1: Lucca answered 503; will retry with backoff.', 'r3: an internal error (Error); see the worker log']);
  });
});

describe('runs list shows why a run is retrying or why it failed', () => {
  it('a message column, one line, capped', () => {
    const row = (status: RunRow['status'], message: string | null): RunRow => ({
      id: 'run-1', connectionId: 'c', workflowId: 'w', trigger: 'schedule', dryRun: false, status, phase: 'fetch-source', fetchComplete: false,
      counts: {}, message, visibility: null, notice: null, failureCode: null, startedAt: new Date('2026-01-01T05:00:00Z'), finishedAt: null,
    });
    const table = runsTable([row('running', 'retrying: Lucca answered 503; will retry with backoff.'), row('failed', `Gave up:\n${'x'.repeat(400)}`)]);
    const [header, running, failed] = table.split('\n');
    expect(header).toMatch(/COUNTS\s+MESSAGE$/);
    expect(running).toMatch(/running\s+schedule\s+no\s+no changes\s+retrying: Lucca answered 503; will retry with backoff\.$/);
    expect(failed).toContain('Gave up: xxx');
    expect(failed!.length).toBeLessThan(table.split('\n')[0]!.length + 200);
  });
});

describe('the run budget', () => {
  it('ends before the next slot, even for a run started an hour late (catch-up window)', () => {
    expect(RUN_BUDGET_MS['every-4h']).toBeLessThan(3 * 3_600_000);
    expect(RUN_BUDGET_MS.daily).toBeLessThan(23 * 3_600_000);
    expect(DEFAULT_RUN_BUDGET_MS).toBe(RUN_BUDGET_MS['every-4h']);
  });

  it("bounds every activity by the time left (a second at the deadline); backoff can be shortened", () => {
    const p = runPolicies(10_000_000, 4_000_000);
    expect(p.read.scheduleToCloseTimeout).toBe(6_000_000);
    expect(p.book.scheduleToCloseTimeout).toBe(6_000_000);
    expect(runPolicies(1000, 5000).work.scheduleToCloseTimeout).toBe(1000);
    expect(runPolicies(1000, 0, { initialIntervalMs: 50, maximumIntervalMs: 200 }).read.retry).toMatchObject({ initialInterval: 50, maximumInterval: 200 });
    for (const options of Object.values(p)) expect(options.retry?.nonRetryableErrorTypes).toBeUndefined();
  });

  it('orders a herd: bookkeeping first (a run begins at once), every other step at the default priority', () => {
    const p = runPolicies(10_000_000, 4_000_000);
    const key = (o: { priority?: { priorityKey?: number } }) => o.priority?.priorityKey;
    expect([key(p.book), key(p.work), key(p.stage), key(p.read)]).toEqual([1, undefined, undefined, undefined]);
    // Staging reads and plans: planning's time.
    expect(p.stage.startToCloseTimeout).toBe(p.work.startToCloseTimeout);
    expect(p.stage.heartbeatTimeout).toBe(p.work.heartbeatTimeout);
  });

  it('a spent budget is told with its last error and what to do', () => {
    // As activities/errors.ts makes it: the code, and the service it names in the details.
    const last = toApplicationFailure(new SyncError('lucca_unavailable', 'Lucca answered 503; will retry with backoff.', true), 1) as ApplicationFailure;
    expect(last.details).toEqual([{ service: 'Lucca' }]);
    // As the server reports it: the schedule-to-close timeout, caused by the last attempt's failure.
    const timeout = new TimeoutFailure('timeout', undefined, TimeoutType.SCHEDULE_TO_CLOSE);
    Object.defineProperty(timeout, 'cause', { value: last });
    const timedOut = new ActivityFailure('activity timeout', 'fetchSourcePages', '1', RetryState.TIMEOUT, 'w', timeout);
    expect(failureType(timedOut)).toBe('run_budget_spent');
    expect(failureMessage(timedOut, 2.5 * 3_600_000)).toBe(
      "Gave up: the run's time budget (2 h 30 min) ran out while retrying. Nothing read is lost, and the next scheduled run starts as usual. " +
        'If this repeats, check that Lucca is up (status page) and reachable from the workers, then start a run by hand with ' +
        '`lucca-sync sync run <connection>`. Last error: Lucca answered 503.',
    );
    const malformed = new ActivityFailure('activity failed', 'fetchSourcePages', '1', RetryState.NON_RETRYABLE_FAILURE, 'w',
      ApplicationFailure.create({ type: 'lucca_not_json', message: 'Lucca sent a page. (Gave up after 3 attempts.)', nonRetryable: true }));
    expect(failureMessage(malformed, undefined)).toBe('Lucca sent a page. (Gave up after 3 attempts.)');
    // A target's failure names the target by its registry label; a failure recorded before the details (none) names both sides.
    const reflectDown = toApplicationFailure(new SyncError('reflect_unavailable', 'Reflect answered 503; will retry with backoff.', true), 1) as ApplicationFailure;
    const spent = (cause: ApplicationFailure) => {
      const t = new TimeoutFailure('timeout', undefined, TimeoutType.SCHEDULE_TO_CLOSE);
      Object.defineProperty(t, 'cause', { value: cause });
      return new ActivityFailure('activity timeout', 'applyDataset', '1', RetryState.TIMEOUT, 'w', t);
    };
    expect(failureMessage(spent(reflectDown), undefined)).toContain('check that Reflect is up (status page)');
    const older = ApplicationFailure.create({ type: 'happypal_unavailable', message: 'HappyPal answered 503; will retry with backoff.' });
    expect(failureMessage(spent(older), undefined)).toContain('check that Lucca and the target are up (status page)');
    expect(failureType(malformed)).toBe('lucca_not_json');
  });
});
