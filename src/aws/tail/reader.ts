/**
 * The shard reader of `dynastream tail`: every shard of a stream, parents before children, in
 * parallel (bounded) and strictly in order within a shard, as an async stream of events. Implements
 * Appendix A of /work/shared/reference/streams-api-and-lag.md with named parts:
 *
 * - {@link TailReader}: one run: the first listing and start plan, which shards run, when the run
 *   ends (bounds, --idle-timeout, a disabled stream, close()), the events handed to the consumer;
 * - {@link ShardDiscovery} (discovery.ts): re-listings and the children of ended shards;
 * - {@link ShardReader} (shard-reader.ts): one shard's read loop (iterators, faults, pacing, bounds);
 * - ShardTracker (core/tail/tracker.ts): the lineage rules; cutPage (core/tail/page.ts): what a page
 *   shows; ReadAhead (read-ahead.ts): bounded memory.
 *
 * The units call AWS through the narrow {@link TailApi} (api.ts). The reader only reads; rendering,
 * checkpoints and counting belong to the consumer. Clock, sleep and randomness are injected.
 */
import { setMaxListeners } from "node:events";
import type { ShardInfo } from "../../core/lineage.js";
import { RateLimiter } from "../../core/rate-limit.js";
import { CHILD_LOOKUP_SPAN_MS, RELIST_INTERVAL_MS } from "../../core/tail/backoff.js";
import type { ReadBounds } from "../../core/tail/bounds.js";
import { isPastUntil } from "../../core/tail/bounds.js";
import type { StartRules } from "../../core/tail/plan.js";
import type { ReadyShard } from "../../core/tail/tracker.js";
import { ShardTracker } from "../../core/tail/tracker.js";
import { NotFoundError } from "../../errors.js";
import type { AwsRun } from "../streams.js";
import type { StreamListing, TailApi } from "./api.js";
import { sdkTailApi } from "./api.js";
import { ShardDiscovery } from "./discovery.js";
import type { TailEndReason, TailEvent } from "./events.js";
import { CloseLatch, ReaderClosed, Semaphore } from "./plumbing.js";
import { ReadAhead } from "./read-ahead.js";
import type { ShardRun } from "./shard-reader.js";
import { ShardReader } from "./shard-reader.js";

export type { GapEvent, RecordEvent, ShardEndEvent, TailEndReason, TailEvent } from "./events.js";

/** Options of {@link openTailReader}. */
export interface TailReaderOptions {
  streamArn: string;
  rules: StartRules;
  /** `--shard`: read only these shards (not their descendants). */
  only?: ReadonlySet<string> | undefined;
  bounds?: ReadBounds | undefined;
  /** Most GetRecords / GetShardIterator calls in flight at once (default 32). */
  concurrency?: number | undefined;
  /** End after this long without a record (epoch-ms clock of the run). */
  idleTimeoutMs?: number | undefined;
  /** GetRecords Limit (default 1000, the maximum). */
  pageLimit?: number | undefined;
  /** [0, 1) source for jitter (default Math.random). */
  random?: (() => number) | undefined;
  /** Full re-listing interval (default 30 s). */
  relistIntervalMs?: number | undefined;
  warn?: ((message: string) => void) | undefined;
  debug?: ((message: string) => void) | undefined;
}

/** What the first listing showed. */
export interface TailStart {
  shards: ShardInfo[];
  streamStatus: string | undefined;
  viewType: string | undefined;
  /** Shards that will be read, of which open. */
  toRead: number;
  openToRead: number;
  /** Start positions of the shards readable at once, counted by kind (`LATEST`: 3). */
  positions: Record<string, number>;
  /** Shards not read because they were closed at the start of a tail from LATEST. */
  skipped: string[];
}

/** The clock, sleep and abort signal of a run (and the endpoint named in error messages). */
export interface ReaderEnv {
  now(): number;
  sleep(ms: number): Promise<void>;
  signal: AbortSignal;
  endpoint?: string | undefined;
  /** Why the source throttles reads (LimitExceededException), for the one warning; DynamoDB's by default. */
  throttleCause?: string;
}

/** DynamoDB Streams: at most 2 processes should read a shard at once. */
const DYNAMODB_THROTTLE_CAUSE =
  "more than 2 processes may be reading its shards (Lambda triggers, global-table replication, other tails)";

/** The reader's own abort signal and sleep: both end when the reader closes. */
export interface ReaderScope {
  signal: AbortSignal;
  sleep(ms: number): Promise<void>;
}

