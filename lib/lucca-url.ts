/** Lucca's own host patterns (docs/lucca-api.md §0): production, test, demo, and sandboxes. */
const LUCCA_HOST = [
  /^[a-z0-9-]+\.ilucca(-test|-demo)?\.(net|ch)$/,
  /^[a-z0-9-]+\.sandbox\.(eu1|eu2|ch1)\.luccasoftware\.com$/,
];

/** A connection URL refused by validateLuccaUrl or validateTargetUrl; the message says why and what to do. */
export class InvalidConnectionUrlError extends Error {
  override name = 'InvalidConnectionUrlError';
}

export class InvalidLuccaUrlError extends InvalidConnectionUrlError {
  override name = 'InvalidLuccaUrlError';
}

export class InvalidTargetUrlError extends InvalidConnectionUrlError {
  override name = 'InvalidTargetUrlError';
}

/**
 * Checks a Lucca instance URL before any request: https on a Lucca host, or any scheme on a host of
 * the explicit allow-list (local simulators, test instances). Returns the normalised base URL.
 */
export function validateLuccaUrl(input: string, allowedHosts: readonly string[]): string {
  return checkedBaseUrl(input, allowedHosts, {
    name: 'Lucca', example: 'https://yourcompany.ilucca.net', internalPrefix: 'is not a Lucca host: it is',
    fail: (message) => new InvalidLuccaUrlError(message),
    hostProblem: (host) => LUCCA_HOST.some((pattern) => pattern.test(host)) ? null :
      `${host} is not a Lucca host (expected <company>.ilucca.net, .ilucca-test.net, .ilucca-demo.net, .ch, or a ` +
        'luccasoftware.com sandbox). For a local or test host, add it to LUCCA_ALLOWED_HOSTS.',
  });
}

/**
 * Checks a target's API URL (HappyPal, Reflect) by the same rules without the host pattern: https,
 * and not a loopback, private or link-local address, unless the host is on the same allow-list.
 * Whoever adds a connection chooses its URLs; without this, a target URL could make the worker call
 * internal services with a bearer key. Returns the normalised base URL.
 */
export function validateTargetUrl(input: string, allowedHosts: readonly string[]): string {
  return checkedBaseUrl(input, allowedHosts, {
    name: 'target', example: 'https://api.happypal.fr', internalPrefix: 'is',
    fail: (message) => new InvalidTargetUrlError(message),
    hostProblem: () => null,
  });
}

/** An alert channel's URL (webhook, Slack): the same rules as a target URL, named as what it is. */
export function validateAlertUrl(input: string, allowedHosts: readonly string[], name = 'webhook'): string {
  return checkedBaseUrl(input, allowedHosts, {
    name, example: 'https://hooks.example.com/lucca-sync', internalPrefix: 'is',
    fail: (message) => new InvalidConnectionUrlError(message),
    hostProblem: () => null,
  });
}

interface UrlRules {
  /** As written in messages: "The Lucca URL…", "Lucca URLs must use https". */
  name: string;
  example: string;
  /** "<host> <internalPrefix> a private address (…)". */
  internalPrefix: string;
  fail(message: string): Error;
  /** What is wrong with a public host that is not allow-listed, if anything. */
  hostProblem(host: string): string | null;
}

