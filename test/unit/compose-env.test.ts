import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EnvSchema } from '../../config/env.js';

type Service = { image?: string; build?: unknown; environment?: Record<string, unknown> | string[]; profiles?: string[] };
const compose = parse(readFileSync(fileURLToPath(new URL('../../docker-compose.yml', import.meta.url)), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const ours = Object.entries(compose.services).filter(([, s]) => s.build !== undefined || s.image?.startsWith('lucca-connectors'));
const names = (env: Service['environment']) => (Array.isArray(env) ? env.map((e) => e.split('=')[0] ?? '') : Object.keys(env ?? {}));

describe('docker-compose.yml', () => {
  it('runs our image as worker, console, codec server and (trial profile) simulators', () => {
    expect(ours.map(([name]) => name).sort()).toEqual(['codec', 'console', 'happypal-sim', 'lucca-sim', 'worker']);
    expect(compose.services['lucca-sim']?.profiles).toEqual(['trial']);
  });

  it('sets on our services only variables the configuration module knows', () => {
    const known = new Set(Object.keys(EnvSchema.shape));
    for (const [service, definition] of ours) {
      for (const name of names(definition.environment)) expect(known.has(name), `${service} sets ${name}`).toBe(true);
    }
  });

  it('gives the worker what it needs to run and be watched', () => {
    const worker = names(compose.services.worker?.environment);
    for (const needed of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'TEMPORAL_TASK_QUEUE', 'CREDENTIALS_KEY', 'METRICS_PORT', 'SHUTDOWN_GRACE_SECONDS']) {
      expect(worker).toContain(needed);
    }
  });
});
