import { describe, expect, it } from 'vitest';
import { csvCell } from '../../console/csv.js';
import { fixInLucca } from '../../console/data.js';
import { runsChart } from '../../console/pages/connection.js';

describe('console rendering', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['+33 6 12', "'+33 6 12"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    [null, ''],
  ])('CSV cell %j is %j (quoted when needed, never a formula)', (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it('says what to fix in Lucca from the reasons', () => {
    expect(fixInLucca([{ code: 'invalid_value', field: 'email', message: 'x' }, { code: 'invalid_value', field: 'birthDate', message: 'y' }]))
      .toBe('Correct email, birthDate of this employee in Lucca; the next sync retries the record.');
    expect(fixInLucca([{ code: 'malformed_record', message: 'z' }])).toContain('complete what is missing');
    expect(fixInLucca([])).toContain('as the reason says');
  });

  it('draws the runs chart from finished runs only, oldest first, with a text alternative', async () => {
    const run = (i: number, read: number, seconds: number | null) => ({
      id: `r${i}`, status: (seconds === null ? 'running' : 'completed') as 'running' | 'completed', phase: 'done', trigger: 'schedule', dryRun: false, counts: { read },
      startedAt: `2026-01-0${i}T06:00:00.000Z`, finishedAt: seconds === null ? null : 'x', durationSeconds: seconds,
    });
    const svg = String(await runsChart([run(3, 30, null), run(2, 20, 40), run(1, 10, 20)]));
    expect(svg.match(/<rect /g)).toHaveLength(2);
    expect(svg.indexOf('2026-01-01')).toBeLessThan(svg.indexOf('2026-01-02'));
    expect(svg).toContain('aria-label="Last 2 runs: records from 10 to 20, durations up to 40 s."');
    expect(String(await runsChart([]))).toContain('No finished run yet.');
  });
});
