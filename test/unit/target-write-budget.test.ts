import { MockActivityEnvironment } from '@temporalio/testing';
import { Context } from '@temporalio/activity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../../activities/http/http.js';
import { createHappyPalClient } from '../../activities/targets/happypal/client.js';
import { keepActivityAlive, rememberHeartbeats } from '../../activities/http/keep-alive.js';
import { targetWriteBucket, type RateLimiter } from '../../activities/http/rate-limiter.js';
import { createReflectClient } from '../../activities/targets/reflect/client.js';
import { parseEnv } from '../../config/env.js';
import { WORKER_CONCURRENCY_DEFAULTS, workerConcurrencyFromEnv } from '../../workers/create-worker.js';
import { startHappyPalTenants, type HappyPalTenants } from '../../dev/simulators/happypal/tenants.js';
import { startReflectSimulator, type ReflectSimulator } from '../../dev/simulators/reflect/server.js';

const dispatcher = createDispatcher();
let happypal: HappyPalTenants;
let reflect: ReflectSimulator;
beforeAll(async () => {
  happypal = await startHappyPalTenants({ rateLimitPerMinute: 0 });
  reflect = await startReflectSimulator({ rateLimitPerMinute: 0 });
});
afterAll(async () => {
  await happypal.close();
  await reflect.close();
  await dispatcher.close();
});

/** A limiter that lets everything through and records which bucket each request waited on. */
function recording(): RateLimiter & { buckets: string[] } {
  const buckets: string[] = [];
  return { buckets, acquire: async (bucket) => void buckets.push(bucket) };
}

describe('the target write budget', () => {
  it('HappyPal: every write waits on the host\'s bucket, whatever the tenant; reads do not', async () => {
    happypal.addTenant('tenant-a');
    happypal.addTenant('tenant-b');
    const limiter = recording();
    const a = createHappyPalClient({ baseUrl: happypal.url, apiKey: 'tenant-a', dispatcher, writeLimiter: limiter });
    const b = createHappyPalClient({ baseUrl: happypal.url, apiKey: 'tenant-b', dispatcher, writeLimiter: limiter });
    const created = await a.createUser({ first_name: 'Ada', last_name: 'L', email: 'ada@example.com' }, 'key-a-000000000001');
    expect(created.ok).toBe(true);
    await b.createUser({ first_name: 'Bob', last_name: 'M', email: 'bob@example.com' }, 'key-b-000000000001');
    if (created.ok) await a.deactivateUser(created.user.id, 'key-a-000000000002');
    await a.listUsers(1, 100);
    await b.listUsers(1, 100);
    const host = `target-writes:${new URL(happypal.url).origin}`;
    expect(limiter.buckets).toEqual([host, host, host]);
    // Each tenant is its own company: b does not see a's profile.
    expect(happypal.tenant('tenant-b')?.dump().users.map((u) => u.email)).toEqual(['bob@example.com']);
  });

  it('Reflect: batch upserts and deletes wait on the host\'s bucket; listing does not', async () => {
    const limiter = recording();
    const client = createReflectClient({ baseUrl: reflect.url, apiKey: reflect.apiKey, dispatcher, writeLimiter: limiter });
    await client.batchUpsert('employees', [{ external_id: '1', first_name: 'F', last_name: 'L' }], 'key-000000000001');
    await client.batchDelete('employees', ['1'], 'key-000000000002');
    await client.listRecords('employees', 1, 100);
    expect(limiter.buckets).toEqual([targetWriteBucket(reflect.url), targetWriteBucket(reflect.url)]);
  });

  it('the bucket is the origin: two tenants of one host share it, another port or host does not', () => {
    expect(targetWriteBucket('https://api.happypal.fr/v1/')).toBe(targetWriteBucket('https://api.happypal.fr'));
    expect(targetWriteBucket('https://api.happypal.fr')).not.toBe(targetWriteBucket('https://api.reflect.example'));
    expect(targetWriteBucket('http://127.0.0.1:8001')).not.toBe(targetWriteBucket('http://127.0.0.1:8002'));
  });

  it('configuration: TARGET_WRITES_PER_MINUTE and SCHEDULE_JITTER_SECONDS are validated with the variable named', () => {
    expect(parseEnv({}).TARGET_WRITES_PER_MINUTE).toBe(0);
    expect(parseEnv({ TARGET_WRITES_PER_MINUTE: '600' }).TARGET_WRITES_PER_MINUTE).toBe(600);
    expect(() => parseEnv({ TARGET_WRITES_PER_MINUTE: 'lots' })).toThrow(/TARGET_WRITES_PER_MINUTE: expected a whole number \("lots"\)/);
    expect(() => parseEnv({ SCHEDULE_JITTER_SECONDS: '7200' })).toThrow(/SCHEDULE_JITTER_SECONDS: expected at most 3600/);
    expect(() => parseEnv({ WORKER_MAX_CONCURRENT_ACTIVITIES: '0' })).toThrow(/WORKER_MAX_CONCURRENT_ACTIVITIES: expected 1 or more/);
  });
});

describe('worker concurrency', () => {
  it('takes the WORKER_* settings that are set and leaves the rest to the defaults', () => {
    expect(workerConcurrencyFromEnv(parseEnv({}))).toEqual({});
    expect(workerConcurrencyFromEnv(parseEnv({ WORKER_MAX_CONCURRENT_ACTIVITIES: '4', WORKER_MAX_CACHED_WORKFLOWS: '0' }))).toEqual({
      maxConcurrentActivityTaskExecutions: 4, maxCachedWorkflows: 0,
    });
    expect(WORKER_CONCURRENCY_DEFAULTS).toEqual({ maxConcurrentActivityTaskExecutions: 8, maxConcurrentWorkflowTaskExecutions: 10, maxCachedWorkflows: 100 });
  });
});

describe('heartbeats while waiting', () => {
  it('keepActivityAlive re-sends the last details the activity heartbeated (a wait never wipes the cursor)', async () => {
    const env = new MockActivityEnvironment({ heartbeatDetails: { offset: 1000 } });
    const sent: unknown[] = [];
    env.on('heartbeat', (d: unknown) => sent.push(d));
    await env.run(async () => {
      rememberHeartbeats(Context.current());
      keepActivityAlive(); // before any heartbeat of this attempt: the previous attempt's cursor
      Context.current().heartbeat({ offset: 2000 });
      keepActivityAlive();
      keepActivityAlive();
    });
    expect(sent).toEqual([{ offset: 1000 }, { offset: 2000 }, { offset: 2000 }, { offset: 2000 }]);
  });

  it('does nothing where the interceptor is not installed, and outside an activity', async () => {
    const env = new MockActivityEnvironment();
    const sent: unknown[] = [];
    env.on('heartbeat', (d: unknown) => sent.push(d));
    await env.run(async () => keepActivityAlive());
    expect(sent).toEqual([]);
    expect(() => keepActivityAlive()).not.toThrow();
  });
});
