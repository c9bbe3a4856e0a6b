import { describe, expect, it } from 'vitest';
import { InvalidLuccaUrlError, validateLuccaUrl } from '../../lib/lucca-url.js';

describe('validateLuccaUrl: accepted', () => {
  it.each([
    ['https://acme.ilucca.net', 'https://acme.ilucca.net'],
    ['https://acme.ilucca-test.net/', 'https://acme.ilucca-test.net'],
    ['https://acme.ilucca-demo.net', 'https://acme.ilucca-demo.net'],
    ['https://acme.ilucca.ch', 'https://acme.ilucca.ch'],
    ['https://acme-sbx.sandbox.eu1.luccasoftware.com', 'https://acme-sbx.sandbox.eu1.luccasoftware.com'],
    ['https://acme-sbx.sandbox.ch1.luccasoftware.com/', 'https://acme-sbx.sandbox.ch1.luccasoftware.com'],
  ])('%s → %s', (input, normalised) => {
    expect(validateLuccaUrl(input, [])).toBe(normalised);
  });
});

describe('validateLuccaUrl: refused, with the right message', () => {
  it.each([
    ['http://acme.ilucca.net', /must use https/],
    ['ftp://acme.ilucca.net', /must use https/],
    ['https://evil.com', /evil\.com is not a Lucca host/],
    ['https://acme.ilucca.net.evil.com', /is not a Lucca host/],
    ['https://ilucca.net', /is not a Lucca host/],
    ['https://a.b.ilucca.net', /is not a Lucca host/],
    ['https://acme.ilucca.com', /is not a Lucca host/],
    ['https://acme.sandbox.us9.luccasoftware.com', /is not a Lucca host/],
    ['https://user:pw@acme.ilucca.net', /must not contain credentials/],
    ['https://acme.ilucca.net/?x=1', /must not have a query or fragment/],
    ['https://acme.ilucca.net/#top', /must not have a query or fragment/],
    ['not-a-url', /is not a URL/],
    ['', /is not a URL/],
    ['http://127.0.0.1:8080', /must use https/],
    ['https://127.0.0.1:8080', /127\.0\.0\.1 is not a Lucca host/],
    ['https://10.0.0.5', /10\.0\.0\.5 is not a Lucca host/],
    ['https://localhost', /localhost is not a Lucca host/],
  ])('%s', (input, message) => {
    expect(() => validateLuccaUrl(input, [])).toThrow(InvalidLuccaUrlError);
    expect(() => validateLuccaUrl(input, [])).toThrow(message);
  });

  it('a not-a-Lucca-host message tells how to allow a local or test host', () => {
    expect(() => validateLuccaUrl('https://evil.com', [])).toThrow(/LUCCA_ALLOWED_HOSTS/);
  });

  it('the credentials of a refused URL never appear in the message', () => {
    for (const input of ['https://user:s3cr3t@acme.ilucca.net', 'http://user:s3cr3t@acme.ilucca.net', 'https://user:s3cr3t@evil.com']) {
      let message = '';
      try {
        validateLuccaUrl(input, []);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message, input).not.toBe('');
      expect(message, input).not.toContain('s3cr3t');
    }
  });

  it('an unparsable URL with credentials in it does not echo them in the message', () => {
    // e.g. a typo in the port or host of a URL that also carries a password.
    for (const input of ['https://user:s3cr3t@acme.ilucca.net:99999', 'https://user:s3cr3t@acme ilucca.net']) {
      expect(() => validateLuccaUrl(input, []), input).toThrow(/is not a URL/);
      expect(() => validateLuccaUrl(input, []), input).not.toThrow(/s3cr3t/);
    }
  });
});

describe('validateLuccaUrl: allow-list', () => {
  it('http://127.0.0.1:8080 is refused unless allow-listed, allowed when 127.0.0.1 is in the list', () => {
    expect(() => validateLuccaUrl('http://127.0.0.1:8080', ['localhost'])).toThrow(/must use https/);
    expect(validateLuccaUrl('http://127.0.0.1:8080', ['127.0.0.1'])).toBe('http://127.0.0.1:8080');
    expect(validateLuccaUrl('http://127.0.0.1:8080/', ['127.0.0.1'])).toBe('http://127.0.0.1:8080');
  });

  it('an allow-list entry may carry the port, and matches case-insensitively', () => {
    expect(validateLuccaUrl('http://127.0.0.1:8080', ['127.0.0.1:8080'])).toBe('http://127.0.0.1:8080');
    expect(validateLuccaUrl('http://Lucca-Sim:4010', ['LUCCA-SIM'])).toBe('http://lucca-sim:4010');
  });

  it('a private address stays refused unless it is itself allow-listed', () => {
    expect(() => validateLuccaUrl('https://10.0.0.5', ['127.0.0.1'])).toThrow(/not a Lucca host/);
    expect(validateLuccaUrl('https://10.0.0.5', ['10.0.0.5'])).toBe('https://10.0.0.5');
  });

  it('allow-listed hosts still refuse other schemes, credentials and queries', () => {
    expect(() => validateLuccaUrl('ftp://127.0.0.1', ['127.0.0.1'])).toThrow(/Unsupported scheme ftp:/);
    expect(() => validateLuccaUrl('http://u:p@127.0.0.1', ['127.0.0.1'])).toThrow(/must not contain credentials/);
    expect(() => validateLuccaUrl('http://127.0.0.1/?a=b', ['127.0.0.1'])).toThrow(/query or fragment/);
  });
});

describe('validateLuccaUrl: normalisation', () => {
  it.each([
    ['https://acme.ilucca.net/', 'https://acme.ilucca.net'],
    ['https://acme.ilucca.net///', 'https://acme.ilucca.net'],
    ['https://ACME.iLucca.NET/', 'https://acme.ilucca.net'],
    ['https://acme.ilucca.net:443/', 'https://acme.ilucca.net'],
    ['https://acme.ilucca.net/base/', 'https://acme.ilucca.net/base'],
  ])('%s → %s', (input, normalised) => {
    expect(validateLuccaUrl(input, [])).toBe(normalised);
  });
});
