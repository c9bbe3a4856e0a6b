import { z } from 'zod';
import { createRng, type Rng } from './rng.js';

export const RetryAfterAsSchema = z.enum(['seconds', 'http-date']);
export type RetryAfterAs = z.infer<typeof RetryAfterAsSchema>;

/**
 * Fault switches, set per endpoint name (for example `users`, `leaves`, `createUser`) or `*` for all.
 * Rates are probabilities per request in [0, 1]. Draws come from a seeded RNG so a scenario replays.
 */
export const FaultSpecSchema = z.object({
  /** Share of requests answered 500. */
  errorRate: z.number().min(0).max(1).default(0),
  /** The next N requests are answered 429 with Retry-After (a burst), then normal service resumes. */
  burst429: z.number().int().min(0).default(0),
  /** Retry-After seconds sent with injected 429s. */
  retryAfterSeconds: z.number().int().min(0).default(1),
  /** How Retry-After is written: delay-seconds or an HTTP date (RFC 9110 §10.2.3 allows both). */
  retryAfterAs: RetryAfterAsSchema.default('seconds'),
  /** Latency added to a share of requests. */
  latencyMs: z.number().int().min(0).default(0),
  latencyRate: z.number().min(0).max(1).default(1),
  /** Share of requests whose socket is destroyed before any response. */
  dropRate: z.number().min(0).max(1).default(0),
  /** Share of successful JSON responses cut in the middle of the body. */
  truncateRate: z.number().min(0).max(1).default(0),
  /** Share of requests answered 200 with an HTML page (a login or firewall page in front of the API). */
  htmlRate: z.number().min(0).max(1).default(0),
});
export type FaultSpec = z.infer<typeof FaultSpecSchema>;
export const FaultsSchema = z.record(z.string(), FaultSpecSchema.partial());
export type Faults = z.infer<typeof FaultsSchema>;

export type FaultDecision =
  | { kind: 'none'; delayMs: number; truncate: boolean }
  | { kind: 'error'; delayMs: number }
  | { kind: 'tooMany'; delayMs: number; retryAfterSeconds: number; retryAfterAs: RetryAfterAs }
  | { kind: 'drop'; delayMs: number }
  | { kind: 'html'; delayMs: number };

/**
 * A gate on one endpoint, for tests that must catch a phase at a known point whatever the speed of
 * the machine: it lets a budget of requests through, then holds the next ones (before any fault or
 * handler) until the test allows more. Counts are of requests that reached the gate.
 */
export interface RequestGate {
  /** Requests let through since the gate was set. */
  readonly passed: number;
  /** Requests held at the gate now. */
  readonly waiting: number;
  /** Lets `n` more requests through (those waiting first), then holds again. */
  allow(n: number): void;
  /** Lets every request through, the waiting ones and all later ones; removes the gate. */
  open(): void;
}

class Gate implements RequestGate {
  passed = 0;
  private budget: number;
  private queue: (() => void)[] = [];
  private opened = false;

  constructor(allow: number, private readonly remove: () => void) {
    this.budget = allow;
  }

  get waiting(): number {
    return this.queue.length;
  }

  async pass(): Promise<void> {
    if (this.opened || this.budget > 0) {
      this.budget -= 1;
      this.passed += 1;
      return;
    }
    await new Promise<void>((resolve) => this.queue.push(resolve));
  }

  allow(n: number): void {
    if (!Number.isInteger(n) || n < 0) throw new Error(`a gate allows a whole number of requests, not ${n}`);
    this.budget += n;
    this.flush();
  }

  open(): void {
    this.opened = true;
    this.remove();
    this.flush();
  }

  private flush(): void {
    while (this.queue.length > 0 && (this.opened || this.budget > 0)) {
      this.budget -= 1;
      this.passed += 1;
      this.queue.shift()?.();
    }
  }
}

/** Holds the active fault switches of one simulator and decides, request by request, what goes wrong. */
export class FaultInjector {
  private specs = new Map<string, FaultSpec>();
  private gates = new Map<string, Gate>();
  private rng: Rng;

  constructor(seed = 1) {
    this.rng = createRng(seed);
  }

  set(endpoint: string, spec: Partial<FaultSpec>): void {
    this.specs.set(endpoint, FaultSpecSchema.parse({ ...this.specs.get(endpoint), ...spec }));
  }

  setAll(faults: Faults): void {
    for (const [endpoint, spec] of Object.entries(faults)) this.set(endpoint, spec);
  }

  /** Clears the fault switches and opens every gate. */
  clear(): void {
    this.specs.clear();
    for (const gate of [...this.gates.values()]) gate.open();
  }

  /** Sets a gate on `endpoint` (replacing and opening any previous one) that lets `allow` requests through. */
  gate(endpoint: string, allow = 0): RequestGate {
    this.gates.get(endpoint)?.open();
    const gate: Gate = new Gate(allow, () => {
      if (this.gates.get(endpoint) === gate) this.gates.delete(endpoint);
    });
    this.gates.set(endpoint, gate);
    return gate;
  }

  /** Waits at the endpoint's gate, if one is set (the request pipelines call this before `decide`). */
  async pass(endpoint: string): Promise<void> {
    await this.gates.get(endpoint)?.pass();
  }

  snapshot(): Record<string, FaultSpec> {
    return Object.fromEntries(this.specs);
  }

  decide(endpoint: string): FaultDecision {
    const spec = this.specs.get(endpoint) ?? this.specs.get('*');
    if (!spec) return { kind: 'none', delayMs: 0, truncate: false };
    const delayMs = spec.latencyMs > 0 && this.rng() < spec.latencyRate ? spec.latencyMs : 0;
    if (spec.burst429 > 0) {
      spec.burst429 -= 1;
      return { kind: 'tooMany', delayMs, retryAfterSeconds: spec.retryAfterSeconds, retryAfterAs: spec.retryAfterAs };
    }
    if (spec.dropRate > 0 && this.rng() < spec.dropRate) return { kind: 'drop', delayMs };
    if (spec.errorRate > 0 && this.rng() < spec.errorRate) return { kind: 'error', delayMs };
    if (spec.htmlRate > 0 && this.rng() < spec.htmlRate) return { kind: 'html', delayMs };
    return { kind: 'none', delayMs, truncate: spec.truncateRate > 0 && this.rng() < spec.truncateRate };
  }
}