/** Makes the calls of a run, given the reader's scope (calls in flight are aborted when it closes). */
export type ConnectApi = (scope: ReaderScope) => Promise<TailApi>;

/**
 * Lists the stream, plans the start, and starts reading. Throws NotFoundError for a --shard that
 * the stream does not list.
 */
export async function openTailReader(run: AwsRun, opts: TailReaderOptions): Promise<TailReader> {
  // DescribeStream allows 10 calls/s per account. The limiter counts when a call leaves; network
  // jitter can bunch arrivals, so keep a margin (9 per 1.1 s) to stay under 10/s as AWS sees it.
  run.describeLimiter ??= new RateLimiter(9, 1100, run.now, run.sleep);
  const env: ReaderEnv = {
    now: run.now,
    sleep: run.sleep,
    signal: run.signal,
    endpoint: run.clients.settings.endpointUrl,
  };
  return TailReader.open(env, (scope) => sdkTailApi({ ...run, ...scope }, opts.streamArn), opts);
}

/**
 * The same reader over a Kinesis data stream (a table's Kinesis destination): ListShards instead of
 * DescribeStream, GetRecords decoded into change records (kinesis-api.ts).
 */
export async function openKinesisTailReader(run: AwsRun, opts: TailReaderOptions): Promise<TailReader> {
  const { kinesisTailApi } = await import("./kinesis-api.js");
  const env: ReaderEnv = {
    now: run.now,
    sleep: run.sleep,
    signal: run.signal,
    endpoint: run.clients.settings.endpointUrl,
    // https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html: per shard, 5
    // GetRecords calls a second and 2 MB/s, shared by every consumer without enhanced fan-out.
    throttleCause:
      "other consumers may be reading its shards (5 GetRecords calls/s and 2 MB/s per shard are shared by every consumer without enhanced fan-out)",
  };
  return TailReader.open(env, (scope) => kinesisTailApi({ ...run, ...scope }, opts.streamArn), opts);
}

/** One run of the reader: an async stream of events, ended by a bound, the stream, or close(). */
export class TailReader implements AsyncIterable<TailEvent> {
  /** What the first listing showed. */
  readonly start: TailStart;
  /**
   * Resolves once every shard that starts at LATEST holds its iterator: from then on, every record
   * written is read (what "tailing … from LATEST" promises). Also resolves when the reader ends.
   */
  readonly ready: Promise<void>;

  readonly #env: ReaderEnv;
  readonly #opts: TailReaderOptions;
  readonly #latch: CloseLatch;
  readonly #bounds: ReadBounds;
  readonly #frozen: boolean;
  readonly #tracker: ShardTracker;
  readonly #discovery: ShardDiscovery;
  readonly #readAhead: ReadAhead;
  readonly #shardRun: ShardRun;
  readonly #latestWaiting: Set<string>;
  readonly #initialReady: ReadyShard[];
  #markReady: () => void = () => undefined;
  #endReason: TailEndReason | undefined;
  #failure: unknown;
  #finished = false;
  /** Shards being read now. */
  #reading = 0;
  #started = 0;
  #lastRecordAt: number;
  #warnedThrottle = false;
  readonly #onAbort = (): void => this.close();

  /**
   * Opens a reader over any {@link TailApi}: the first listing, the start plan, then reading begins.
   * Throws NotFoundError for a --shard that the stream does not list.
   */
  static async open(env: ReaderEnv, connect: ConnectApi, opts: TailReaderOptions): Promise<TailReader> {
    const latch = new CloseLatch();
    const signal = AbortSignal.any([env.signal, latch.controller.signal]);
    // Every shard being read waits on these signals (calls in flight, sleeps) at the same time:
    // thousands of abort listeners are expected, not a leak (Node's leak warning must not reach stderr).
    setMaxListeners(0, env.signal, signal);
    const scope: ReaderScope = { signal, sleep: (ms) => latch.race(env.sleep(Math.max(0, ms))) };
    const api = await connect(scope);
    const first = await api.listShards();
    if (opts.only) {
      const listed = new Set(first.shards.map((s) => s.shardId));
      const missing = [...opts.only].filter((id) => !listed.has(id));
      if (missing.length > 0) {
        throw new NotFoundError(
          `shard ${missing.join(", ")} not found in stream ${opts.streamArn}`,
          "list the shards with: dynastream shards <table> (shards older than 24 h are trimmed away)",
        );
      }
    }
    const reader = new TailReader(env, opts, latch, scope, api, first);
    reader.#begin();
    return reader;
  }

