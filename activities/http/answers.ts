/**
 * What an answer we cannot use looked like, told without personal data: a page's title or first
 * words (digits and emails masked), a JSON body's shape (never its values), a remote error message
 * (values masked, capped). Pure functions: the clients build their error messages from them.
 */

const EMAIL = /[^\s@<>"'(),;:=]+@[^\s@<>"'(),;:=]+/g;
const DATE = /\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?/g;
const QUOTED = /"[^"]*"/g;
const LONG_NUMBER = /\d{5,}/g;
/** Only the head of a body is looked at: an excerpt needs no more, and the masks stay cheap on a 50 MB body. */
const HEAD = 2000;
const head = (text: string) => text.slice(0, HEAD);

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]+/g;

/** Collapses whitespace and control characters, cuts at `max` characters (with an ellipsis). */
export function clip(text: string, max: number): string {
  const flat = text.replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}

/** A page's or a text's first words: emails and every digit masked (a name, a phone or an id never passes whole). */
export function maskedWords(text: string, maxWords = 8, maxChars = 60): string {
  const masked = head(text).replace(CONTROL, ' ').replace(EMAIL, '<email>').replace(/\d/g, '#');
  return clip(masked.split(/\s+/).filter(Boolean).slice(0, maxWords).join(' '), maxChars);
}

/** The visible title of an HTML page, or its first words; '' when it has none. */
export function htmlExcerpt(page: string): string {
  const html = page.slice(0, 4 * HEAD);
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1];
  const text = title && decodeEntities(title).trim() !== ''
    ? decodeEntities(title)
    : decodeEntities(html.replace(/<(script|style|head)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]*>/g, ' '));
  const words = maskedWords(text);
  return words === '' ? '' : `${title ? 'page title' : 'page text'} "${words}"`;
}

function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: ' ' })[name] ?? ' ');
}

/** The shape of a JSON value, never its values: `top-level keys: data, meta`, `a top-level array of 3 items`. */
export function jsonShape(value: unknown): string {
  if (value === undefined) return 'an empty body';
  if (Array.isArray(value)) return `a top-level array of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (value === null) return 'a JSON null';
  if (typeof value !== 'object') return `a JSON ${typeof value}`;
  const keys = Object.keys(value);
  if (keys.length === 0) return 'an empty JSON object';
  const shown = keys.slice(0, 6).map((k) => maskedWords(k, 1, 30));
  return `top-level keys: ${shown.join(', ')}${keys.length > shown.length ? ` and ${keys.length - shown.length} more` : ''}`;
}

/** A short, PII-free excerpt of a body that is not the JSON we expected (HTML, plain text, broken JSON). */
export function textExcerpt(text: string): string {
  if (/^\s*</.test(text)) return htmlExcerpt(text) || 'markup with no readable text';
  const words = maskedWords(text, 6, 40);
  return words === '' ? 'an empty body' : `starts "${words}"`;
}

/** The media type of a Content-Type header (`text/html`), bounded; `no content type` when absent. */
export function mediaType(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  const type = value?.split(';')[0]?.trim().toLowerCase();
  return type ? clip(type.replace(/[^a-z0-9!#$&^_.+/-]/g, ''), 60) || 'an unreadable content type' : 'no content type';
}

/** JSON, or a `+json` suffix (problem+json); a missing Content-Type is given the benefit of the doubt. */
export function isJsonType(header: string | string[] | undefined): boolean {
  const type = mediaType(header);
  return type === 'no content type' || type === 'application/json' || type === 'text/json' || type.endsWith('+json');
}

/**
 * A remote error message made safe to keep: emails, dates, double-quoted values and long numbers
 * masked, one line, at most `max` characters. Lucca's messages name parameters and properties
 * (`Selected property toto does not exist on objet of type User`), which stay readable.
 */
export function sanitizeRemoteMessage(text: string, max = 200): string {
  return clip(head(text).replace(EMAIL, '<email>').replace(DATE, '<date>').replace(QUOTED, '"…"').replace(LONG_NUMBER, '<number>'), max);
}

/**
 * Lucca's own message in an error body, in the shapes Lucca documents or sends:
 * - RFC 7807 problem details (`application/problem+json`: `title`, `detail`, `errors: {field: [messages]}`),
 *   https://developers.lucca.fr/documentation/using-api/errors;
 * - the legacy v3 APIs (RestDrivenDomain's exception middleware) write the exception's message as
 *   the raw body, with `Content-Type: application/json` although it is plain text;
 * - ASP.NET's `{"Message": …}` (e.g. "Authorization has been denied for this request.").
 * Returns the sanitised message, or null when the body holds none (an HTML page, an empty body).
 */
export function luccaErrorMessage(body: unknown, text: string | undefined): string | null {
  if (typeof body === 'string') return nonEmpty(sanitizeRemoteMessage(body));
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const o = body as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
    const main = str(o.detail) ?? str(o.title) ?? str(o.Message) ?? str(o.message) ?? str(o.error_description);
    const fields = o.errors && typeof o.errors === 'object' && !Array.isArray(o.errors)
      ? Object.entries(o.errors as Record<string, unknown>).slice(0, 5).map(([field, messages]) => {
        const first = Array.isArray(messages) ? messages.find((m) => typeof m === 'string') : str(messages);
        return `${field}: ${typeof first === 'string' ? first : 'invalid'}`;
      })
      : [];
    const message = [main, fields.length > 0 ? fields.join('; ') : undefined].filter(Boolean).join(' — ');
    return nonEmpty(sanitizeRemoteMessage(message));
  }
  if (body === undefined && text !== undefined && !/^\s*</.test(text)) return nonEmpty(sanitizeRemoteMessage(text));
  return null;
}

const nonEmpty = (s: string) => (s === '' ? null : s);
