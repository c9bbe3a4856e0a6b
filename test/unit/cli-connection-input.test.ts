import { describe, expect, it } from 'vitest';
import { parseAddConnection, parseFieldPolicies, type AddConnectionOptions } from '../../client/connection-input.js';

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
