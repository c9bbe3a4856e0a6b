import { Agent, errors as undiciErrors, type Dispatcher } from 'undici';
import { SyncError } from '../errors.js';
import { targetLabel } from '../targets/registry.js';
import { isJsonType, jsonShape, mediaType, textExcerpt } from './answers.js';

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, or undefined when empty (or, on an error status, when it is not JSON). */
  body: unknown;
  /** The head of an error status's raw body (4xx, 5xx), for the service's own message. */
  errorText?: string;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  json?: unknown;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Bodies over this are refused while they arrive, never buffered whole (default MAX_BODY_BYTES). */
  maxBodyBytes?: number;
}

/** A keep-alive pool per process, shared by every client of one origin. */
export function createDispatcher(connections = 32): Dispatcher {
  return new Agent({ connections, keepAliveTimeout: 30_000, pipelining: 1 });
}

export const MAX_BODY_BYTES = 50 * 1024 * 1024;

/** The service as people write it, for messages: Lucca, or a target's label. */
const named = (service: string) => (service === 'lucca' ? 'Lucca' : targetLabel(service));

/** Keys that could reach a prototype if a parsed body were ever merged into another object. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * JSON.parse that drops `__proto__`, `constructor` and `prototype` keys at every depth: a remote
 * body can then never carry a prototype-pollution gadget into our objects. Throws SyntaxError.
 */
export function parseJsonSafely(text: string): unknown {
  // The reviver costs a call per value (about 1 s of CPU per 100,000 employees). A body that cannot
  // hold one of those keys skips it: none of them written out, and no \u escape of an ASCII letter or
  // underscore (\u0040-\u007f), the only way to spell one without its plain letters.
  if (!MAYBE_PROTOTYPE_KEY.test(text)) return JSON.parse(text);
  return JSON.parse(text, (key, value: unknown) => (PROTOTYPE_KEYS.has(key) ? undefined : value));
}

const MAYBE_PROTOTYPE_KEY = /__proto__|constructor|prototype|\\u00[4-7]/i;

/**
 * Sends one request. Network failures, timeouts and unreadable bodies become retryable SyncErrors
 * naming the service (never the URL's query, which may carry an email filter).
 */
export async function send(dispatcher: Dispatcher, service: string, req: HttpRequest): Promise<HttpResponse> {
  const timeout = req.timeoutMs ?? 30_000;
  let response: Dispatcher.ResponseData;
  try {
    response = await dispatcher.request({
      origin: new URL(req.url).origin,
      path: new URL(req.url).pathname + new URL(req.url).search,
      method: req.method,
      headers: {
        accept: 'application/json',
        ...(req.json !== undefined && { 'content-type': 'application/json' }),
        ...req.headers,
      },
      body: req.json === undefined ? null : JSON.stringify(req.json),
      headersTimeout: timeout,
      bodyTimeout: timeout,
      signal: req.signal ?? null,
    });
  } catch (err) {
    if (req.signal?.aborted) throw err;
    throw new SyncError(`${service}_unreachable`, `${named(service)} did not answer (${describe(err)}); will retry.`, true);
  }
  const limit = req.maxBodyBytes ?? MAX_BODY_BYTES;
  const tooLarge = () => new SyncError(`${service}_body_too_large`, `${named(service)} sent a body over ${limit} bytes.`, false);
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    response.body.destroy();
    throw tooLarge();
  }
  let text: string;
  try {
    text = await readBounded(response.body, limit);
  } catch (err) {
    if (err === TOO_LARGE) throw tooLarge();
    throw new SyncError(`${service}_body_lost`, `${named(service)}'s answer was cut off (${describe(err)}); will retry.`, true);
  }
  // A UTF-8 byte-order mark is not part of the JSON text (RFC 8259 §8.1): dropped, the rest parsed.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const status = response.statusCode;
  const contentType = response.headers['content-type'];
  if (status >= 400) {
    return { status, headers: response.headers, body: parseOrUndefined(text), errorText: text.slice(0, 4000) };
  }
  const what = { service, method: req.method, path: new URL(req.url).pathname, status, contentType };
  if (text.trim() !== '' && !isJsonType(contentType)) {
    // A login or firewall page, a proxy's notice: not the service's API answering.
    throw unexpectedAnswer(what, textExcerpt(text), `${service}_not_json`);
  }
  let body: unknown;
  if (text.trim() !== '') {
    try {
      body = parseJsonSafely(text);
    } catch (err) {
      // A body that ends early is a transport fault (a cut connection, a proxy's buffer): retried
      // like one. Anything else is an answer we cannot read: a few attempts, then the run stops.
      if (endsEarly(err, text)) {
        throw new SyncError(`${service}_body_lost`, `${named(service)}'s answer was cut off (the JSON ends early); will retry.`, true);
      }
      throw unexpectedAnswer(what, `not valid JSON, ${textExcerpt(text)}`, `${service}_bad_json`);
    }
  }
  return { status, headers: response.headers, body };
}

