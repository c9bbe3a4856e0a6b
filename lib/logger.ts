import pino, { type Logger } from 'pino';

export type { Logger };

/** Keys that may hold personal data or secrets: redacted wherever they appear (two levels deep). */
const SENSITIVE = [
  'firstName', 'lastName', 'first_name', 'last_name', 'name', 'mail', 'email', 'birthDate', 'birth_date',
  'apiKey', 'luccaKey', 'targetKey', 'authorization', 'password', 'token',
];
const paths = SENSITIVE.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

/** Structured JSON logs with ids and counts; personal fields are censored. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths, censor: '[redacted]' }, base: undefined }, destination);
}
