import { InvalidConnectionUrlError } from '../lib/lucca-url.js';

/**
 * What a service refuses, typed so each front end words it its own way: the CLI prints one
 * `error: …` line (exit 2, or 1 for `busy`), the console shows it next to the form field.
 * - invalid: the input is wrong (`field` names it); not_found: no such connection;
 * - conflict: the name is taken; refused: a check failed or a confirmation is missing;
 * - busy: a sync of the connection is running; forbidden: the actor's role may not do this.
 */
export type ServiceErrorKind = 'invalid' | 'not_found' | 'conflict' | 'refused' | 'busy' | 'forbidden';

export class ServiceError extends Error {
  override name = 'ServiceError';
  constructor(readonly kind: ServiceErrorKind, message: string, readonly field?: string) {
    super(message);
  }
}

/** A URL checked by `check` (lib/lucca-url.ts); a refused one is the service's `invalid`, naming the field. */
export function checkedUrl(field: 'luccaUrl' | 'targetUrl', check: () => string): string {
  try {
    return check();
  } catch (err) {
    if (err instanceof InvalidConnectionUrlError) throw new ServiceError('invalid', err.message, field);
    throw err;
  }
}