function parseOrUndefined(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return parseJsonSafely(text);
  } catch {
    return undefined;
  }
}

/** Whether a JSON.parse failure is at the very end of the text: a prefix of a JSON document. */
function endsEarly(err: unknown, text: string): boolean {
  if (!(err instanceof SyntaxError)) return false;
  if (/end of JSON input/i.test(err.message)) return true;
  const at = /at position (\d+)/.exec(err.message)?.[1];
  return at !== undefined && Number(at) >= text.trimEnd().length;
}

/** Attempts an activity makes at an answer we cannot use before the run stops (the first one and two retries). */
export const MALFORMED_ATTEMPTS = 3;

const ADVICE: Record<string, string> = {
  lucca: "Check the connection's Lucca URL, and that no proxy, firewall or login page stands between the worker and Lucca; " +
    'if Lucca changed its API, report it to the connector maintainers.',
};
const DEFAULT_ADVICE = "Check the connection's target URL, and that no proxy, firewall or login page stands in the way; " +
  "if the service changed its API, report it to the connector maintainers.";

export interface AnswerContext {
  service: string;
  method: string;
  /** The path only: a query may carry a filter value. */
  path: string;
  status: number;
  contentType: string | string[] | undefined;
}

/**
 * An answer with a success status that we cannot use: not JSON, or JSON without the documented
 * shape. Retried a few times (MALFORMED_ATTEMPTS: a flapping proxy), then the run stops with a
 * message naming the endpoint, status, content type and a PII-free excerpt.
 */
export function unexpectedAnswer(at: AnswerContext, excerpt: string, code = `${at.service}_bad_response`): SyncError {
  const label = named(at.service);
  return new SyncError(
    code,
    `${label}'s answer to ${at.method} ${at.path.split('?')[0]} is not what its API sends (${at.status}, ${mediaType(at.contentType)}): ` +
      `${excerpt}. ${ADVICE[at.service] ?? DEFAULT_ADVICE}`,
    true,
    undefined,
    undefined,
    MALFORMED_ATTEMPTS,
  );
}

/** unexpectedAnswer for a parsed JSON body without the documented shape: its shape is the excerpt. */
export function unexpectedShape(service: string, method: string, path: string, res: HttpResponse, expected: string, code?: string): SyncError {
  return unexpectedAnswer(
    { service, method, path, status: res.status, contentType: res.headers['content-type'] },
    `expected ${expected}, got ${jsonShape(res.body)}`,
    code,
  );
}

const TOO_LARGE = Symbol('body too large');

/** Reads a body up to `limit` bytes; past it, stops reading, destroys the stream and throws TOO_LARGE. */
async function readBounded(body: Dispatcher.ResponseData['body'], limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      throw TOO_LARGE;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

function describe(err: unknown): string {
  if (err instanceof undiciErrors.UndiciError) return err.code;
  if (err instanceof Error && 'code' in err) return String((err as { code: unknown }).code);
  return err instanceof Error ? err.name : 'unknown error';
}

/** IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT` (RFC 9110 §5.6.7); Date.parse alone accepts junk. */
const HTTP_DATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/** Retry-After in ms (seconds or HTTP date), bounded to [1 s, 5 min]; default 10 s. */
export function retryAfterMs(headers: HttpResponse['headers'], now = Date.now()): number {
  const raw = headers['retry-after'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  let ms = 10_000;
  if (value !== undefined && /^\d+(\.\d+)?$/.test(value.trim())) ms = Number(value) * 1000;
  else if (value !== undefined && HTTP_DATE.test(value.trim())) ms = Date.parse(value) - now;
  return Math.min(300_000, Math.max(1000, ms));
}

/** The common status rules for read calls: 429 waits, 408/5xx retry, others are the caller's. */
export function throwForTransient(service: string, res: HttpResponse): void {
  if (res.status === 429) {
    const wait = retryAfterMs(res.headers);
    throw new SyncError(`${service}_rate_limited`, `${named(service)} asked us to slow down (429); retrying in ${Math.round(wait / 1000)} s.`, true, wait);
  }
  if (res.status === 408 || res.status >= 500) {
    throw new SyncError(`${service}_unavailable`, `${named(service)} answered ${res.status}; will retry with backoff.`, true, undefined, res.status);
  }
}
