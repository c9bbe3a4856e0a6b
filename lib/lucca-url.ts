/** Lucca's own host patterns (reference/lucca-api.md §0): production, test, demo, and sandboxes. */
const LUCCA_HOST = [
  /^[a-z0-9-]+\.ilucca(-test|-demo)?\.(net|ch)$/,
  /^[a-z0-9-]+\.sandbox\.(eu1|eu2|ch1)\.luccasoftware\.com$/,
];

export class InvalidLuccaUrlError extends Error {
  override name = 'InvalidLuccaUrlError';
}

/**
 * Checks a Lucca instance URL before any request: https on a Lucca host, or any scheme on a host of
 * the explicit allow-list (local simulators, test instances). Returns the normalised base URL.
 */
export function validateLuccaUrl(input: string, allowedHosts: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    // The input is not echoed: a malformed URL may still carry a password.
    throw new InvalidLuccaUrlError('The Lucca URL is not a URL: expected e.g. https://yourcompany.ilucca.net');
  }
  const host = url.hostname.toLowerCase();
  const allowListed = allowedHosts.some((allowed) => allowed.toLowerCase() === host || allowed.toLowerCase() === url.host);
  if (!allowListed) {
    if (url.protocol !== 'https:') throw new InvalidLuccaUrlError(`Lucca URLs must use https (got ${url.protocol}//${url.host}).`);
    if (!LUCCA_HOST.some((pattern) => pattern.test(host))) {
      throw new InvalidLuccaUrlError(
        `${host} is not a Lucca host (expected <company>.ilucca.net, .ilucca-test.net, .ilucca-demo.net, .ch, or a ` +
          'luccasoftware.com sandbox). For a local or test host, add it to LUCCA_ALLOWED_HOSTS.',
      );
    }
  } else if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidLuccaUrlError(`Unsupported scheme ${url.protocol}: use https.`);
  }
  if (url.username || url.password) throw new InvalidLuccaUrlError('The Lucca URL must not contain credentials.');
  if (url.search || url.hash) throw new InvalidLuccaUrlError('The Lucca URL must not have a query or fragment.');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
