import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher, MAX_BODY_BYTES, parseJsonSafely, send } from '../../activities/http/http.js';
import { createLuccaClient } from '../../activities/lucca/client.js';
import { HAPPYPAL_USER_FIELDS, LuccaCollectionSchema } from '../../activities/lucca/schemas.js';
import { unlimited } from '../../activities/http/rate-limiter.js';
import { SyncError } from '../../activities/errors.js';
import { mapLuccaUser, type MapLuccaUserResult } from '../../rules/map-lucca-user.js';
import { QuarantineReasonSchema } from '../../rules/quarantine.js';

/**
 * Malformed Lucca payloads, generated from a seeded RNG (reproducible: FUZZ_SEED=… to vary), go
 * through the same path as production: JSON parsing (activities/http/http.ts), the envelope
 * schema, then mapLuccaUser per item. Every case ends in a value, a typed SyncError or a quarantine
 * result; none throws anything else, none pollutes a prototype, no reason echoes a value.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20260815);
const CASES = 600;
const TODAY = '2026-01-01';
const MARKER = 'Zq9Marker';

function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  return { next, int, pick, chance: (p: number) => next() < p };
}
type Rng = ReturnType<typeof rng>;

const CONTROL = ['\u0000', '\u0007', '\b', '\t', '\n', '\r', '\u001b', '\u007f', '\u0085', '\u200b', '\u202e', '\ufeff', '\ud800'];
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'];

function validUser(r: Rng, id: number): Record<string, unknown> {
  return {
    id,
    firstName: `${MARKER}${r.pick(['Anne', 'Zoé', 'Jean-Luc', "O'Brien"])}`,
    lastName: r.pick(['Martin', 'Lefèvre', 'N’Diaye']),
    mail: `${MARKER.toLowerCase()}.${id}@example.com`,
    birthDate: r.pick(['1980-02-29T00:00:00', '1975-12-31', null]),
    dtContractStart: '2020-01-01T00:00:00',
    dtContractEnd: r.pick([null, '2030-06-30T00:00:00']),
    modifiedAt: '2025-12-01T10:00:00.000Z',
  };
}

/** A value of a random wrong shape: the garbage a broken or hostile API could send. */
function garbage(r: Rng, depth = 0): unknown {
  const kind = r.int(depth > 3 ? 8 : 12);
  switch (kind) {
    case 0: return null;
    case 1: return r.int(2) === 0;
    case 2: return r.pick([0, -1, 1.5, 1e308, -0, Number.MAX_SAFE_INTEGER + 2]);
    case 3: return '';
    case 4: return `${MARKER}${r.pick(CONTROL)}${MARKER}`;
    case 5: return 'x'.repeat(r.pick([1000, 100_000, 1_000_000]));
    case 6: return r.pick(['2024-02-30', '0000-00-00', '1850-01-01', '2999-01-01', 'not a date', '2024-13-01T00:00:00']);
    case 7: return r.pick(['a@b', '@example.com', `${MARKER}@`, 'two@@example.com', ' ']);
    case 8: return Array.from({ length: r.int(4) }, () => garbage(r, depth + 1));
    case 9: return { [r.pick(PROTO_KEYS)]: { polluted: MARKER }, nested: garbage(r, depth + 1) };
    case 10: return nest(r.int(2000));
    default: return Object.fromEntries(Array.from({ length: r.int(4) }, (_, i) => [r.pick([...PROTO_KEYS, `k${i}`]), garbage(r, depth + 1)]));
  }
}

function nest(depth: number): unknown {
  let v: unknown = MARKER;
  for (let i = 0; i < depth; i += 1) v = i % 2 ? [v] : { a: v };
  return v;
}

/** One malformed item: a valid user with one or more fields broken, keys injected, or not an object at all. */
function badItem(r: Rng, id: number): unknown {
  if (r.chance(0.08)) return garbage(r);
  const user = validUser(r, id);
  const fields = [...HAPPYPAL_USER_FIELDS];
  for (let i = 0, n = 1 + r.int(3); i < n; i += 1) {
    const field = r.pick(fields);
    const op = r.int(5);
    if (op === 0) delete user[field];
    else if (op === 1) user[field] = garbage(r);
    else if (op === 2 && typeof user[field] === 'string') user[field] = `${user[field] as string}${r.pick(CONTROL)}`;
    else if (op === 3) user[field] = r.pick([[user[field]], { value: user[field] }, String(user[field]).slice(0, 200).repeat(5000)]);
    else user[field] = r.pick([123, true, null, {}, []]);
  }
  return user;
}

