/**
 * Reflect batch answers the client must not take at face value: a 413 (batch too large) and a
 * well-formed answer that does not match the batch. Against the Reflect simulator (413) and a stub
 * server that answers what a faulty Reflect could (mismatches).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../activities/http/http.js';
import { createReflectClient } from '../../activities/targets/reflect/client.js';
import type { SyncError } from '../../activities/errors.js';
import { startReflectSimulator, type ReflectSimulator } from '../../dev/simulators/reflect/server.js';

const dispatcher = createDispatcher();
let reflect: ReflectSimulator;
let stub: Server;
let stubUrl = '';
let answer: unknown = null;

beforeAll(async () => {
  reflect = await startReflectSimulator({ rateLimitPerMinute: 0, maxBatchRecords: 3 });
  stub = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer)));
  });
  await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
  stubUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await reflect.close();
  stub.closeAllConnections();
  await new Promise((r) => stub.close(r));
  await dispatcher.close();
});
beforeEach(async () => {
  await fetch(`${reflect.url}/_admin/reset`, { method: 'POST' });
});

const emp = (id: string) => ({ external_id: id, first_name: `F${id}`, last_name: `L${id}` });
const failure = (p: Promise<unknown>) => p.then(() => null, (err: unknown) => err as SyncError);
const client = (baseUrl = reflect.url) => createReflectClient({ baseUrl, apiKey: reflect.apiKey, dispatcher });

describe('Reflect 413: a batch too large', () => {
  it('is refused with reflect_batch_too_large (not retried as is: the caller splits it); a batch that fits goes through', async () => {
    const big = await failure(client().batchUpsert('employees', ['1', '2', '3', '4'].map(emp), 'key-413-000001'));
    expect(big).toMatchObject({ code: 'reflect_batch_too_large', retryable: false });
    expect((big as SyncError).message).toMatch(/too large \(413\)/);
    expect(await failure(client().batchDelete('employees', ['1', '2', '3', '4'], 'key-413-000002'))).toMatchObject({ code: 'reflect_batch_too_large' });
    expect(reflect.state.records('employees')).toHaveLength(0);
    const fits = await client().batchUpsert('employees', ['1', '2', '3'].map(emp), 'key-413-000003');
    expect(fits.map((r) => r.status)).toEqual(['created', 'created', 'created']);
  });
});

describe('Reflect batch answers that do not match the batch', () => {
  const sent = ['1', '2', '3'].map(emp);
  it.each([
    ['fewer results than records', { results: [{ index: 0, external_id: '1', status: 'created' }] }, /batch upsert of records of 3 with 1 result\(s\) covering 1 of them/],
    ['indexes that do not cover the batch', { results: [0, 0, 7].map((index) => ({ index, external_id: 'x', status: 'created' })) }, /of 3 with 3 result\(s\) covering 1 of them/],
    ['more results than records', { results: [0, 1, 2, 3].map((index) => ({ index, external_id: 'x', status: 'created' })) }, /of 3 with 4 result\(s\) covering 3 of them/],
  ])('an upsert answer with %s fails clearly, not retryable, with counts only', async (_label, body, message) => {
    answer = body;
    const err = await failure(client(stubUrl).batchUpsert('employees', sent, 'key-mismatch-1'));
    expect(err).toMatchObject({ code: 'reflect_batch_mismatch', retryable: false });
    expect((err as SyncError).message).toMatch(message);
    expect((err as SyncError).message).not.toMatch(/F1|L1/);
  });

  it('a delete answer that names other ids fails the same way', async () => {
    answer = { results: [{ external_id: '1', status: 'deleted' }, { external_id: '9', status: 'deleted' }] };
    const err = await failure(client(stubUrl).batchDelete('employees', ['1', '2'], 'key-mismatch-2'));
    expect(err).toMatchObject({ code: 'reflect_batch_mismatch', retryable: false });
    expect((err as SyncError).message).toMatch(/batch delete of ids of 2 with 2 result\(s\) covering 1 of them/);
  });

  it('an answer that matches (in any order) is taken, sorted by index', async () => {
    answer = { results: [2, 0, 1].map((index) => ({ index, external_id: String(index + 1), status: 'created' })) };
    expect((await client(stubUrl).batchUpsert('employees', sent, 'key-mismatch-3')).map((r) => r.index)).toEqual([0, 1, 2]);
  });
});
