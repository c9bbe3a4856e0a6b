/**
 * The model's clock. Fixed by default (so generated data and mutation stamps are reproducible);
 * tests move it with `set`/`advance`, a demo can follow wall time with `useWallClock`.
 */
export class Clock {
  private fixedMs: number | null;
  private offsetMs = 0;

  constructor(start: number | string | Date) {
    this.fixedMs = toMs(start);
  }

  now(): number {
    return this.fixedMs ?? Date.now() + this.offsetMs;
  }

  /** Today's date (`YYYY-MM-DD`, UTC) by this clock: the reference for former / future employees. */
  today(): string {
    return new Date(this.now()).toISOString().slice(0, 10);
  }

  set(at: number | string | Date): void {
    this.fixedMs = toMs(at);
  }

  advance(ms: number): void {
    if (this.fixedMs === null) this.offsetMs += ms;
    else this.fixedMs += ms;
  }

  useWallClock(): void {
    this.fixedMs = null;
    this.offsetMs = 0;
  }

  get isFixed(): boolean {
    return this.fixedMs !== null;
  }
}

function toMs(at: number | string | Date): number {
  if (typeof at === 'number') return at;
  if (at instanceof Date) return at.getTime();
  const text = /(Z|[+-]\d{2}:?\d{2})$/i.test(at) || !at.includes('T') ? at : `${at}Z`;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Error(`Clock: not a date: ${at}`);
  return ms;
}
