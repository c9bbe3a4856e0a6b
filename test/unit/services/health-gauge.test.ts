import { describe, expect, it } from 'vitest';
import { createSyncMetrics } from '../../../lib/metrics.js';

describe('lucca_sync_connections_health', () => {
  it('exports one series per health state, zeros included', async () => {
    const metrics = createSyncMetrics();
    metrics.setStateReader(async () => ({ conflictsOpen: 0, quarantined: 0, health: { failing: 2, ok: 5 } }));
    const text = await metrics.registry.metrics();
    const series = text.split('\n').filter((l) => l.startsWith('lucca_sync_connections_health{'));
    expect(series.sort()).toEqual([
      'lucca_sync_connections_health{state="auth_error"} 0',
      'lucca_sync_connections_health{state="blocked"} 0',
      'lucca_sync_connections_health{state="degraded"} 0',
      'lucca_sync_connections_health{state="failing"} 2',
      'lucca_sync_connections_health{state="never_run"} 0',
      'lucca_sync_connections_health{state="ok"} 5',
      'lucca_sync_connections_health{state="paused"} 0',
      'lucca_sync_connections_health{state="stale"} 0',
    ]);
  });
});