  private constructor(
    env: ReaderEnv,
    opts: TailReaderOptions,
    latch: CloseLatch,
    scope: ReaderScope,
    api: TailApi,
    first: StreamListing,
  ) {
    this.#env = env;
    this.#opts = opts;
    this.#latch = latch;
    this.#bounds = opts.bounds ?? {};
    this.#frozen = this.#bounds.snapshotMs !== undefined;
    this.#lastRecordAt = env.now();
    const random = opts.random ?? Math.random;
    const pageLimit = opts.pageLimit ?? 1000;
    const debug = opts.debug ?? (() => undefined);
    this.#readAhead = new ReadAhead(pageLimit);
    this.#tracker = new ShardTracker(opts.rules, { only: opts.only, frozen: this.#frozen });
    this.#shardRun = {
      api,
      latch,
      slots: new Semaphore(Math.max(1, opts.concurrency ?? 32)),
      readAhead: this.#readAhead,
      now: env.now,
      sleep: scope.sleep,
      random,
      bounds: this.#bounds,
      skipBeforeMs: opts.rules.skipBeforeMs,
      pageLimit,
      streamArn: opts.streamArn,
      endpoint: env.endpoint,
      debug,
      throttled: (what) => this.#throttled(what),
      positioned: (shardId) => this.#positioned(shardId),
      sawRecords: () => {
        this.#lastRecordAt = env.now();
      },
    };

