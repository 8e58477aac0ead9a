/**
 * Virtual time for in-process tests of code that takes an injected clock and sleep: `sleep(ms)` waits
 * until the test moves the clock past its deadline, and `runUntil` moves it from deadline to deadline
 * whenever nothing else can happen. No real timer decides anything: runs are deterministic and take
 * no longer than the code's own work.
 */

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
}

/** Lets every settled promise chain run (the microtask queue drains before the next macrotask). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A clock that only moves when the test says so. */
export class VirtualTime {
  #now: number;
  #seq = 0;
  #timers: Timer[] = [];

  constructor(startMs = 1_700_000_000_000) {
    this.#now = startMs;
  }

  /** The injected clock. */
  readonly now = (): number => this.#now;

  /** The injected sleep: resolves once the clock reaches now + ms. */
  readonly sleep = (ms: number): Promise<void> =>
    new Promise<void>((resolve) => {
      this.#timers.push({ at: this.#now + Math.max(0, ms), seq: this.#seq++, resolve });
    });

  /** Sleeps not yet over. */
  get pending(): number {
    return this.#timers.length;
  }

  /**
   * Runs until `done()` holds: lets everything runnable run, then moves the clock to the earliest
   * deadline and wakes its sleepers, and so on. Throws when nothing is left to wake (the code under
   * test waits for something that cannot come) or the clock passed `limitMs` from its start.
   */
  async runUntil(done: () => boolean, limitMs = 3_600_000): Promise<void> {
    const end = this.#now + limitMs;
    for (;;) {
      await settle();
      await settle();
      if (done()) return;
      this.#timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.#timers[0];
      if (next === undefined) throw new Error("virtual time: nothing left to wake, and not done");
      if (next.at > end) throw new Error(`virtual time: still not done after ${limitMs} ms`);
      this.#now = Math.max(this.#now, next.at);
      const due = this.#timers.filter((t) => t.at <= this.#now);
      this.#timers = this.#timers.filter((t) => t.at > this.#now);
      for (const t of due) t.resolve();
    }
  }

  /** Runs until `p` settles; resolves or rejects as it does. */
  async run<T>(p: Promise<T>, limitMs?: number): Promise<T> {
    let over = false;
    const watched = p.finally(() => {
      over = true;
    });
    watched.catch(() => undefined);
    await this.runUntil(() => over, limitMs);
    return watched;
  }
}