/** JSON text with own `__proto__`/`constructor`/`prototype` keys (JSON.stringify of an object literal would lose them). */
function withProtoKeys(r: Rng, json: string): string {
  const key = r.pick(PROTO_KEYS);
  const payload = r.pick([`{"polluted":"${MARKER}"}`, `{"prototype":{"polluted":"${MARKER}"}}`, `"${MARKER}"`, '[1,2]', 'null']);
  return json.replace(/\{"id":/g, () => (r.chance(0.5) ? `{"${key}":${payload},"id":` : '{"id":'));
}

/** Text of a Lucca users page, malformed in one of many ways. */
function caseText(r: Rng, n: number): { label: string; text: string } {
  const items = Array.from({ length: 1 + r.int(6) }, (_, i) => (r.chance(0.25) ? validUser(r, n * 10 + i) : badItem(r, n * 10 + i)));
  const envelope: Record<string, unknown> = { header: { generated: '2026-01-01T00:00:00', principal: 'x' }, data: { items, count: items.length } };
  const kind = r.int(9);
  switch (kind) {
    case 0: {
      const text = JSON.stringify(envelope);
      return { label: 'truncated', text: text.slice(0, r.int(text.length)) };
    }
    case 1:
      return { label: 'proto keys in items', text: withProtoKeys(r, JSON.stringify(envelope)) };
    case 2:
      return {
        label: 'proto keys in envelope',
        text: `{"__proto__":{"polluted":"${MARKER}"},"constructor":{"prototype":{"polluted":"${MARKER}"}},"header":{"__proto__":{"polluted":1}},"data":{"__proto__":{"items":[]},"items":${JSON.stringify(items)}}}`,
      };
    case 3: {
      // A raw control character inside a JSON string is invalid JSON.
      const text = JSON.stringify(envelope);
      const at = text.indexOf(MARKER);
      return { label: 'raw control character', text: at < 0 ? `${text}\u0000` : `${text.slice(0, at)}${r.pick(['\u0000', '\n', '\u001f'])}${text.slice(at)}` };
    }
    case 4:
      return { label: 'wrong envelope types', text: JSON.stringify(r.pick([
        { data: items }, { data: { items: { 0: items[0] } } }, { data: { items, count: -1 } }, { data: { items, count: '12' } },
        { data: { items, count: 1.5 } }, { data: null }, items, { header: garbage(r), data: { items } }, { data: { items: garbage(r) } },
      ])) };
    case 5:
      return { label: 'not an object', text: r.pick(['[]', '"users"', '42', 'null', 'true', '[[[[]]]]', JSON.stringify(garbage(r))]) };
    case 6:
      return { label: 'deep nesting', text: `{"data":{"items":[${'['.repeat(5000 + r.int(100_000))}` };
    case 7:
      return { label: 'not JSON', text: r.pick(['<html>502 Bad Gateway</html>', '{\'data\':1}', '{"data":{"items":[,]}}', '\ufeff{"data":{"items":[]}}', '{"a":1}{"b":2}', 'NaN']) };
    default:
      return { label: 'malformed items', text: JSON.stringify(envelope) };
  }
}

const prototypesBefore = snapshotPrototypes();
function snapshotPrototypes() {
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype].map((p) => Object.getOwnPropertyNames(p).sort().join(','));
}
function expectNoPollution() {
  const empty = {} as Record<string, unknown>;
  expect(empty.polluted).toBeUndefined();
  expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined();
  expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.getPrototypeOf(empty)).toBe(Object.prototype);
  expect(snapshotPrototypes()).toEqual(prototypesBefore);
}

function checkMapped(result: MapLuccaUserResult) {
  if (result.ok) {
    expect(Object.getPrototypeOf(result.person)).toBe(Object.prototype);
    expect(Object.keys(result.person).sort()).toEqual(['birthDate', 'contractEnd', 'contractStart', 'email', 'firstName', 'lastName']);
    for (const value of Object.values(result.person)) expect(value === null || typeof value === 'string').toBe(true);
    expect(result.person.firstName).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(result.sourceId).toMatch(/^\d+$/);
  } else {
    expect(result.reasons.length).toBeGreaterThan(0);
    for (const reason of result.reasons) {
      expect(QuarantineReasonSchema.safeParse(reason).success).toBe(true);
      // Reasons are PII-free: the field and the rule, never the value.
      expect(reason.message).not.toContain(MARKER);
      expect(reason.message).not.toContain(MARKER.toLowerCase());
      expect(reason.message.length).toBeLessThan(200);
    }
  }
}

type Outcome = 'syntax-error' | 'bad-envelope' | 'page';

