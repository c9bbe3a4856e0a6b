import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { Logger } from '../logger.js';
import { PayloadDecryptionError, UnknownPayloadKeyError } from './encryption-codec.js';
import { secretsEqual } from './payload-keys.js';

/**
 * The codec endpoint: lets the Temporal Web UI and `temporal --codec-endpoint` show decrypted
 * payloads to an authorised operator. The remote codec protocol (samples-go codec-server/protocol.md):
 *
 *   POST …/decode | …/encode, body and answer: proto-JSON Payloads
 *   `{"payloads":[{"metadata":{"encoding":"<base64>",…},"data":"<base64>"}]}`
 *
 * Access: `Authorization: Bearer <token>` (CLI: `--codec-auth 'Bearer <token>'`), or the token as
 * the first path segment, `/<token>/decode`: the Web UI cannot add a header of ours (it only
 * forwards its own OIDC access token, over https), so its endpoint setting carries the token.
 * Browsers are allowed from the listed origins only (CORS with credentials). Listens on loopback
 * unless told otherwise. Payload contents are never logged nor echoed in errors.
 */
export interface CodecServerOptions {
  codec: PayloadCodec;
  token: string;
  /** Browser origins allowed (the Web UI's), e.g. http://localhost:8233. */
  allowedOrigins: readonly string[];
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8888; 0 picks a free port. */
  port?: number;
  maxBodyBytes?: number;
  logger?: Logger;
}

export interface RunningCodecServer {
  /** Base URL for the CLI: `--codec-endpoint <url> --codec-auth 'Bearer <token>'`. */
  url: string;
  /** Endpoint for the Web UI's codec setting (carries the token in its path). */
  uiEndpoint: string;
  close(): Promise<void>;
}

const ALLOW_HEADERS = 'content-type, x-namespace, authorization';
const DEFAULT_MAX_BODY = 32 * 1024 * 1024;

/** The local Web UI's origins for a UI port (the dev server answers on both names). */
export function localUiOrigins(uiPort: number): string[] {
  return [`http://localhost:${uiPort}`, `http://127.0.0.1:${uiPort}`];
}

export async function startCodecServer(options: CodecServerOptions): Promise<RunningCodecServer> {
  if (options.token.length < 16) throw new Error('The codec endpoint token must have at least 16 characters.');
  const handler = createCodecHandler(options);
  const server = createServer((req, res) => {
    handler(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { message: 'The codec endpoint failed.' });
      else res.destroy();
    });
  });
  server.requestTimeout = 30_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8888, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    uiEndpoint: `${url}/${encodeURIComponent(options.token)}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The request handler alone (exported for tests that mount it themselves). */
export function createCodecHandler(options: CodecServerOptions) {
  const allowed = new Set(options.allowedOrigins.map((o) => o.replace(/\/+$/, '').toLowerCase()));
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const origin = req.headers.origin;
    if (origin !== undefined) {
      if (!allowed.has(origin.toLowerCase())) {
        options.logger?.warn({ event: 'codec_origin_refused' }, 'codec endpoint: browser origin not allowed');
        return sendJson(res, 403, { message: 'This origin may not call the codec endpoint (see CODEC_ALLOWED_ORIGINS).' });
      }
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Vary', 'Origin');
    }
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', ALLOW_HEADERS);
      res.setHeader('Access-Control-Max-Age', '600');
      res.writeHead(200).end();
      return;
    }

    const segments = new URL(req.url ?? '/', 'http://codec.invalid').pathname.split('/').filter(Boolean);
    if (!authorised(req, segments, options.token)) {
      options.logger?.warn({ event: 'codec_unauthorised' }, 'codec endpoint: request without a valid token');
      res.setHeader('WWW-Authenticate', 'Bearer realm="codec"');
      return sendJson(res, 401, { message: 'A valid codec token is required (Authorization: Bearer <token>).' });
    }
    const op = segments.at(-1);
    if ((op !== 'decode' && op !== 'encode') || segments.length > 2) {
      return sendJson(res, 404, { message: 'Not found: use POST /decode or POST /encode.' });
    }
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST, OPTIONS');
      return sendJson(res, 405, { message: `Use POST for /${op}.` });
    }

    const body = await readBody(req, maxBody);
    if (body === null) return sendJson(res, 413, { message: `The body is over ${maxBody} bytes.` });
    const payloads = parsePayloads(body);
    if (typeof payloads === 'string') return sendJson(res, 400, { message: payloads });

    let converted: Payload[];
    try {
      converted = op === 'decode' ? await options.codec.decode(payloads) : await options.codec.encode(payloads);
    } catch (err) {
      if (err instanceof UnknownPayloadKeyError || err instanceof PayloadDecryptionError) {
        return sendJson(res, 422, { message: err.message });
      }
      throw err;
    }
    options.logger?.info({ event: `codec_${op}`, payloads: converted.length }, `codec endpoint: ${op}`);
    sendJson(res, 200, { payloads: converted.map(toJson) });
  };
}

function authorised(req: IncomingMessage, segments: string[], token: string): boolean {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match !== null && secretsEqual(match[1] ?? '', token);
  }
  if (segments.length === 2) {
    let first: string;
    try {
      first = decodeURIComponent(segments[0] ?? '');
    } catch {
      return false;
    }
    return secretsEqual(first, token);
  }
  return false;
}

/** The body as text, or null when it is over `max` bytes (stops keeping it there, drains the rest). */
function readBody(req: IncomingMessage, max: number): Promise<string | null> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) {
    req.resume();
    return Promise.resolve(null);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) return void chunks.push(chunk);
      req.off('data', onData);
      req.resume();
      chunks.length = 0;
      resolve(null);
    };
    req.on('data', onData);
    req.once('end', () => resolve(size > max ? null : Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** Proto-JSON Payloads → Payload[], or a message saying what is wrong (never the content). */
export function parsePayloads(text: string): Payload[] | string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'The body is not JSON: expected {"payloads":[{"metadata":{…},"data":"<base64>"}]}.';
  }
  if (!isRecord(json)) return 'Expected a JSON object with a "payloads" array.';
  const list = json.payloads ?? [];
  if (!Array.isArray(list)) return '"payloads" must be an array.';
  const out: Payload[] = [];
  for (const [index, item] of list.entries()) {
    if (!isRecord(item)) return `payloads[${index}] must be an object.`;
    const { metadata = {}, data = '' } = item;
    if (!isRecord(metadata)) return `payloads[${index}].metadata must be an object of base64 strings.`;
    const entries: [string, Uint8Array][] = [];
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string' || !BASE64.test(value)) return `payloads[${index}].metadata values must be base64 strings.`;
      entries.push([key, Buffer.from(value, 'base64')]);
    }
    if (typeof data !== 'string' || !BASE64.test(data)) return `payloads[${index}].data must be a base64 string.`;
    // fromEntries defines own properties: a "__proto__" metadata key cannot reach a prototype.
    out.push({ metadata: Object.fromEntries(entries), data: Buffer.from(data, 'base64') });
  }
  return out;
}

function toJson(payload: Payload): { metadata: Record<string, string>; data: string } {
  const metadata = Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
  );
  return { metadata, data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64') };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}
