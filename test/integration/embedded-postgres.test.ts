/**
 * The embedded PostgreSQL of a data folder: it starts from a folder of mode 0700 (as root it runs as
 * `postgres`, which cannot enter it), survives a stale postmaster.pid, is reused only by its own
 * data folder, and says in one line when its port belongs to another server.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StartupError } from '../../lib/startup-error.js';
import { freePort, portAnswers } from '../../lib/ports.js';
import { embeddedPostgresHome, postgresAnswers, removeEmbeddedPostgres, startPostgres } from '../../db/postgres.js';

const folder = mkdtempSync(path.join(tmpdir(), 'lucca-embedded-pg-'));
const clones = [path.join(folder, 'one', '.data'), path.join(folder, 'two', '.data')];
afterAll(() => {
  for (const dataDir of clones) removeEmbeddedPostgres(dataDir);
  rmSync(folder, { recursive: true, force: true });
});

describe('embedded PostgreSQL', () => {
  it('starts from a 0700 folder, restarts over a stale postmaster.pid, and is not mistaken for another clone\'s', async () => {
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    const [one, two] = clones as [string, string];
    const port = await freePort();
    const first = await startPostgres({ databaseUrl: undefined, dataDir: one, port });
    try {
      expect(first.owned).toBe(true);
      expect(await postgresAnswers(first.url)).toBe(true);
      expect(first.clusterDir).toBe(path.join(embeddedPostgresHome(one), 'postgres'));
      expect(embeddedPostgresHome(one)).not.toBe(embeddedPostgresHome(two)); // two clones never share a cluster

      // Its own data folder reuses it; another clone's is told, in one line, what to do.
      const again = await startPostgres({ databaseUrl: undefined, dataDir: one, port });
      expect(again.owned).toBe(false);
      const other = startPostgres({ databaseUrl: undefined, dataDir: two, port });
      await expect(other).rejects.toThrow(StartupError);
      await expect(other).rejects.toThrow(new RegExp(`^port ${port} \\(EMBEDDED_PG_PORT\\) is taken by another PostgreSQL \\(data in .*\\), not this clone's: stop it, or set EMBEDDED_PG_PORT`));
    } finally {
      await first.stop();
    }
    expect(await portAnswers(port)).toBe(false);

    // A server killed without cleaning up leaves its postmaster.pid: a dead PID is not a reason to refuse.
    const clusterDir = first.clusterDir as string;
    mkdirSync(clusterDir, { recursive: true });
    const deadPid = spawnSync('true').pid; // a process that has ended
    writeFileSync(path.join(clusterDir, 'postmaster.pid'), `${deadPid}\n${clusterDir}\n0\n${port}\n`);
    const restarted = await startPostgres({ databaseUrl: undefined, dataDir: one, port });
    try {
      expect(restarted.owned).toBe(true);
      expect(await postgresAnswers(restarted.url)).toBe(true);
    } finally {
      await restarted.stop();
    }
  });
});
