import type { ScheduleSpec, ScheduleSpecDescription } from '@temporalio/client';
import { z } from 'zod';
import { UsageError } from './errors.js';

/** When a connection syncs: daily at a wall-clock time in an IANA zone, or every four hours. */
export type Cadence = { kind: 'daily'; hour: number; minute: number; timezone: string } | { kind: 'every-4h' };

export const DEFAULT_AT = '06:00';
export const DEFAULT_TZ = 'Europe/Paris';
const FOUR_HOURS_MS = 4 * 60 * 60 * 1000;

export const TimeSchema = z
  .string()
  .regex(/^\d{1,2}:\d{2}$/, 'expected HH:MM between 00:00 and 23:59, e.g. 06:00')
  .transform((v) => v.split(':').map(Number) as [number, number])
  .refine(([h, m]) => h <= 23 && m <= 59, 'expected HH:MM between 00:00 and 23:59, e.g. 06:00');

/** An IANA zone name the runtime knows (canonical spelling, as Temporal's server expects it). */
export const TimeZoneSchema = z.string().transform((name, ctx) => {
  if (/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name)) {
    try {
      return new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone;
    } catch {
      // falls through to the issue below
    }
  }
  ctx.addIssue({ code: 'custom', message: 'expected an IANA time zone such as Europe/Paris, America/New_York or UTC' });
  return z.NEVER;
});

export const CadenceKindSchema = z.enum(['daily', 'every-4h']);

export interface CadenceOptions {
  schedule?: string | undefined;
  at?: string | undefined;
  tz?: string | undefined;
}

function parseOrThrow<T>(schema: z.ZodType<T, string>, value: string, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new UsageError(`bad ${what} "${value}": ${result.error.issues[0]?.message ?? 'invalid'}.`);
}

/** Validates --schedule / --at / --tz (defaults: daily 06:00 Europe/Paris). Throws UsageError. */
export function parseCadence(options: CadenceOptions): Cadence {
  const kind = parseOrThrow(CadenceKindSchema, options.schedule ?? 'daily', '--schedule');
  if (kind === 'every-4h') {
    if (options.at !== undefined || options.tz !== undefined) {
      throw new UsageError('--at and --tz only apply to a daily schedule: drop them, or use --schedule daily.');
    }
    return { kind };
  }
  const [hour, minute] = parseOrThrow(TimeSchema, options.at ?? DEFAULT_AT, 'time (--at)');
  const timezone = parseOrThrow(TimeZoneSchema, options.tz ?? DEFAULT_TZ, 'time zone (--tz)');
  return { kind, hour, minute, timezone };
}

const pad = (n: number) => String(n).padStart(2, '0');

export function describeCadence(cadence: Cadence): string {
  return cadence.kind === 'daily' ? `daily at ${pad(cadence.hour)}:${pad(cadence.minute)} (${cadence.timezone})` : 'every 4 hours';
}

export function specFor(cadence: Cadence): ScheduleSpec {
  if (cadence.kind === 'every-4h') return { intervals: [{ every: '4h' }] };
  return { calendars: [{ hour: cadence.hour, minute: cadence.minute, comment: 'daily sync' }], timezone: cadence.timezone };
}

/** Reads a cadence back from a described spec; null when the spec was written by someone else. */
export function cadenceFromSpec(spec: ScheduleSpecDescription): Cadence | null {
  const interval = spec.intervals?.[0];
  if (interval && interval.every === FOUR_HOURS_MS && !spec.calendars?.length) return { kind: 'every-4h' };
  const calendar = spec.calendars?.[0];
  const hour = calendar?.hour[0]?.start;
  const minute = calendar?.minute[0]?.start;
  if (calendar && hour !== undefined && minute !== undefined && !spec.intervals?.length) {
    return { kind: 'daily', hour, minute, timezone: spec.timezone ?? 'UTC' };
  }
  return null;
}
