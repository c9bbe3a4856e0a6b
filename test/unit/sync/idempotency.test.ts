import { describe, expect, it } from 'vitest';
import { canonicalJson, idempotencyKey } from '../../../rules/idempotency.js';

const base = { connectionId: 'c1', sourceId: '416', runId: 'r1', operation: 'update', content: { a: 1, b: { y: 2, x: [1, 'z'] } } };

describe('idempotencyKey', () => {
  it('is a hex sha256', () => expect(idempotencyKey(base)).toMatch(/^[0-9a-f]{64}$/));
  it('is stable across key order, at every depth', () => {
    const reordered = { content: { b: { x: [1, 'z'], y: 2 }, a: 1 }, operation: 'update', runId: 'r1', sourceId: '416', connectionId: 'c1' };
    expect(idempotencyKey(reordered)).toBe(idempotencyKey(base));
  });
  it('changes with the content, the operation, the run, the record and the connection', () => {
    const k = idempotencyKey(base);
    expect(idempotencyKey({ ...base, content: { a: 2, b: { y: 2, x: [1, 'z'] } } })).not.toBe(k);
    expect(idempotencyKey({ ...base, content: { a: 1, b: { y: 2, x: ['z', 1] } } })).not.toBe(k);
    expect(idempotencyKey({ ...base, operation: 'create' })).not.toBe(k);
    expect(idempotencyKey({ ...base, runId: 'r2' })).not.toBe(k);
    expect(idempotencyKey({ ...base, sourceId: '417' })).not.toBe(k);
    expect(idempotencyKey({ ...base, connectionId: 'c2' })).not.toBe(k);
  });
  it('treats an undefined member as absent, a null one as present', () => {
    expect(idempotencyKey({ ...base, content: { a: 1, z: undefined } })).toBe(idempotencyKey({ ...base, content: { a: 1 } }));
    expect(idempotencyKey({ ...base, content: { a: 1, z: null } })).not.toBe(idempotencyKey({ ...base, content: { a: 1 } }));
  });
});

describe('canonicalJson', () => {
  it('sorts keys and keeps arrays in order', () => expect(canonicalJson({ b: [2, 1], a: 'x' })).toBe('{"a":"x","b":[2,1]}'));
  it('escapes keys safely, including __proto__ from JSON', () => {
    expect(canonicalJson(JSON.parse('{"__proto__":{"x":1},"\\"k":2}'))).toBe('{"\\"k":2,"__proto__":{"x":1}}');
  });
  it('rejects values JSON cannot represent', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson({ a: 1n })).toThrow(TypeError);
  });
});
