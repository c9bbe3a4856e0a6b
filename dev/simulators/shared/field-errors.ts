import type { z } from 'zod';

/** Field → messages, the `fields` map of a `validation_failed` error. */
export type FieldErrors = Record<string, string[]>;

export function addFieldError(errors: FieldErrors, field: string, message: string): void {
  const list = errors[field] ?? (errors[field] = []);
  if (!list.includes(message)) list.push(message);
}

/**
 * Turns zod issues into API field errors with stable, human wording. Parse with
 * `{ reportInput: true }` so a missing field reads "is required" rather than "must be a string".
 */
export function zodFieldErrors(error: z.ZodError, root = 'body'): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) addFieldError(errors, path ? `${path}.${key}` : key, 'unknown field');
      continue;
    }
    addFieldError(errors, path || root, issueMessage(issue));
  }
  return errors;
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code !== 'invalid_type') return issue.message;
  if (issue.input === undefined) return 'is required';
  if (issue.input === null) return 'must not be null';
  if (!issue.message.startsWith('Invalid input')) return issue.message;
  const expected = String(issue.expected);
  return `must be ${/^[aeiou]/.test(expected) ? 'an' : 'a'} ${expected}`;
}