/** The production path, in-process: parse → envelope → map each item. Returns what happened. */
function throughPipeline(text: string, tally: Record<string, number>): Outcome {
  let parsed: unknown;
  try {
    parsed = parseJsonSafely(text);
  } catch (err) {
    // http.ts turns this into lucca_bad_json; anything but a parse/stack error would be a bug.
    expect(err instanceof SyntaxError || err instanceof RangeError, String(err)).toBe(true);
    return 'syntax-error';
  }
  const envelope = LuccaCollectionSchema.safeParse(parsed);
  if (!envelope.success) return 'bad-envelope';
  for (const item of envelope.data.data.items ?? []) {
    const result = mapLuccaUser(item, TODAY);
    checkMapped(result);
    tally[result.ok ? 'mapped' : 'quarantined'] = (tally[result.ok ? 'mapped' : 'quarantined'] ?? 0) + 1;
  }
  return 'page';
}

describe(`malformed Lucca payloads (seed ${SEED}, ${CASES} cases)`, () => {
  it('end in a value, a typed error or a quarantine line: never a crash, never a polluted object', () => {
    const r = rng(SEED);
    const tally: Record<string, number> = {};
    for (let n = 0; n < CASES; n += 1) {
      const { label, text } = caseText(r, n);
      let outcome: Outcome;
      try {
        outcome = throughPipeline(text, tally);
      } catch (err) {
        throw new Error(`case ${n} (${label}, seed ${SEED}) threw: ${String(err)}`);
      }
      tally[`${label}: ${outcome}`] = (tally[`${label}: ${outcome}`] ?? 0) + 1;
      expectNoPollution();
    }
    // The generator really exercised every path.
    expect(tally.quarantined ?? 0).toBeGreaterThan(200);
    expect(tally.mapped ?? 0).toBeGreaterThan(50);
    expect(Object.keys(tally).filter((k) => k.endsWith('syntax-error')).length).toBeGreaterThanOrEqual(3);
    expect(Object.keys(tally).some((k) => k.endsWith('bad-envelope'))).toBe(true);
  });

  it('own __proto__ / constructor / prototype keys are dropped at parse time, at every depth', () => {
    const text = `{"__proto__":{"polluted":1},"data":{"items":[{"id":1,"__proto__":{"isAdmin":true},"constructor":{"prototype":{"polluted":1}},"firstName":"${MARKER}","nested":{"prototype":{"x":1},"__proto__":null}}]}}`;
    const value = parseJsonSafely(text) as { data: { items: Record<string, unknown>[] } };
    const item = value.data.items[0] as Record<string, unknown>;
    expect(Object.hasOwn(value, '__proto__')).toBe(false);
    expect(Object.hasOwn(item, '__proto__')).toBe(false);
    expect(Object.hasOwn(item, 'constructor')).toBe(false);
    expect(item.isAdmin).toBeUndefined();
    expect(Object.keys(item.nested as object)).toEqual([]);
    expect(item.firstName).toBe(MARKER);
    expectNoPollution();
  });

  it('even when a __proto__ key reaches mapLuccaUser directly (not through our parser), only known keys are read', () => {
    const raw = JSON.parse(`{"id":7,"__proto__":{"firstName":"Injected","mail":"x@y.z"},"lastName":"Doe"}`) as unknown;
    const result = mapLuccaUser(raw, TODAY);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reasons.map((x) => x.code)).toEqual(expect.arrayContaining(['missing_first_name', 'missing_email']));
    expectNoPollution();
  });

  it('control characters in names quarantine the record with a reason naming the field only', () => {
    for (const ch of CONTROL) {
      const result = mapLuccaUser({ id: 1, firstName: `${MARKER}${ch}x`, lastName: 'Doe', mail: 'a@example.com', dtContractStart: '2020-01-01T00:00:00' }, TODAY);
      expect(result.ok, JSON.stringify(ch)).toBe(false);
      if (!result.ok) {
        expect(result.reasons).toContainEqual(expect.objectContaining({ code: 'invalid_characters', field: 'firstName' }));
        checkMapped(result);
      }
    }
  });

  it('items that are arrays, strings, numbers or null are quarantined as malformed, not crashed on', () => {
    for (const item of [[], [1, 2], 'user', 42, null, true, nest(10_000), Object.create(null) as object]) {
      const result = mapLuccaUser(item, TODAY);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reasons[0]?.code).toBe('malformed_record');
    }
  });
});

