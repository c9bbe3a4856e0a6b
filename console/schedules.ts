import type { Client, ScheduleDescription } from '@temporalio/client';
import { describeSchedule } from '../client/schedules.js';

export interface ScheduleState {
  paused: boolean;
  nextRun: Date | null;
}
export type Unavailable = 'unavailable';

export interface ScheduleView {
  /**
   * Every schedule's state by schedule id, from one paged list call. Stale-while-revalidate: a
   * cached answer is returned at once and refreshed in the background when older than the TTL,
   * so only the first call after start (or after invalidate) waits for Temporal.
   */
  all(): Promise<Map<string, ScheduleState> | Unavailable>;
  describe(name: string): Promise<ScheduleDescription | undefined | Unavailable>;
  /** After a pause, resume or trigger: the next list call refreshes in the background (the connection page describes its schedule directly). */
  invalidate(): void;
}

const withTimeout = <T>(promise: Promise<T>, ms: number): Promise<T> =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), ms).unref())]);

/**
 * Temporal owns schedule state; the console reads it there and degrades to "unavailable" when
 * Temporal cannot be reached, so the pages still render from Postgres alone. The list of 500
 * connections costs one (paged) ListSchedules call, not 500 describes.
 */
export function createScheduleView(client: () => Promise<Client>, options: { ttlMs?: number; timeoutMs?: number } = {}): ScheduleView {
  const ttl = options.ttlMs ?? 10_000;
  const timeout = options.timeoutMs ?? 3_000;
  let cached: { at: number; value: Promise<Map<string, ScheduleState> | Unavailable> } | undefined;
  const load = async (): Promise<Map<string, ScheduleState> | Unavailable> => {
    try {
      return await withTimeout((async () => {
        const c = await client();
        const states = new Map<string, ScheduleState>();
        for await (const s of c.schedule.list({ pageSize: 1000 })) {
          states.set(s.scheduleId, { paused: s.state.paused, nextRun: s.state.paused ? null : (s.info.nextActionTimes[0] ?? null) });
        }
        return states;
      })(), timeout);
    } catch {
      return 'unavailable';
    }
  };
  return {
    all() {
      if (!cached) {
        cached = { at: Date.now(), value: load() };
        return cached.value;
      }
      if (Date.now() - cached.at > ttl) {
        const current = cached;
        const fresh = { at: Date.now(), value: load() };
        // The fresh list replaces the old one only once it has arrived; nobody waits for it (the
        // caller gets the cached list now), and load() never rejects: it answers 'unavailable'.
        current.at = Date.now();
        void fresh.value.then(() => {
          if (cached === current) cached = fresh;
        });
      }
      return cached.value;
    },
    async describe(name) {
      try {
        return await withTimeout(client().then((c) => describeSchedule(c, name)), timeout);
      } catch {
        return 'unavailable';
      }
    },
    invalidate() {
      if (cached) cached.at = 0;
    },
  };
}
