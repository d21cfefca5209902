/**
 * Slows down one person sending messages much faster than anyone types, so they cannot crowd out everyone
 * else (each message costs store round trips). A sliding window per person, kept only for people active in
 * the last window, so memory stays bounded. Per instance: with N instances the effective limit is at most N
 * times higher, which is enough to protect each instance.
 */
export interface FloodGuardOptions {
  /** Messages one person may send per window before being slowed. */
  limit: number;
  windowMs: number;
  now?: () => number;
}

export type FloodVerdict = 'ok' | 'slowDown' | 'slowDownQuietly';

export class FloodGuard {
  private readonly recent = new Map<string, { times: number[]; toldAt?: number }>();
  private readonly now: () => number;

  constructor(private readonly options: FloodGuardOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Records a message from `person`; says whether to process it, or to slow them down (telling them once a window). */
  check(person: string): FloodVerdict {
    const now = this.now();
    const from = now - this.options.windowMs;
    this.forgetIdle(from);
    const entry = this.recent.get(person) ?? { times: [] };
    entry.times = entry.times.filter((t) => t > from);
    entry.times.push(now);
    this.recent.set(person, entry);
    if (entry.times.length <= this.options.limit) return 'ok';
    if (entry.toldAt !== undefined && entry.toldAt > from) return 'slowDownQuietly';
    entry.toldAt = now;
    return 'slowDown';
  }

  /** People tracked now (for tests and the benchmark's memory check). */
  get tracked(): number {
    return this.recent.size;
  }

  private forgetIdle(from: number): void {
    if (this.recent.size < 1000) return;
    for (const [person, entry] of this.recent) {
      if ((entry.times.at(-1) ?? 0) <= from) this.recent.delete(person);
    }
  }
}