describe('Lucca bodies over HTTP (activities/http/http.ts)', () => {
  let server: Server;
  let base = '';
  let bytesSentBeforeClose = 0;
  const dispatcher = createDispatcher(4);
  const responses = new Map<string, (res: import('node:http').ServerResponse) => void>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const handler = responses.get(path);
      if (!handler) return void res.writeHead(404).end();
      handler(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await dispatcher.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  async function sendTo(path: string, maxBodyBytes?: number) {
    try {
      return await send(dispatcher, 'lucca', { method: 'GET', url: `${base}${path}`, ...(maxBodyBytes !== undefined && { maxBodyBytes }) });
    } catch (err) {
      return err;
    }
  }

  it('the default limit is 50 MB', () => {
    expect(MAX_BODY_BYTES).toBe(50 * 1024 * 1024);
  });

  it('an oversized chunked body is refused while it arrives: reading stops early, nothing like the whole body is buffered', async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const total = 64 * 1024 * 1024;
    responses.set('/huge', (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      let sent = 0;
      const pump = () => {
        while (sent < total) {
          sent += chunk.length;
          bytesSentBeforeClose = sent;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => (bytesSentBeforeClose = sent));
      pump();
    });
    const err = await sendTo('/huge', 1024 * 1024);
    expect(err).toBeInstanceOf(SyncError);
    expect((err as SyncError).code).toBe('lucca_body_too_large');
    expect((err as SyncError).retryable).toBe(false);
    expect((err as SyncError).message).toBe('Lucca sent a body over 1048576 bytes.');
    await new Promise((r) => setTimeout(r, 200));
    // Socket buffers let a few MB through before the close is seen; far from the 64 MB offered.
    expect(bytesSentBeforeClose).toBeLessThan(16 * 1024 * 1024);
  });

  it('a declared Content-Length over the limit is refused before reading', async () => {
    responses.set('/declared', (res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) });
      res.write('{"data":');
    });
    const err = await sendTo('/declared', 1024 * 1024);
    expect((err as SyncError).code).toBe('lucca_body_too_large');
  });

  it('a truncated JSON body on 200 is a retryable lucca_body_lost; a wrong envelope is lucca_bad_envelope; neither names the URL query', async () => {
    responses.set('/api/v3/users', (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"header":{},"data":{"items":[{"id":1,"firstName":"Zorg');
    });
    const client = createLuccaClient({ baseUrl: base, apiKey: 'LUCCA-KEY-fuzz-0001', dispatcher, limiter: unlimited });
    const truncated = await client.listUsers({ offset: 0, fields: ['id'], modifiedSince: 'zorglub@example.com' }).catch((e: unknown) => e);
    expect(truncated).toBeInstanceOf(SyncError);
    expect((truncated as SyncError).code).toBe('lucca_body_lost');
    expect((truncated as SyncError).retryable).toBe(true);
    expect((truncated as SyncError).maxAttempts).toBeUndefined();

    responses.set('/api/v3/users', (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"__proto__":{"polluted":1},"data":[1,2,3]}');
    });
    const envelope = await client.listUsers({ offset: 0, fields: ['id'], modifiedSince: 'zorglub@example.com' }).catch((e: unknown) => e);
    expect((envelope as SyncError).code).toBe('lucca_bad_envelope');
    for (const err of [truncated, envelope] as Error[]) {
      expect(err.message).not.toContain('zorglub');
      expect(err.message).not.toContain('LUCCA-KEY-fuzz-0001');
      expect(err.message).not.toContain(base);
    }

    responses.set('/api/v3/users', (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"data":{"items":[{"id":1,"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}],"count":1}}`);
    });
    const page = await client.listUsers({ offset: 0, fields: ['id'] });
    expect(page.items).toEqual([{ id: 1 }]);
    expectNoPollution();
  });

  it('200 random malformed pages over HTTP end in a page or a typed SyncError', async () => {
    const r = rng(SEED + 1);
    const client = createLuccaClient({ baseUrl: base, apiKey: 'k', dispatcher, limiter: unlimited });
    let current = '';
    responses.set('/api/v3/users', (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(current);
    });
    const codes: Record<string, number> = {};
    for (let n = 0; n < 200; n += 1) {
      current = caseText(r, n).text;
      try {
        const page = await client.listUsers({ offset: 0, fields: ['id'] });
        for (const item of page.items) checkMapped(mapLuccaUser(item, TODAY));
        codes.page = (codes.page ?? 0) + 1;
      } catch (err) {
        expect(err, `case ${n}`).toBeInstanceOf(SyncError);
        const code = (err as SyncError).code;
        expect(['lucca_bad_json', 'lucca_body_lost', 'lucca_bad_envelope']).toContain(code);
        codes[code] = (codes[code] ?? 0) + 1;
      }
    }
    expect(Object.keys(codes).sort()).toEqual(['lucca_bad_envelope', 'lucca_bad_json', 'lucca_body_lost', 'page']);
    expectNoPollution();
  });
});
