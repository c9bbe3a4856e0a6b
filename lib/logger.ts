import type { Logger as TemporalLogger, LogLevel as TemporalLogLevel, LogMetadata } from '@temporalio/common';
import pino, { type Logger } from 'pino';

export type { Logger };

/** Keys that may hold personal data or secrets: redacted wherever they appear (two levels deep). */
const SENSITIVE = [
  'firstName', 'lastName', 'first_name', 'last_name', 'name', 'mail', 'email', 'birthDate', 'birth_date',
  'apiKey', 'luccaKey', 'targetKey', 'authorization', 'password', 'token',
  // Secrets at rest and of the codec, and whole records or bodies, should one ever be logged by mistake.
  'luccaKeyEnc', 'targetKeyEnc', 'secret', 'cookie', 'codecToken', 'payloadKeys',
  'birthday', 'phone', 'person', 'persons', 'user', 'users', 'record', 'raw', 'body', 'payload', 'payloads',
];
const paths = SENSITIVE.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

/** Structured JSON logs with ids and counts; personal fields are censored. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths, censor: '[redacted]' }, base: undefined }, destination);
}

const TEMPORAL_LEVELS = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/**
 * The Temporal SDK's own logs (worker lifecycle, "Activity failed"…) through our pino logger, so they
 * are JSON and redacted like ours. Errors are reduced to name, message and failure type: an error's
 * other properties (e.g. a PostgreSQL error's `detail`, which quotes row values) are never printed.
 */
export function temporalLogger(logger: Logger): TemporalLogger {
  const emit = (level: TemporalLogLevel, message: string, meta?: LogMetadata) => {
    const safe: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(meta ?? {})) safe[key] = value instanceof Error ? describeError(value) : value;
    logger[TEMPORAL_LEVELS[level]]({ ...safe, source: 'temporal-sdk' }, message);
  };
  return {
    log: emit,
    trace: (message, meta) => emit('TRACE', message, meta),
    debug: (message, meta) => emit('DEBUG', message, meta),
    info: (message, meta) => emit('INFO', message, meta),
    warn: (message, meta) => emit('WARN', message, meta),
    error: (message, meta) => emit('ERROR', message, meta),
  };
}

function describeError(err: Error, depth = 0): Record<string, unknown> {
  const failureType = (err as { type?: unknown }).type;
  return {
    type: err.name,
    message: err.message,
    ...(typeof failureType === 'string' && { failureType }),
    ...(err.cause instanceof Error && depth < 3 && { cause: describeError(err.cause, depth + 1) }),
  };
}
