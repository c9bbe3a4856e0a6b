import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { startCodecServer, localUiOrigins, parsePayloads, type RunningCodecServer } from '../../lib/codec/codec-server.js';
import { EncryptionCodec } from '../../lib/codec/encryption-codec.js';

const TOKEN = 'codec-test-token-0123456789';
const UI = 'http://localhost:8233';
const codec = new EncryptionCodec([{ id: 'k1', key: Buffer.alloc(32, 4) }]);
let server: RunningCodecServer;

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: string; json: any } // eslint-disable-line @typescript-eslint/no-explicit-any

/** node:http rather than fetch: fetch forbids setting Origin, which the CORS tests need. */
function call(method: string, urlPath: string, options: { headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Answer> {
  const url = new URL(urlPath, server.url);
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = body ? JSON.parse(body) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? []).toString('base64'),
});
const fromJson = (p: { metadata: Record<string, string>; data: string }): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data, 'base64'),
});
const post = (op: string, payloads: Payload[], headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) =>
  call('POST', op, { headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers }, body: JSON.stringify({ payloads: payloads.map(toJson) }) });

beforeAll(async () => {
  server = await startCodecServer({ codec, token: TOKEN, allowedOrigins: localUiOrigins(8233), port: 0, maxBodyBytes: 64 * 1024 });
});
afterAll(async () => server.close());

describe('codec endpoint: the remote codec contract', () => {
  it('listens on loopback by default', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.uiEndpoint).toBe(`${server.url}/${TOKEN}`);
  });

  it('POST /decode with the bearer token answers the decrypted proto-JSON payloads', async () => {
    const encrypted = await codec.encode([defaultPayloadConverter.toPayload({ email: 'zorglub@example.com' }), defaultPayloadConverter.toPayload(42)]);
    const res = await post('/decode', encrypted);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.json.payloads).toHaveLength(2);
    const decoded = (res.json.payloads as { metadata: Record<string, string>; data: string }[]).map(fromJson);
    expect(Buffer.from(decoded[0]?.metadata?.encoding ?? []).toString()).toBe('json/plain');
    expect(defaultPayloadConverter.fromPayload(decoded[0] as Payload)).toEqual({ email: 'zorglub@example.com' });
    expect(defaultPayloadConverter.fromPayload(decoded[1] as Payload)).toBe(42);
  });

  it('POST /encode encrypts with the current key; /decode reverses it; unencrypted payloads pass through /decode', async () => {
    const value = defaultPayloadConverter.toPayload({ n: 1 });
    const enc = await post('/encode', [value]);
    expect(enc.status).toBe(200);
    const encrypted = fromJson(enc.json.payloads[0]);
    expect(Buffer.from(encrypted.metadata?.encoding ?? []).toString()).toBe('binary/encrypted');
    expect(Buffer.from(encrypted.metadata?.['encryption-key-id'] ?? []).toString()).toBe('k1');
    const dec = await post('/decode', [encrypted, value]);
    expect(dec.json.payloads.map(fromJson).map((p: Payload) => defaultPayloadConverter.fromPayload(p))).toEqual([{ n: 1 }, { n: 1 }]);
    // proto-JSON omits empty repeated fields: {} is an empty list.
    const empty = await call('POST', '/decode', { headers: { authorization: `Bearer ${TOKEN}` }, body: '{}' });
    expect(empty.json).toEqual({ payloads: [] });
  });

  it('refuses a request without a token, with a wrong one, or with another scheme (401), in constant time', async () => {
    const encrypted = await codec.encode([defaultPayloadConverter.toPayload('x')]);
    const attempts: Record<string, string>[] = [
      {}, { authorization: 'Bearer wrong-token-0123456789' }, { authorization: `Basic ${TOKEN}` }, { authorization: `Bearer ${TOKEN}x` },
    ];
    for (const headers of attempts) {
      const res = await post('/decode', encrypted, headers);
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.body).not.toContain(TOKEN);
      expect(res.body).not.toContain('payloads');
    }
  });

  it('the Web UI form: the token as the first path segment, since the UI cannot add our header', async () => {
    const encrypted = await codec.encode([defaultPayloadConverter.toPayload('ui')]);
    const ok = await post(`/${TOKEN}/decode`, encrypted, { origin: UI });
    expect(ok.status).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe(UI);
    expect(defaultPayloadConverter.fromPayload(fromJson(ok.json.payloads[0]))).toBe('ui');
    expect((await post('/not-the-token-0123456/decode', encrypted, {})).status).toBe(401);
    expect((await post(`/${TOKEN}/x/decode`, encrypted, {})).status).toBe(401);
  });

  it('answers the CORS preflight of the UI origin (200, echoed origin, credentials, allowed headers); refuses other origins', async () => {
    const preflight = await call('OPTIONS', `/${TOKEN}/decode`, {
      headers: { origin: UI, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers['access-control-allow-origin']).toBe(UI);
    expect(preflight.headers['access-control-allow-credentials']).toBe('true');
    expect(preflight.headers['access-control-allow-headers']).toBe('content-type, x-namespace, authorization');
    expect(preflight.headers['access-control-allow-methods']).toContain('POST');
    expect(preflight.headers.vary).toBe('Origin');
    // No token needed for the preflight (browsers never send one), but the answer carries no data.
    expect(preflight.body).toBe('');

    const other = await call('OPTIONS', '/decode', { headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(other.status).toBe(403);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const otherPost = await post('/decode', [], { authorization: `Bearer ${TOKEN}`, origin: 'https://evil.example' });
    expect(otherPost.status).toBe(403);
    // The other local name of the UI is allowed too.
    const alt = await call('OPTIONS', '/decode', { headers: { origin: 'http://127.0.0.1:8233' } });
    expect(alt.headers['access-control-allow-origin']).toBe('http://127.0.0.1:8233');
  });

  it('clear errors: malformed body 400, unknown key 422, wrong method 405, unknown path 404, oversized body 413', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    expect((await call('POST', '/decode', { headers: auth, body: '{"payloads":[' })).status).toBe(400);
    expect((await call('POST', '/decode', { headers: auth, body: '{"payloads":{}}' })).json.message).toMatch(/must be an array/);
    expect((await call('POST', '/decode', { headers: auth, body: '{"payloads":[{"data":"***"}]}' })).json.message).toMatch(/base64/);
    const foreign = await new EncryptionCodec([{ id: 'other', key: Buffer.alloc(32, 8) }]).encode([defaultPayloadConverter.toPayload('x')]);
    const unknown = await post('/decode', foreign);
    expect(unknown.status).toBe(422);
    expect(unknown.json.message).toMatch(/key id "other"/);
    expect((await call('GET', '/decode', { headers: auth })).status).toBe(405);
    expect((await call('POST', '/metrics', { headers: auth, body: '{}' })).status).toBe(404);
    const big = await call('POST', '/decode', { headers: auth, body: Buffer.alloc(200 * 1024, 0x20) });
    expect(big.status).toBe(413);
  });

  it('a "__proto__" metadata key cannot reach a prototype', () => {
    const parsed = parsePayloads('{"payloads":[{"metadata":{"__proto__":"eA==","encoding":"eA=="},"data":""}]}');
    expect(Array.isArray(parsed)).toBe(true);
    const metadata = (parsed as Payload[])[0]?.metadata as Record<string, Uint8Array>;
    expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype);
    expect(Object.keys(metadata)).toEqual(['__proto__', 'encoding']);
    expect(({} as Record<string, unknown>).encoding).toBeUndefined();
  });
});