function checkedBaseUrl(input: string, allowedHosts: readonly string[], rules: UrlRules): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    // The input is not echoed: a malformed URL may still carry a password.
    throw rules.fail(`The ${rules.name} URL is not a URL: expected e.g. ${rules.example}`);
  }
  const host = url.hostname.toLowerCase();
  // IPv6 entries match with or without brackets (`::1` or `[::1]`).
  const bare = (h: string) => h.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  const allowListed = allowedHosts.some((allowed) => bare(allowed) === bare(host) || allowed.toLowerCase() === url.host);
  const Name = rules.name[0]?.toUpperCase() + rules.name.slice(1);
  if (!allowListed) {
    if (url.protocol !== 'https:') throw rules.fail(`${Name} URLs must use https (got ${url.protocol}//${url.host}).`);
    const internal = internalAddressKind(host);
    if (internal) {
      throw rules.fail(
        `${host} ${rules.internalPrefix} ${internal}, refused so that a connection cannot reach internal ` +
          'services. For a local or test host, add it to LUCCA_ALLOWED_HOSTS.',
      );
    }
    const problem = rules.hostProblem(host);
    if (problem) throw rules.fail(problem);
  } else if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw rules.fail(`Unsupported scheme ${url.protocol}: use https.`);
  }
  if (url.username || url.password) throw rules.fail(`The ${rules.name} URL must not contain credentials.`);
  if (url.search || url.hash) throw rules.fail(`The ${rules.name} URL must not have a query or fragment.`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * The hosts exempt from the checks for one connection: LUCCA_ALLOWED_HOSTS, plus the connection's
 * own list (set only by the demo for its local simulators, so the allowance never widens for the
 * other connections nor for other processes' settings).
 */
export function allowedHostsFor(globalHosts: readonly string[], connection: { allowedHosts: readonly string[] }): string[] {
  return [...globalHosts, ...connection.allowedHosts];
}

/**
 * What kind of non-public address a host is (loopback, private, link-local…), or null. IPv4 forms
 * (`0x7f.1`, `2130706433`) are already normalised to dotted decimal by the URL parser; IPv6 hosts
 * come bracketed. IPv4-mapped IPv6 (`::ffff:10.0.0.1`) is judged by its IPv4 address.
 */
export function internalAddressKind(hostname: string): string | null {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return 'a loopback name (localhost)';
  const v4 = parseIpv4(host);
  if (v4) return ipv4Kind(v4);
  if (host.startsWith('[') && host.endsWith(']')) {
    const v6 = parseIpv6(host.slice(1, -1));
    if (v6) return ipv6Kind(v6);
  }
  return null;
}

type Ipv4 = [number, number, number, number];

const IPV4_RANGES: [Ipv4, number, string][] = [
  [[0, 0, 0, 0], 8, 'an unspecified address (0.0.0.0/8)'],
  [[10, 0, 0, 0], 8, 'a private address (10.0.0.0/8)'],
  [[100, 64, 0, 0], 10, 'a carrier-grade NAT address (100.64.0.0/10)'],
  [[127, 0, 0, 0], 8, 'a loopback address (127.0.0.0/8)'],
  [[169, 254, 0, 0], 16, 'a link-local address (169.254.0.0/16)'],
  [[172, 16, 0, 0], 12, 'a private address (172.16.0.0/12)'],
  [[192, 168, 0, 0], 16, 'a private address (192.168.0.0/16)'],
];

function parseIpv4(host: string): Ipv4 | null {
  const parts = host.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
  return parts.map(Number) as Ipv4;
}

function ipv4Kind(ip: Ipv4): string | null {
  const value = ((ip[0] << 24) | (ip[1] << 16) | (ip[2] << 8) | ip[3]) >>> 0;
  for (const [base, bits, label] of IPV4_RANGES) {
    const b = ((base[0] << 24) | (base[1] << 16) | (base[2] << 8) | base[3]) >>> 0;
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    if ((value & mask) >>> 0 === (b & mask) >>> 0) return label;
  }
  return null;
}

/** Eight 16-bit groups, or null when not an IPv6 address. */
function parseIpv6(text: string): number[] | null {
  let body = text.split('%')[0] ?? '';
  const tail: number[] = [];
  const dotted = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(body);
  if (dotted?.[1]) {
    const v4 = parseIpv4(dotted[1]);
    if (!v4) return null;
    tail.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
    body = body.slice(0, -dotted[1].length);
    if (body.endsWith(':') && !body.endsWith('::')) body = body.slice(0, -1);
  }
  const halves = body.split('::');
  if (halves.length > 2) return null;
  const group = (s: string) => (s === '' ? [] : s.split(':'));
  const head = group(halves[0] ?? '');
  const rest = halves.length === 2 ? group(halves[1] ?? '') : [];
  if (![...head, ...rest].every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  const known = head.length + rest.length + tail.length;
  if (halves.length === 1 ? known !== 8 : known > 7) return null;
  const zeros = new Array<number>(8 - known).fill(0);
  return [...head.map((g) => parseInt(g, 16)), ...(halves.length === 2 ? zeros : []), ...rest.map((g) => parseInt(g, 16)), ...tail];
}

function ipv6Kind(g: number[]): string | null {
  const [g0 = 0, , , , , g5 = 0, g6 = 0, g7 = 0] = g;
  const allZeroUntil = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (allZeroUntil(7) && g7 === 1) return 'a loopback address (::1)';
  if (allZeroUntil(8)) return 'an unspecified address (::)';
  if (allZeroUntil(5) && g5 === 0xffff) {
    return ipv4Kind([g6 >> 8, g6 & 0xff, g7 >> 8, g7 & 0xff]) ?? null;
  }
  if ((g0 & 0xfe00) === 0xfc00) return 'a unique local address (fc00::/7)';
  if ((g0 & 0xffc0) === 0xfe80) return 'a link-local address (fe80::/10)';
  return null;
}
