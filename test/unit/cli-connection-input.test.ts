import { describe, expect, it } from 'vitest';
import { parseAddConnection, parseFieldPolicies, parseUpdateConnection, type AddConnectionOptions } from '../../client/connection-input.js';

const base: AddConnectionOptions = {
  name: 'acme-happypal', luccaUrl: 'https://acme.ilucca.net', luccaKey: 'lucca-secret-key', target: 'happypal', targetKey: 'hp-secret-key',
};

describe('parseAddConnection', () => {
  it('fills defaults: HappyPal URL, lucca-wins, daily 06:00 Europe/Paris', () => {
    const { connection, cadence } = parseAddConnection(base, []);
    expect(connection).toMatchObject({ targetUrl: 'https://api.happypal.fr', defaultPolicy: 'lucca-wins', fieldPolicies: {} });
    expect(cadence).toEqual({ kind: 'daily', hour: 6, minute: 0, timezone: 'Europe/Paris' });
    expect(parseAddConnection({ ...base, target: 'reflect' }, []).connection.targetUrl).toBe('https://api.getreflect.io');
  });

  it('accepts an allow-listed http host, refuses others', () => {
    expect(parseAddConnection({ ...base, luccaUrl: 'http://127.0.0.1:9000/t/demo' }, ['127.0.0.1']).connection.luccaUrl).toBe('http://127.0.0.1:9000/t/demo');
    expect(() => parseAddConnection({ ...base, luccaUrl: 'http://127.0.0.1:9000' }, [])).toThrow(/^bad --lucca-url: Lucca URLs must use https/);
    expect(() => parseAddConnection({ ...base, luccaUrl: 'https://example.com' }, [])).toThrow(/not a Lucca host/);
    expect(() => parseAddConnection({ ...base, luccaUrl: 'acme' }, [])).toThrow(/^bad --lucca-url: .*URL/);
  });

  it('names the flag at fault and never echoes a key', () => {
    expect(() => parseAddConnection({ ...base, name: 'Acme Corp' }, [])).toThrow(/^bad --name: expected lower-case letters/);
    expect(() => parseAddConnection({ ...base, luccaKey: 'short' }, [])).toThrow(/^bad --lucca-key: expected an API key of at least 8 characters\.$/);
    expect(() => parseAddConnection({ ...base, targetUrl: 'nope' }, [])).toThrow(/^bad --target-url/);
    expect(() => parseAddConnection({ ...base, target: 'workday' }, [])).toThrow(/^bad --target "workday"/);
    expect(() => parseAddConnection({ ...base, policy: 'last-wins' }, [])).toThrow(/^bad --policy "last-wins": expected one of lucca-wins, target-wins, review\.$/);
    expect(() => parseAddConnection({ ...base, at: '25:00' }, [])).toThrow(/^bad time \(--at\) "25:00"/);
  });
});

describe('parseFieldPolicies', () => {
  it('reads field=policy pairs', () => {
    expect(parseFieldPolicies(['email=review', 'birthDate=target-wins'])).toEqual({ email: 'review', birthDate: 'target-wins' });
  });

  it.each([
    ['email', /expected field=policy/],
    ['salary=review', /unknown field "salary"/],
    ['email=maybe', /policy "maybe": expected one of/],
    ['email=review=x', /expected field=policy/],
  ])('rejects %j', (pair, message) => {
    expect(() => parseFieldPolicies([pair])).toThrow(message);
  });
});

describe('API keys (add and update)', () => {
  it.each([
    ['blank', '          ', /^bad --lucca-key: expected an API key, not a blank value\.$/],
    ['a newline', 'abcdefgh\nijkl', /on one line, without newline, tab or other control character/],
    ['a carriage return', 'abcdefgh\r', /on one line/],
    ['a NUL', 'abcdefgh\u0000x', /on one line/],
    ['a space', 'abcd efgh', /without spaces or non-ASCII characters/],
    ['non-ASCII', 'abcdéfgh', /without spaces or non-ASCII characters/],
    ['100 KB', 'k'.repeat(100 * 1024), /at most 4096 characters \(this one has 102400\)/],
  ])('refuses a key with %s, without echoing it', (_label, key, message) => {
    expect(() => parseAddConnection({ ...base, luccaKey: key }, [])).toThrow(message);
    expect(() => parseUpdateConnection({ luccaKey: key }, [])).toThrow(message);
    const error = (() => {
      try {
        parseUpdateConnection({ targetKey: key }, []);
      } catch (err) {
        return err as Error;
      }
      return null;
    })();
    expect(error?.message).toMatch(/^bad --target-key: /);
    expect(error?.message).not.toContain(key);
  });

  it('accepts a 4096-character key and a Lucca GUID', () => {
    expect(() => parseAddConnection({ ...base, luccaKey: 'k'.repeat(4096) }, [])).not.toThrow();
    expect(() => parseAddConnection({ ...base, luccaKey: '3f0c9a1e-5b7d-4c2a-9e8f-1a2b3c4d5e6f' }, [])).not.toThrow();
  });
});

describe('parseUpdateConnection', () => {
  it('keeps only what was given; field=default drops a field policy', () => {
    expect(parseUpdateConnection({ policy: 'review', fieldPolicy: ['email=lucca-wins', 'birthDate=default'], guard: '25' }, [])).toEqual({
      defaultPolicy: 'review', fieldPolicies: { email: 'lucca-wins', birthDate: null }, deactivationGuardPct: 25,
    });
    expect(parseUpdateConnection({ schedule: 'every-4h', rename: 'acme-new' }, [])).toEqual({ cadence: { kind: 'every-4h' }, rename: 'acme-new' });
    expect(parseUpdateConnection({}, [])).toEqual({});
  });

  it('names the flag at fault', () => {
    expect(() => parseUpdateConnection({ rename: 'Acme Corp' }, [])).toThrow(/^bad --rename: expected lower-case letters/);
    expect(() => parseUpdateConnection({ guard: '150' }, [])).toThrow(/^bad --guard "150": expected a whole percentage/);
    expect(() => parseUpdateConnection({ guard: '-1' }, [])).toThrow(/^bad --guard "-1"/);
    expect(() => parseUpdateConnection({ fieldPolicy: ['shoeSize=default'] }, [])).toThrow(/unknown field "shoeSize"/);
    expect(() => parseUpdateConnection({ luccaUrl: 'http://127.0.0.1:9000' }, [])).toThrow(/^bad --lucca-url: Lucca URLs must use https/);
    expect(() => parseUpdateConnection({ at: '25:00' }, [])).toThrow(/^bad time \(--at\) "25:00"/);
  });
});
