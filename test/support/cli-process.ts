/** The real `lucca-sync` CLI, as an operator runs it, against a harness's database and Temporal task queue. */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { PROJECT_ROOT } from '../../config/paths.js';
import { testDatabaseUrl } from './database.js';
import { TEST_CREDENTIALS_KEY } from './sync-harness.js';
import { TEST_PAYLOAD_KEYS } from './temporal.js';

export function runCli(harness: { taskQueue: string }, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'lucca-cli-'));
  const env = {
    DATABASE_URL: testDatabaseUrl(), TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: harness.taskQueue,
    LUCCA_ALLOWED_HOSTS: '127.0.0.1', CREDENTIALS_KEY: TEST_CREDENTIALS_KEY, PAYLOAD_KEYS: TEST_PAYLOAD_KEYS, DATA_DIR: dataDir, LOG_LEVEL: 'silent',
  };
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'lucca-sync.mjs'), ...args], { env, cwd: PROJECT_ROOT, timeout: 90_000 }, (err, stdout, stderr) => {
      rmSync(dataDir, { recursive: true, force: true });
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}
