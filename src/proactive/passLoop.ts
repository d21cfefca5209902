/**
 * How a background worker (the referral outbox, the job worker) runs on one instance: a pass now and then
 * every interval until stopped; passes never overlap here; stopping waits for the pass in progress. Other
 * instances run their own loops; the workers' eTag claims keep them from doing the same item twice.
 */
export class PassLoop<R> {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private current: Promise<R> | undefined;
  /** True while stop() waits: a pass should finish the item in hand and leave the rest. */
  stopping = false;

  constructor(
    private readonly pass: () => Promise<R>,
    private readonly intervalMs: () => number,
    private readonly onError: (err: unknown) => void,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Stops polling; resolves once the pass in progress, and any other work given, has finished. */
  async stop(alsoWaitFor: Promise<unknown>[] = []): Promise<void> {
    this.running = false;
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    try {
      await Promise.all([this.current, ...alsoWaitFor].map((p) => p?.catch(() => undefined)));
    } finally {
      this.stopping = false;
    }
  }

  /** One pass, after any pass already in progress on this instance. */
  async runOnce(): Promise<R> {
    const previous = this.current?.catch(() => undefined);
    const next = (async () => {
      await previous;
      return this.pass();
    })();
    this.current = next;
    try {
      return await next;
    } finally {
      if (this.current === next) this.current = undefined;
    }
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.runOnce()
        .catch(this.onError)
        .finally(() => this.schedule(this.intervalMs()));
    }, delayMs);
    this.timer.unref();
  }
}
