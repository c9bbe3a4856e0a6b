import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEnv } from '../../config/env.js';
import { startLocalStack } from '../../dev/stack/local-stack.js';
import { freePort, portAnswers } from '../../lib/ports.js';
import { postgresAnswers, removeEmbeddedPostgres } from '../../db/postgres.js';
import { temporalAnswers } from '../../dev/stack/temporal-server.js';

const alive = (pid: number | undefined) => {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('local stack (embedded Postgres + Temporal dev server)', () => {
  it('starts, stops with no orphan and no bound port, and starts again on the same data', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'lucca-stack-'));
    const [grpc, ui, pg] = [await freePort(), await freePort(), await freePort()];
    const env = parseEnv({
      DATA_DIR: dataDir, TEMPORAL_ADDRESS: `127.0.0.1:${grpc}`, TEMPORAL_UI_PORT: String(ui), EMBEDDED_PG_PORT: String(pg),
      PATH: process.env.PATH,
    });
    try {
      for (const round of [1, 2]) {
        const stack = await startLocalStack(env);
        expect(stack.temporal.owned, `round ${round}: started its own Temporal`).toBe(true);
        expect(stack.postgres.owned).toBe(true);
        expect(await temporalAnswers(env.TEMPORAL_ADDRESS)).toBe(true);
        expect(await portAnswers(ui)).toBe(true); // the Web UI
        expect(await postgresAnswers(stack.databaseUrl)).toBe(true);
        const pid = stack.temporal.pid;

        // A second start reuses the servers that answer instead of starting new ones.
        const again = await startLocalStack(env);
        expect(again.temporal.owned).toBe(false);
        expect(again.postgres.owned).toBe(false);
        await again.stop();
        expect(await temporalAnswers(env.TEMPORAL_ADDRESS)).toBe(true);

        await stack.stop();
        expect(alive(pid)).toBe(false);
        for (const port of [grpc, ui, pg]) expect(await portAnswers(port), `port ${port} released`).toBe(false);
      }
    } finally {
      removeEmbeddedPostgres(dataDir);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
