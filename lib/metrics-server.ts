import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface MetricsServerOptions {
  host: string;
  port: number;
  registry: Registry;
  /** Where Temporal's runtime serves its Prometheus metrics; appended to ours on /metrics. */
  temporalMetricsUrl?: string;
  /** True while the worker polls and runs tasks. */
  healthy: () => boolean;
}

/** `/metrics` (product + Temporal runtime metrics) and `/healthz` for a worker process. */
export async function startMetricsServer(options: MetricsServerOptions): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    // Node's request listener returns nothing to wait on; the chain ends in its own catch (a 500).
    void (async () => {
      if (req.url === '/healthz') {
        const ok = options.healthy();
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: ok ? 'ok' : 'unavailable' }));
        return;
      }
      if (req.url === '/metrics') {
        let body = await options.registry.metrics();
        if (options.temporalMetricsUrl) {
          const temporal = await fetch(options.temporalMetricsUrl).then((r) => r.text(), () => '# temporal runtime metrics unavailable\n');
          body += `\n${temporal}`;
        }
        res.writeHead(200, { 'content-type': options.registry.contentType });
        res.end(body);
        return;
      }
      res.writeHead(404).end();
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
