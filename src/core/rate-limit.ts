/**
 * A sliding-window rate limiter with an injected clock and sleep: at most `limit` calls in any
 * `windowMs`. DescribeStream allows 10 calls/s and ListStreams 5 calls/s per account; staying under
 * them avoids throttling that would slow everyone else down.
 */
export class RateLimiter {
  private readonly stamps: number[] = [];
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {}

  /** Waits until one more call fits in the window, then records it. */
  async take(): Promise<void> {
    for (;;) {
      const t = this.now();
      while (this.stamps.length > 0 && (this.stamps[0] as number) <= t - this.windowMs) this.stamps.shift();
      if (this.stamps.length < this.limit) {
        this.stamps.push(t);
        return;
      }
      await this.sleep((this.stamps[0] as number) + this.windowMs - t + 1);
    }
  }
}
