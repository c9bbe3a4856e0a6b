/** Renders the benchmark results as Markdown (dev/bench/results/latest.md, dev/bench/RESULTS.md) and as the console table. */
import type { BenchResults, CaseResult } from './run.js';

const s = (ms: number) => (ms / 1000).toFixed(1);
const int = (n: number) => Math.round(n).toLocaleString('en');
const KIND: Record<CaseResult['kind'], string> = {
  first: 'first full sync', noop: 'no-op resync (incremental)', change: '1 % changed (incremental)', 'noop-full': 'no-op resync, full read (--full)',
};

/** HappyPal write requests (create, update, deactivate, reactivate) as the simulator counted them. */
function writes(byEndpoint: Record<string, number>): number {
  return ['createUser', 'updateUser', 'deactivateUser', 'reactivateUser'].reduce((n, e) => n + (byEndpoint[e] ?? 0), 0);
}

function mainTable(r: BenchResults): string {
  const head = [
    'employees', 'case', 'ours (s)', 'baseline (s)', 'ours / baseline', 'records/s (ours)', 'HappyPal writes ours / base',
    'history events per run (max)', 'runs per sync', 'worker peak RSS (MB)', 'baseline peak RSS (MB)',
    'rows written ours / base', 'Lucca requests ours / base', 'HappyPal requests ours / base',
  ];
  const rows = r.cases.map((c) => [
    int(c.size), KIND[c.kind] + (c.changed ? ` (${c.changed})` : '') + roundOf(r, c), s(c.ours.ms), c.baseline ? s(c.baseline.ms) : '–',
    c.ratio === null ? '–' : `${c.ratio.toFixed(2)}×`, int(c.ours.recordsPerSecond),
    `${int(writes(c.ours.requests.happypalByEndpoint))} / ${c.baseline ? int(writes(c.baseline.requests.happypalByEndpoint)) : '–'}`,
    int(c.ours.history.maxEvents), String(c.ours.history.runs), int(c.ours.workerPeakRssMb), c.baseline ? int(c.baseline.peakRssMb) : '–',
    `${int(c.ours.rows.total)} / ${c.baseline ? int(c.baseline.rows.total) : '–'}`,
    `${int(c.ours.requests.lucca)} / ${c.baseline ? int(c.baseline.requests.lucca) : '–'}`,
    `${int(c.ours.requests.happypal)} / ${c.baseline ? int(c.baseline.requests.happypal) : '–'}`,
  ]);
  return table(head, rows);
}

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function timeSplit(r: BenchResults): string {
  const head = ['employees', 'case', 'ours: read (Lucca, then HappyPal; stageDataset: the plan too)', 'plan (planDataset)', 'apply (writeDataset: the finish too)', 'other (begin/finish, workflow tasks)', 'baseline: Lucca', 'HappyPal list', 'load DB', 'plan', 'write + commit'];
  const rows = r.cases.map((c) => {
    const a = c.ours.history.activityMs;
    const inActivities = Object.values(a).reduce((x, y) => x + y, 0);
    const bookkeeping = (a.beginRun ?? 0) + (a.finishRun ?? 0) + (a.finishDataset ?? 0);
    const p = c.baseline?.phases ?? {};
    return [
      int(c.size), KIND[c.kind] + roundOf(r, c), s((a.fetchDatasetPages ?? 0) + (a.prepareDataset ?? 0) + (a.stageDataset ?? 0)), s(a.planDataset ?? 0), s((a.applyDataset ?? 0) + (a.writeDataset ?? 0)),
      s(c.ours.ms - inActivities + bookkeeping), s(p.readLucca ?? 0), s(p.readHappyPal ?? 0), s(p.loadDb ?? 0), s(p.plan ?? 0), s(p.write ?? 0),
    ];
  });
  return table(head, rows);
}

function rowsByTable(r: BenchResults): string {
  const head = ['employees', 'case', 'ours: rows by table (ins/upd/del)', 'baseline: rows by table'];
  const fmt = (rows: { byTable: Record<string, { ins: number; upd: number; del: number }> } | undefined) =>
    rows ? Object.entries(rows.byTable).map(([t, d]) => `${t} ${d.ins}/${d.upd}/${d.del}`).join(', ') || '–' : '–';
  return table(head, r.cases.map((c) => [int(c.size), KIND[c.kind] + roundOf(r, c), fmt(c.ours.rows), fmt(c.baseline?.rows)]));
}

function rateLimited(r: BenchResults): string {
  if (r.rateLimited.length === 0) return '_Not run this time (`--with-rate-limit`)._';
  return [
    table(
      ['employees', 'limit', 'first sync (s)', 'floor: pages × 60/50 s', 'floor: sliding window (s)', 'Lucca pages', 'Lucca requests (429s)', 'same sync without limit (s)', 'history events (max/run)'],
      r.rateLimited.map((x) => [int(x.size), `${x.perMinute}/min (simulator + LUCCA_RATE_LIMIT_PER_MINUTE)`, s(x.ms), s(x.floorMs), s(x.windowFloorMs),
        String(x.pages), `${x.luccaRequests} (${x.lucca429})`, x.unlimitedMs === null ? '–' : s(x.unlimitedMs), int(x.history.maxEvents)]),
    ),
    '',
    '"pages × 60/50 s" is the bound at a sustained rate (one request every 1.2 s). Both limiters (the simulator\'s and ours, in',
    'Postgres) are sliding 60-second windows that start empty, so the first 50 requests go out at once: a sync of 50 pages or',
    'fewer is not slowed at all, and one of P pages cannot finish reading before (⌈P/50⌉ − 1) minutes, the sliding-window floor.',
    '"Lucca requests (429s)": our limiter paces requests so that the simulator never has to refuse one.',
  ].join('\n');
}

