import { describe, expect, it } from 'vitest';
import { retryAfterMs } from '../../activities/http/http.js';

const NOW = Date.parse('2025-06-15T12:00:00Z');
const at = (value: string | string[] | undefined) => retryAfterMs({ 'retry-after': value }, NOW);

describe('retryAfterMs', () => {
  it('seconds', () => {
    expect(at('5')).toBe(5_000);
    expect(at('120')).toBe(120_000);
    expect(at(' 30 ')).toBe(30_000);
  });

  it('fractional seconds', () => {
    expect(at('1.5')).toBe(1_500);
    expect(at('2.25')).toBe(2_250);
  });

  it('an HTTP date, relative to now', () => {
    expect(at(new Date(NOW + 30_000).toUTCString())).toBe(30_000);
    expect(at('Sun, 15 Jun 2025 12:02:00 GMT')).toBe(120_000);
  });

  it('missing → 10 s', () => {
    expect(retryAfterMs({}, NOW)).toBe(10_000);
    expect(at(undefined)).toBe(10_000);
  });

  it('the first value of a repeated header is used', () => {
    expect(at(['7', '9'])).toBe(7_000);
  });

  it('bounded below at 1 s', () => {
    expect(at('0')).toBe(1_000);
    expect(at('0.2')).toBe(1_000);
    expect(at(new Date(NOW - 60_000).toUTCString())).toBe(1_000); // a date in the past
  });

  it('bounded above at 5 min', () => {
    expect(at('300')).toBe(300_000);
    expect(at('301')).toBe(300_000);
    expect(at('86400')).toBe(300_000);
    expect(at(new Date(NOW + 3_600_000).toUTCString())).toBe(300_000);
  });

  it('an unparsable value → 10 s', () => {
    expect(at('soon')).toBe(10_000);
    expect(at('')).toBe(10_000);
    expect(at('1e3')).toBe(10_000);
  });

  it('a value that is neither delay-seconds nor an HTTP date (e.g. "-5", "later 12") → 10 s, not a date guess', () => {
    // Date.parse is lenient: '-5' parses as the year 2001 and 'later 12' as 2001-12-01, so these
    // garbage values are read as dates in the past and clamped to 1 s instead of the 10 s default.
    expect(at('-5')).toBe(10_000);
    expect(at('later 12')).toBe(10_000);
  });

  it('uses the real clock by default', () => {
    const ms = retryAfterMs({ 'retry-after': new Date(Date.now() + 60_000).toUTCString() });
    expect(ms).toBeGreaterThan(58_000);
    expect(ms).toBeLessThanOrEqual(60_000);
  });
});
