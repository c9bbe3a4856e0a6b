/**
 * Sliding-window request counter, one window per key (a Lucca instance, an API key).
 * `limit <= 0` turns limiting off (benchmarks).
 */
export class SlidingWindowLimiter {
  private hits = new Map<string, number[]>();

  constructor(
    public limit: number,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a request; returns 0 when allowed, else the seconds to wait (for Retry-After). */
  take(key: string): number {
    if (this.limit <= 0) return 0;
    const now = this.now();
    const recent = (this.hits.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (recent.length >= this.limit) {
      this.hits.set(key, recent);
      const oldest = recent[0] ?? now;
      return Math.max(1, Math.ceil((oldest + this.windowMs - now) / 1000));
    }
    recent.push(now);
    this.hits.set(key, recent);
    return 0;
  }

  reset(): void {
    this.hits.clear();
  }
}
