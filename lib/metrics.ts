import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The product's own Prometheus metrics (Temporal's runtime metrics are served beside them by the
 * metrics server). Labels carry connection names and actions, never personal data.
 */
export interface SyncMetrics {
  registry: Registry;
  recordRun(run: { connection: string; target: string; status: string; counts: Record<string, number>; durationSeconds: number }): void;
  luccaResponse(status: number): void;
  /** Gauges read at scrape time (open conflicts, quarantined records, connections per health state). */
  setStateReader(read: () => Promise<StateGauges>): void;
}

export interface StateGauges {
  conflictsOpen: number;
  quarantined: number;
  /** Connections per health state, as the last fleet evaluation saw them (services/health.ts). */
  health?: Record<string, number>;
}

/** Every state is exported, 0 included, so an alert rule on `failing > 0` has a series to read. */
const HEALTH_STATES = ['ok', 'degraded', 'failing', 'auth_error', 'blocked', 'paused', 'stale', 'never_run'];

const RECORD_ACTIONS = new Set([
  'created', 'attached', 'updated', 'deactivated', 'reactivated', 'kept_manual_edit', 'overwrote_manual_edit',
  'conflict', 'quarantined', 'ambiguous', 'error',
]);

export function createSyncMetrics(): SyncMetrics {
  const registry = new Registry();
  let readState: (() => Promise<StateGauges>) | undefined;
  let state: Promise<StateGauges> | undefined;
  // One database read per scrape serves every gauge.
  const current = (): Promise<StateGauges> => (state ??= (readState?.() ?? Promise.resolve<StateGauges>({ conflictsOpen: 0, quarantined: 0 })).finally(() => {
    setTimeout(() => (state = undefined), 0);
  }));

  const records = new Counter({ name: 'lucca_sync_records_total', help: 'Records handled by syncs, by action', labelNames: ['connection', 'target', 'action'], registers: [registry] });
  const runs = new Counter({ name: 'lucca_sync_runs_total', help: 'Finished sync runs, by status', labelNames: ['connection', 'target', 'status'], registers: [registry] });
  const duration = new Histogram({
    name: 'lucca_sync_run_duration_seconds', help: 'Duration of finished sync runs', labelNames: ['target', 'status'],
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600], registers: [registry],
  });
  const requests = new Counter({ name: 'lucca_api_requests_total', help: 'Requests sent to Lucca, by HTTP status', labelNames: ['status'], registers: [registry] });
  const limited = new Counter({ name: 'lucca_api_rate_limited_total', help: 'Lucca answers 429 (rate limited)', registers: [registry] });
  new Gauge({
    name: 'lucca_sync_conflicts_open', help: 'Open field conflicts waiting for an HR decision', registers: [registry],
    async collect() { this.set((await current()).conflictsOpen); },
  });
  new Gauge({
    name: 'lucca_sync_quarantined_records', help: 'Records in quarantine (not synced, retried every run)', registers: [registry],
    async collect() { this.set((await current()).quarantined); },
  });
  new Gauge({
    name: 'lucca_sync_connections_health', help: 'Connections per health state (ok, degraded, failing, auth_error, blocked, paused, stale, never_run)',
    labelNames: ['state'], registers: [registry],
    async collect() {
      const health = (await current()).health ?? {};
      for (const s of new Set([...HEALTH_STATES, ...Object.keys(health)])) this.set({ state: s }, health[s] ?? 0);
    },
  });

  return {
    registry,
    recordRun(run) {
      runs.inc({ connection: run.connection, target: run.target, status: run.status });
      duration.observe({ target: run.target, status: run.status }, run.durationSeconds);
      for (const [action, n] of Object.entries(run.counts)) {
        if (RECORD_ACTIONS.has(action) && n > 0) records.inc({ connection: run.connection, target: run.target, action }, n);
      }
    },
    luccaResponse(status) {
      requests.inc({ status: String(status) });
      if (status === 429) limited.inc();
    },
    setStateReader(read) {
      readState = read;
    },
  };
}
