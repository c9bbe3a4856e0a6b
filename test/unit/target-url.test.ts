/**
 * validateTargetUrl: a HappyPal or Reflect URL is https on a public address, or any http(s) host of
 * the allow-list (a local simulator). A connection's target URL can never make the worker send its
 * bearer key to an internal service. Checked when the connection is added and again at run time.
 */
import { describe, expect, it } from 'vitest';
import { parseAddConnection } from '../../client/connection-input.js';
import { InvalidTargetUrlError, validateTargetUrl } from '../../lib/lucca-url.js';

describe('validateTargetUrl', () => {
  it('accepts https on a public host, normalised without a trailing slash', () => {
    expect(validateTargetUrl('https://api.happypal.fr/', [])).toBe('https://api.happypal.fr');
    expect(validateTargetUrl('https://API.getreflect.io/v1/', [])).toBe('https://api.getreflect.io/v1');
  });

  it.each([
    ['https://10.1.2.3', /10\.1\.2\.3 is a private address \(10\.0\.0\.0\/8\).*LUCCA_ALLOWED_HOSTS/],
    ['https://169.254.169.254/latest/meta-data', /link-local address/], // cloud metadata
    ['https://127.0.0.1:8443', /loopback address/],
    ['https://localhost', /loopback name/],
    ['https://[::1]', /loopback address/],
    ['https://[::ffff:192.168.0.1]', /private address \(192\.168\.0\.0\/16\)/],
  ])('refuses %s, saying why', (url, message) => {
    expect(() => validateTargetUrl(url, [])).toThrow(InvalidTargetUrlError);
    expect(() => validateTargetUrl(url, [])).toThrow(message);
  });

  it('refuses http, credentials, a query and non-URLs, without echoing them', () => {
    expect(() => validateTargetUrl('http://api.happypal.fr', [])).toThrow(/^Target URLs must use https \(got http:\/\/api\.happypal\.fr\)\.$/);
    expect(() => validateTargetUrl('https://user:secret@api.happypal.fr', [])).toThrow(/^The target URL must not contain credentials\.$/);
    expect(() => validateTargetUrl('https://api.happypal.fr/?key=secret', [])).toThrow(/^The target URL must not have a query or fragment\.$/);
    expect(() => validateTargetUrl('not a url, key=secret', [])).toThrow(/^The target URL is not a URL: expected e\.g\. https:\/\/api\.happypal\.fr$/);
  });

  it('lets an allow-listed host through, on http too, but only http(s)', () => {
    expect(validateTargetUrl('http://127.0.0.1:7301', ['127.0.0.1'])).toBe('http://127.0.0.1:7301');
    expect(validateTargetUrl('http://happypal-sim:7301/', ['lucca-sim', 'happypal-sim'])).toBe('http://happypal-sim:7301');
    expect(() => validateTargetUrl('ftp://127.0.0.1', ['127.0.0.1'])).toThrow(/Unsupported scheme ftp:/);
    expect(() => validateTargetUrl('http://127.0.0.2', ['127.0.0.1'])).toThrow(/must use https/);
  });

  it('connection add names the flag at fault', () => {
    const base = {
      name: 'acme-happypal', luccaUrl: 'https://acme.ilucca.net', luccaKey: 'lucca-secret-key', target: 'happypal', targetKey: 'hp-secret-key',
    };
    expect(() => parseAddConnection({ ...base, targetUrl: 'https://192.168.1.20' }, [])).toThrow(/^bad --target-url: 192\.168\.1\.20 is a private address/);
    expect(parseAddConnection({ ...base, targetUrl: 'https://api.happypal.fr/' }, []).connection.targetUrl).toBe('https://api.happypal.fr');
  });
});