/** ", round k" when the run had several rounds. */
function roundOf(r: BenchResults, c: CaseResult): string {
  return (r.rounds ?? 1) > 1 ? `, round ${c.round}` : '';
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The four targets of issue 10 at 100,000 employees; over several rounds, the median ratio and the worst time and memory. */
function targets(r: BenchResults): string {
  const big = (kind: CaseResult['kind']) => r.cases.filter((c) => c.size === 100_000 && c.kind === kind);
  const ratios = big('first').map((c) => c.ratio).filter((x): x is number => x !== null);
  const ratio = ratios.length ? median(ratios) : null;
  const ratioText = ratios.length > 1 ? ` (median ${ratio?.toFixed(2)}× of ${ratios.map((x) => `${x.toFixed(2)}×`).join(', ')})` : ratio !== null ? ` (${ratio.toFixed(2)}×)` : '';
  const noops = big('noop').map((c) => c.ours.ms);
  const noop = noops.length ? Math.max(...noops) : null;
  const maxEvents = Math.max(0, ...r.cases.map((c) => c.ours.history.maxEvents));
  const rss = Math.max(0, ...r.cases.filter((c) => c.size === 100_000).map((c) => c.ours.workerPeakRssMb));
  const line = (ok: boolean | null, text: string) => `- ${ok === null ? 'not measured' : ok ? 'met' : 'NOT met'}: ${text}`;
  return [
    line(ratio === null ? null : ratio <= 1.5, `100,000-employee first sync within 1.5× of the baseline${ratioText}`),
    line(noop === null ? null : noop < 20_000, `no-op resync of 100,000 under 20 s${noop === null ? '' : ` (${noops.length > 1 ? 'slowest ' : ''}${s(noop)} s)`}`),
    line(r.cases.length ? maxEvents < 2000 : null, `history events per workflow run under 2,000 at every size (max ${maxEvents})`),
    line(big('first').length ? rss < 400 : null, `worker RSS under 400 MB at 100,000 (peak ${rss} MB)`),
  ].join('\n');
}

export function renderTable(r: BenchResults): string {
  return [
    `Figures taken on a shared ${r.machine.cores}-core machine (other people's tests may have been running; load average at start ${r.machine.loadAverageAtStart.join(' ')}). Re-run when it is quiet.`,
    'Simulator rate limits OFF, simulators warm (one warm-up request each), except the rate-limited run.',
    '',
    mainTable(r),
    '',
    r.rateLimited.length > 0 ? rateLimited(r) : '',
    '',
    targets(r),
  ].join('\n');
}

export function renderMarkdown(r: BenchResults): string {
  return [
    '# HappyPal sync benchmark',
    '',
    `\`npm run bench\` (dev/bench/run.ts), ${r.finishedAt.slice(0, 16).replace('T', ' ')} UTC. Commit ${r.git}.`,
    `Machine: ${r.machine.cores} cores (${r.machine.cpuModel}), ${r.machine.memoryGb} GB, Node ${r.machine.node}, ${r.machine.platform}. ${r.postgres}; Temporal dev server in memory.`,
    '',
    `**Figures taken on a shared ${r.machine.cores}-core machine**: other engineers' test runs may have been using the same cores`,
    `(load average at start: ${r.machine.loadAverageAtStart.join(', ')}). Ratios against the baseline, measured in the same run one`,
    'after the other, are more trustworthy than absolute times. Re-run when the machine is quiet.',
    '',
    ...r.notes.map((n) => `- ${n}`),
    '- Ours: wall time from starting the workflow to its result, worker already running. Baseline: dev/bench/baseline.ts in its own process,',
    '  timed from its first query to its last commit (module loading excluded). Records/s = employees in Lucca / our wall time.',
    `- Worker RSS once started and idle: ${Object.entries(r.workerIdleRssMb).map(([n, v]) => `${int(Number(n))} → ${v} MB`).join(', ') || '–'}.`,
    `- Worker RSS: peak of the worker process (VmHWM from /proc/<pid>/status${r.hwmResettable ? ', reset before each case through clear_refs' : ''}, and 100 ms samples of VmRSS).`,
    '- Rows written: per-table insert + update + delete counters of the bench database (pg_stat_user_tables), read after the',
    `  backends flushed them (${r.settleMs} ms settle after our run; the baseline's backends flush when it exits).`,
    '- History: every execution of the workflow id (continue-as-new runs), events counted from the fetched histories.',
    '',
    'Profile findings, before/after figures of the performance work and what is left: [FINDINGS.md](FINDINGS.md).',
    '',
    '## Results',
    '',
    mainTable(r),
    '',
    '## Where the time goes',
    '',
    'Ours: time inside each activity type (scheduled → completed, from the history); "other" is the rest of the wall time',
    '(workflow tasks, scheduling, begin/finish bookkeeping). Baseline: its own phases.',
    '',
    timeSplit(r),
    '',
    '## Rows written by table',
    '',
    rowsByTable(r),
    '',
    '## Lucca at its real rate limit (50 requests/minute)',
    '',
    rateLimited(r),
    '',
    '## Targets',
    '',
    targets(r),
    '',
    ...(r.profile ? ['## Worker CPU profile', '', '```', r.profile, '```', ''] : []),
  ].join('\n');
}
