import { describe, expect, it } from 'vitest';
import { InvalidLuccaUrlError, internalAddressKind, validateLuccaUrl } from '../../lib/lucca-url.js';

/**
 * Private, loopback and link-local addresses are refused with a message that says why, unless the
 * exact host is allow-listed (a local simulator). IPv4 spellings the URL parser normalises
 * (decimal, hex, short forms) and IPv4-mapped IPv6 are caught too.
 */
describe('validateLuccaUrl: internal addresses are refused, saying why', () => {
  it.each([
    ['https://10.0.0.1', '10.0.0.1', /private address \(10\.0\.0\.0\/8\)/],
    ['https://10.255.255.255:8443', '10.255.255.255', /private address \(10\.0\.0\.0\/8\)/],
    ['https://172.16.0.1', '172.16.0.1', /private address \(172\.16\.0\.0\/12\)/],
    ['https://172.31.255.254', '172.31.255.254', /private address \(172\.16\.0\.0\/12\)/],
    ['https://192.168.1.10', '192.168.1.10', /private address \(192\.168\.0\.0\/16\)/],
    ['https://127.0.0.1', '127.0.0.1', /loopback address \(127\.0\.0\.0\/8\)/],
    ['https://127.1.2.3', '127.1.2.3', /loopback address/],
    ['https://2130706433', '127.0.0.1', /loopback address/], // decimal spelling of 127.0.0.1
    ['https://0x7f.0.0.1', '127.0.0.1', /loopback address/], // hex spelling
    ['https://127.1', '127.0.0.1', /loopback address/], // short form
    ['https://169.254.169.254', '169.254.169.254', /link-local address \(169\.254\.0\.0\/16\)/], // cloud metadata
    ['https://0.0.0.0', '0.0.0.0', /unspecified address/],
    ['https://100.64.0.1', '100.64.0.1', /carrier-grade NAT/],
    ['https://[::1]', '[::1]', /loopback address \(::1\)/],
    ['https://[0:0:0:0:0:0:0:1]', '[::1]', /loopback address \(::1\)/],
    ['https://[::]', '[::]', /unspecified address \(::\)/],
    ['https://[fc00::1]', '[fc00::1]', /unique local address \(fc00::\/7\)/],
    ['https://[fd12:3456:789a::1]', '[fd12:3456:789a::1]', /unique local address \(fc00::\/7\)/],
    ['https://[fe80::1]', '[fe80::1]', /link-local address \(fe80::\/10\)/],
    ['https://[febf::1]', '[febf::1]', /link-local address \(fe80::\/10\)/],
    ['https://[::ffff:127.0.0.1]', '[::ffff:7f00:1]', /loopback address \(127\.0\.0\.0\/8\)/],
    ['https://[::ffff:10.1.1.1]', '[::ffff:a01:101]', /private address \(10\.0\.0\.0\/8\)/],
    ['https://localhost', 'localhost', /loopback name/],
    ['https://LOCALHOST.', 'localhost.', /loopback name/],
    ['https://api.localhost', 'api.localhost', /loopback name/],
  ])('%s', (input, host, kind) => {
    let error: unknown;
    try {
      validateLuccaUrl(input, []);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InvalidLuccaUrlError);
    const message = (error as Error).message;
    expect(message).toContain(`${host} is not a Lucca host: it is `);
    expect(message).toMatch(kind);
    expect(message).toContain('refused so that a connection cannot reach internal services');
    expect(message).toContain('LUCCA_ALLOWED_HOSTS');
  });

  it('plain http to an internal address is refused for its scheme first', () => {
    expect(() => validateLuccaUrl('http://10.0.0.1', [])).toThrow(/must use https/);
  });
});

describe('validateLuccaUrl: public addresses and neighbours of the private ranges are not called internal', () => {
  it.each([
    ['https://172.15.255.255'],
    ['https://172.32.0.1'],
    ['https://192.169.0.1'],
    ['https://169.253.1.1'],
    ['https://11.0.0.1'],
    ['https://100.128.0.1'],
    ['https://8.8.8.8'],
    ['https://[2001:db8::1]'],
    ['https://[fec0::1]'],
    ['https://[::ffff:8.8.8.8]'],
    ['https://localhost.evil.com'],
  ])('%s is refused only as "not a Lucca host"', (input) => {
    expect(() => validateLuccaUrl(input, [])).toThrow(/is not a Lucca host \(expected <company>\.ilucca\.net/);
  });

  it.each([
    ['acme.ilucca.net', null],
    ['10.0.0.1', 'a private address (10.0.0.0/8)'],
    ['[::1]', 'a loopback address (::1)'],
    ['[fe80::1%25eth0]', 'a link-local address (fe80::/10)'],
    ['[1:2:3:4:5:6:7:8:9]', null],
    ['[1::2::3]', null],
    ['256.1.1.1', null],
  ])('internalAddressKind(%s) = %s', (host, kind) => {
    expect(internalAddressKind(host)).toBe(kind);
  });
});

describe('validateLuccaUrl: the allow-list is the only way in', () => {
  it.each([
    ['http://127.0.0.1:7300', ['127.0.0.1'], 'http://127.0.0.1:7300'],
    ['https://10.0.0.5', ['10.0.0.5'], 'https://10.0.0.5'],
    ['http://[::1]:7300', ['::1'], 'http://[::1]:7300'],
    ['http://[::1]:7300', ['[::1]'], 'http://[::1]:7300'],
    ['http://localhost:7300', ['localhost'], 'http://localhost:7300'],
    ['https://192.168.1.10:8443', ['192.168.1.10:8443'], 'https://192.168.1.10:8443'],
  ])('%s allowed by %j', (input, allowed, normalised) => {
    expect(validateLuccaUrl(input, allowed)).toBe(normalised);
  });

  it('allow-listing one internal address does not open the others', () => {
    expect(() => validateLuccaUrl('https://10.0.0.6', ['10.0.0.5'])).toThrow(/private address/);
    expect(() => validateLuccaUrl('https://127.0.0.2', ['127.0.0.1'])).toThrow(/loopback address/);
    expect(() => validateLuccaUrl('https://[::1]', ['127.0.0.1'])).toThrow(/loopback address/);
    expect(() => validateLuccaUrl('https://192.168.1.10:9000', ['192.168.1.10:8443'])).toThrow(/private address/);
  });
});
