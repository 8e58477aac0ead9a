/**
 * Small async building blocks of the tail reader: a bounded event queue with per-push consumption
 * promises and reservations for events on their way (backpressure and prefetch), a counting semaphore
 * (bounded parallelism), and a "closed" latch that interrupts sleeps and waits when the reader is
 * closed.
 */

/** Thrown inside the reader when it has been closed; never escapes to callers. */
export class ReaderClosed extends Error {
  override readonly name = "ReaderClosed";
  constructor() {
    super("tail reader closed");
  }
}

/** A one-shot latch: `promise` rejects with ReaderClosed once `close()` was called. */
export class CloseLatch {
  readonly controller = new AbortController();
  readonly promise: Promise<never>;
  private rejectFn: ((e: Error) => void) | undefined;
  constructor() {
    this.promise = new Promise<never>((_, reject) => {
      this.rejectFn = reject;
    });
    this.promise.catch(() => undefined); // never an unhandled rejection
  }
  get closed(): boolean {
    return this.controller.signal.aborted;
  }
  close(): void {
    if (this.closed) return;
    this.controller.abort(new ReaderClosed());
    this.rejectFn?.(new ReaderClosed());
  }
  /** Races `p` against the latch. */
  race<T>(p: Promise<T>): Promise<T> {
    if (this.closed) {
      p.catch(() => undefined);
      return Promise.reject(new ReaderClosed());
    }
    return Promise.race([p, this.promise]);
  }
}

/** At most `limit` holders at a time; waiters are served in arrival order. */
export class Semaphore {
  private inUse = 0;
  private readonly waiters: Array<() => void> = [];
  constructor(private readonly limit: number) {}

  /** Runs `fn` holding one slot. */
  async with<T>(latch: CloseLatch, fn: () => Promise<T>): Promise<T> {
    if (this.inUse >= this.limit) {
      await latch.race(new Promise<void>((resolve) => this.waiters.push(resolve)));
    } else {
      this.inUse++;
    }
    try {
      return await fn();
    } finally {
      const next = this.waiters.shift();
      if (next)
        next(); // the slot passes on directly
      else this.inUse--;
    }
  }
}

interface QueueItem<T> {
  events: T[];
  consumed: () => void;
}

/**
 * Events waiting for the consumer, in push order. `push` resolves when the consumer has taken the
 * events (so a producer can keep one page in flight while another is rendered); `take` waits for
 * events; `reserve` bounds what is queued plus what producers are fetching. `clear` drops everything
 * and releases every producer.
 */
export class EventQueue<T> {
  private items: Array<QueueItem<T>> = [];
  private wakeConsumer: (() => void) | undefined;
  private queued = 0;
  /** Events that producers reserved for what they are fetching (see {@link reserve}). */
  private expected = 0;
  private cleared = false;
  /** Producers waiting in {@link reserve}, in arrival order. */
  private readonly roomWaiters: Array<() => void> = [];

  /** `highWater`: {@link reserve} waits while at least this many events are queued or expected. */
  constructor(private highWater = Number.POSITIVE_INFINITY) {}

  /** Changes the high-water mark (the reader sizes it by the pages it reads); a higher one lets waiters in. */
  setHighWater(n: number): void {
    this.highWater = n;
    this.released();
  }

  /** Adds events; resolves once they were taken (or the queue was cleared). */
  push(events: T[]): Promise<void> {
    return new Promise<void>((resolve) => {
      this.items.push({ events, consumed: resolve });
      this.queued += events.length;
      this.notify();
    });
  }

  /** Adds events without waiting for them to be taken. */
  pushNow(events: T[]): void {
    this.items.push({ events, consumed: () => undefined });
    this.queued += events.length;
    this.notify();
  }

  /**
   * Waits until fewer than `highWater` events are queued or expected, then counts `n` more as expected
   * (a producer is about to fetch about that many) until the returned release is called: once the
   * producer pushed what it fetched, or failed. Producers wait here before fetching more, so events on
   * their way count as well as those queued. Waiters are let in in arrival order, each counted as it
   * is let in (hundreds of shards may wait); `clear` lets every waiter in.
   */
  reserve(n: number): Promise<() => void> {
    return new Promise((resolve) => {
      const admit = (): void => {
        this.expected += n;
        let done = false;
        resolve(() => {
          if (done) return;
          done = true;
          this.expected -= n;
          this.released();
        });
      };
      if (this.roomWaiters.length === 0 && this.hasRoom()) admit();
      else this.roomWaiters.push(admit);
    });
  }

  private hasRoom(): boolean {
    return this.cleared || this.queued + this.expected < this.highWater;
  }

  private released(): void {
    while (this.roomWaiters.length > 0 && this.hasRoom()) this.roomWaiters.shift()?.();
  }

  get length(): number {
    return this.items.length;
  }

  /** Takes whole pushes until at least `max` events (or everything queued). Empty when nothing is queued. */
  takeAvailable(max: number): T[] {
    const out: T[] = [];
    while (this.items.length > 0 && out.length < max) {
      const item = this.items.shift() as QueueItem<T>;
      for (const e of item.events) out.push(e);
      item.consumed();
    }
    this.queued -= out.length;
    this.released();
    return out;
  }

  /** Resolves when something is pushed or `notify()` is called. */
  wait(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wakeConsumer = resolve;
    });
  }

  /** Wakes a waiting consumer (state changed). */
  notify(): void {
    const w = this.wakeConsumer;
    this.wakeConsumer = undefined;
    w?.();
  }

  /** Drops every queued event and releases their producers. */
  clear(): void {
    for (const item of this.items.splice(0)) item.consumed();
    this.queued = 0;
    this.cleared = true;
    this.released();
    this.notify();
  }
}

/** A wake-up signal for a loop that sleeps until a deadline or until poked. */
export class Poke {
  private resolveFn: (() => void) | undefined;
  private current: Promise<void> | undefined;
  /** A promise that resolves at the next `poke()`. */
  next(): Promise<void> {
    this.current ??= new Promise<void>((resolve) => {
      this.resolveFn = resolve;
    });
    return this.current;
  }
  poke(): void {
    const r = this.resolveFn;
    this.resolveFn = undefined;
    this.current = undefined;
    r?.();
  }
}
