import type { ServerResponse } from 'node:http';

export interface EndpointStats {
  total: number;
  /** Status code, or `dropped` when the connection was cut before an answer. */
  byStatus: Record<string, number>;
}

export interface StatsSnapshot {
  total: number;
  byEndpoint: Record<string, EndpointStats>;
  byInstance: Record<string, EndpointStats>;
}

/** Request counts per endpoint, per instance and per status (benchmarks report "requests sent to Lucca"). */
export class RequestStats {
  private data: StatsSnapshot = { total: 0, byEndpoint: {}, byInstance: {} };

  /** Counts the request once its response is finished (or its socket closed without one). */
  track(res: ServerResponse, instance: string, endpoint: string): void {
    res.once('close', () => {
      const status = res.writableFinished ? String(res.statusCode) : 'dropped';
      this.data.total += 1;
      bump(this.data.byEndpoint, endpoint, status);
      bump(this.data.byInstance, instance, status);
    });
  }

  snapshot(): StatsSnapshot {
    return structuredClone(this.data);
  }

  reset(): void {
    this.data = { total: 0, byEndpoint: {}, byInstance: {} };
  }
}

function bump(table: Record<string, EndpointStats>, key: string, status: string): void {
  const entry = (table[key] ??= { total: 0, byStatus: {} });
  entry.total += 1;
  entry.byStatus[status] = (entry.byStatus[status] ?? 0) + 1;
}