    this.#tracker.add(first.shards);
    this.#discovery = new ShardDiscovery({
      api,
      tracker: this.#tracker,
      latch,
      now: env.now,
      sleep: scope.sleep,
      random,
      debug,
      // --until-end reads what stood at the snapshot: children are looked up, nothing else is listed,
      // but for one final listing when shards were closed at the snapshot (a sibling may be listed late).
      relistEveryMs: this.#frozen ? undefined : (opts.relistIntervalMs ?? RELIST_INTERVAL_MS),
      finalListingAfterMs: this.#closedAtSnapshot() ? CHILD_LOOKUP_SPAN_MS : undefined,
      idle: () => this.#reading === 0 && this.#tracker.activeCount() === 0,
      changed: () => this.#pump(),
      first,
    });
    this.#initialReady = this.#tracker.takeReady();
    this.start = this.#planned(first, this.#initialReady);
    this.#latestWaiting = new Set(
      this.#initialReady.filter((r) => r.position.type === "LATEST").map((r) => r.shard.shardId),
    );
    this.ready = new Promise<void>((resolve) => {
      this.#markReady = resolve;
    });
    if (this.#latestWaiting.size === 0) this.#markReady();
  }

  /** Why the reader ended (undefined while running). */
  get endReason(): TailEndReason | undefined {
    return this.#endReason;
  }

  /** Shard ids of the latest full listing (for pruning checkpoints). */
  listedShardIds(): ReadonlySet<string> {
    return this.#discovery.listedIds;
  }

  /** Number of shards whose reading started. */
  shardsStarted(): number {
    return this.#started;
  }

  /** Stops at once: in-flight calls are aborted, queued events dropped. Idempotent; safe from a signal handler. */
  close(): void {
    if (this.#finished) return;
    this.#finish("closed");
    this.#readAhead.queue.clear();
  }

  /**
   * Events in batches: whatever is available (at least one event, at most about `max`), so the
   * consumer can render a page with one write. Ends when the reader ends; throws its fatal error.
   */
  async *batches(max = 2000): AsyncGenerator<TailEvent[], void, undefined> {
    const queue = this.#readAhead.queue;
    try {
      for (;;) {
        if (this.#failure !== undefined) throw this.#failure;
        if (this.#endReason === "closed") return;
        const got = queue.takeAvailable(max);
        if (got.length > 0) {
          if (got.some((e) => e.kind === "record")) this.#lastRecordAt = this.#env.now();
          yield got;
          continue;
        }
        if (this.#finished) return;
        await queue.wait();
      }
    } finally {
      this.#env.signal.removeEventListener("abort", this.#onAbort);
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<TailEvent> {
    for await (const batch of this.batches()) yield* batch;
  }

  /** The start as the first listing and the plan show it. */
  #planned(first: StreamListing, initialReady: ReadyShard[]): TailStart {
    const positions: Record<string, number> = {};
    for (const r of initialReady) positions[r.position.type] = (positions[r.position.type] ?? 0) + 1;
    const all = this.#tracker.snapshot();
    const toRead = all.filter((s) => s.status !== "skipped" && s.status !== "ended");
    return {
      shards: first.shards,
      streamStatus: first.status,
      viewType: first.viewType,
      toRead: toRead.length,
      openToRead: toRead.filter((s) => s.open).length,
      positions,
      skipped: all.filter((s) => s.status === "skipped").map((s) => s.shardId),
    };
  }

  /** --until-end (not --shard): whether the first listing has closed shards whose children are read. */
  #closedAtSnapshot(): boolean {
    if (!this.#frozen || this.#opts.only !== undefined) return false;
    return this.#tracker.snapshot().some((s) => !s.open && s.status !== "skipped");
  }

  #begin(): void {
    if (this.#env.signal.aborted) this.close();
    else this.#env.signal.addEventListener("abort", this.#onAbort, { once: true });
    for (const r of this.#initialReady) this.#startShard(r);
    this.#initialReady.length = 0;
    if (this.#opts.only === undefined) {
      // Shards ended before this run (checkpoint) whose children are not listed yet.
      for (const id of this.#tracker.endedWithoutChildren()) this.#discovery.lookFor(id);
      this.#background(this.#discovery.run());
    }
    if (this.#opts.idleTimeoutMs !== undefined || this.#bounds.untilMs !== undefined) {
      this.#background(this.#timerLoop());
    }
    this.#pump();
  }

  #finish(reason: TailEndReason): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#markReady();
    this.#endReason = reason;
    this.#latch.close();
    this.#readAhead.queue.notify();
  }

  #fail(e: unknown): void {
    if (this.#finished) return;
    this.#failure = e;
    this.close();
  }

  #background(p: Promise<void>): void {
    p.catch((e: unknown) => {
      if (!(e instanceof ReaderClosed) && !this.#latch.closed) this.#fail(e);
    });
  }

  #positioned(shardId: string): void {
    if (this.#latestWaiting.delete(shardId) && this.#latestWaiting.size === 0) this.#markReady();
  }

  #throttled(what: string): void {
    if (this.#warnedThrottle) return;
    this.#warnedThrottle = true;
    this.#opts.warn?.(
      `AWS throttled reads of ${what} (LimitExceededException): ${this.#env.throttleCause ?? DYNAMODB_THROTTLE_CAUSE}; backing off`,
    );
  }

  /** Starts readable shards and decides whether everything is done. */
  #pump(): void {
    if (this.#finished) return;
    for (const r of this.#tracker.takeReady()) this.#startShard(r);
    if (this.#reading > 0 || this.#tracker.activeCount() > 0 || this.#discovery.busy) return;
    if (this.#frozen) this.#finish("bounded");
    else if (this.#opts.only) this.#finish("shards-done");
    else if (this.#discovery.disabled) this.#finish("disabled");
    else if (isPastUntil(this.#env.now(), this.#bounds)) this.#finish("bounded");
    // otherwise: an enabled stream whose known shards are all read; wait for new ones (re-listing)
  }

  #startShard(r: ReadyShard): void {
    this.#reading++;
    this.#started++;
    const shardId = r.shard.shardId;
    new ShardReader(r, this.#shardRun)
      .read()
      .then((how) => {
        this.#tracker.finish(shardId, how);
        if (how === "ended" && this.#opts.only === undefined && this.#tracker.followsChildren(shardId)) {
          this.#discovery.lookFor(shardId);
        }
      })
      .catch((e: unknown) => {
        if (!(e instanceof ReaderClosed) && !this.#latch.closed) this.#fail(e);
      })
      .finally(() => {
        this.#reading--;
        this.#pump();
      });
  }

  /** --idle-timeout and --until: wakes up when they could be reached. */
  async #timerLoop(): Promise<void> {
    const idleMs = this.#opts.idleTimeoutMs;
    const untilMs = this.#bounds.untilMs;
    while (!this.#latch.closed) {
      const now = this.#env.now();
      let wakeAt = Number.POSITIVE_INFINITY;
      if (idleMs !== undefined) {
        if (now - this.#lastRecordAt >= idleMs && this.#readAhead.queue.length === 0) {
          this.#finish("idle");
          return;
        }
        wakeAt = Math.min(wakeAt, Math.max(this.#lastRecordAt + idleMs, now + 50));
      }
      if (untilMs !== undefined && now < untilMs) wakeAt = Math.min(wakeAt, untilMs);
      if (untilMs !== undefined && now >= untilMs) this.#pump();
      if (!Number.isFinite(wakeAt)) wakeAt = now + 1000;
      await this.#shardRun.sleep(Math.max(1, wakeAt - now));
    }
  }
}
