/**
 * The shard reader of `dynastream tail`: every shard of a stream, parents before children, in
 * parallel (bounded) and strictly in order within a shard, as an async stream of events. Implements
 * Appendix A of /work/shared/reference/streams-api-and-lag.md:
 *
 * - all shards listed (DescribeStream paginated, ≤ 10 calls/s shared with every other listing);
 * - a parent is read to its end before its children; a child whose parent is gone is a root;
 * - at a shard's end its children are looked up with DescribeStream `ShardFilter CHILD_SHARDS`
 *   (kept only when their ParentShardId matches: DynamoDB Local ignores the filter), retried with
 *   backoff since children can appear after their parent closes, with a full re-listing as fallback
 *   and every 30 s as a safety net; children start at TRIM_HORIZON;
 * - an expired iterator is renewed AFTER_SEQUENCE_NUMBER the last record read (or at the original
 *   position when none was); TrimmedDataAccessException is a gap event, then TRIM_HORIZON, when the
 *   position to resume from is trimmed too (a new iterator there is refused);
 *   ResourceNotFound on a shard ends that shard; throttling and 5xx back off with jitter;
 * - an empty page backs off (250 ms → 1 s); a full page is followed at once, any other at most 5
 *   GetRecords calls/s per shard; the next page is fetched while the current one is consumed, and no
 *   shard fetches while about 4 pages of records (at least one full page) wait for the consumer or
 *   are on their way (bounded memory, see {@link QUEUED_PAGES}).
 *
 * The reader only reads; rendering, checkpoints and counting belong to the consumer. Clock, sleep
 * and randomness are injected.
 */
import { setMaxListeners } from "node:events";
import type { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import type { ShardInfo } from "../../core/lineage.js";
import { isClosed } from "../../core/lineage.js";
import { RateLimiter } from "../../core/rate-limit.js";
import type { StreamRecord } from "../../core/record.js";
import { creationTimeMs } from "../../core/record.js";
import {
  CHILD_LOOKUP_ATTEMPTS,
  childLookupDelayMs,
  emptyPollDelayMs,
  IDLE_RELIST_INTERVAL_MS,
  MAX_CALL_RETRIES,
  pacingDelayMs,
  RELIST_INTERVAL_MS,
  retryDelayMs,
} from "../../core/tail/backoff.js";
import type { ReadBounds } from "../../core/tail/bounds.js";
import { isBounded, isCaughtUp, isPastBound, isPastUntil } from "../../core/tail/bounds.js";
import type { IteratorPosition, StartRules } from "../../core/tail/plan.js";
import { describePosition, isBeforeStart } from "../../core/tail/plan.js";
import type { ReadyShard } from "../../core/tail/tracker.js";
import { ShardTracker } from "../../core/tail/tracker.js";
import { AuthError, AwsError, DynastreamError, NotFoundError, UsageError } from "../../errors.js";
import { awsErrorName, isThrottle, isTransient, translateAwsError } from "../errors.js";
import type { AwsRun } from "../streams.js";
import { describeChildShards, describeStreamAll } from "../streams.js";
import { getRecordsPage } from "./get-records.js";
import { CloseLatch, EventQueue, Poke, ReaderClosed, Semaphore } from "./plumbing.js";

/** A record read from a shard, in shard order. */
export interface RecordEvent {
  kind: "record";
  shardId: string;
  record: StreamRecord;
}

/** Records were lost: the shard was trimmed past the position tail was reading. */
export interface GapEvent {
  kind: "gap";
  shardId: string;
  /** The last record read from the shard before the gap, if any. */
  afterSequenceNumber?: string | undefined;
  /** Short reason: `trimmed`. */
  reason: string;
  /** When the gap was detected (epoch ms, injected clock). */
  at: number;
}

/**
 * A shard finished: `end` (read to its end: its children follow), `not-found` (the shard is gone:
 * treated as its end), `bound` (stopped at --until / --until-end; its descendants are not read).
 */
export interface ShardEndEvent {
  kind: "shard-end";
  shardId: string;
  reason: "end" | "not-found" | "bound";
}

/** What the reader yields. */
export type TailEvent = RecordEvent | GapEvent | ShardEndEvent;

/**
 * Why the reader ended: `bounded` (every shard read up to the bound), `disabled` (the stream was
 * disabled and every record read), `shards-done` (the shards of --shard were all read), `idle`
 * (--idle-timeout), `closed` (close() was called).
 */
export type TailEndReason = "bounded" | "disabled" | "shards-done" | "idle" | "closed";

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

/** The running reader. */
export interface TailReader extends AsyncIterable<TailEvent> {
  readonly start: TailStart;
  /**
   * Events in batches: whatever is available (at least one event, at most about `max`), so the
   * consumer can render a page with one write. Ends when the reader ends; throws its fatal error.
   */
  batches(max?: number): AsyncGenerator<TailEvent[], void, undefined>;
  /** Stops at once: in-flight calls are aborted, queued events dropped. Safe from a signal handler. */
  close(): void;
  /** Why the reader ended (undefined while running). */
  readonly endReason: TailEndReason | undefined;
  /** Shard ids of the latest full listing (for pruning checkpoints). */
  listedShardIds(): ReadonlySet<string>;
  /** Number of shards whose reading started. */
  shardsStarted(): number;
  /**
   * Resolves once every shard that starts at LATEST holds its iterator: from then on, every record
   * written is read (what "tailing … from LATEST" promises). Also resolves when the reader ends.
   */
  readonly ready: Promise<void>;
}

const GAP_REASON = "trimmed";

/**
 * Read-ahead, in pages: shards stop fetching while about this many pages of records wait for the
 * consumer or are on their way (a GetRecords call in flight counts as a page of the size its shard's
 * last page had). A page here is as large as the pages read so far (their mean), and the read-ahead is
 * never less than one full page (`pageLimit` records): many small pages are fetched in parallel, few
 * large ones. Records that wait long make peak memory: a record that outlives two young-generation
 * collections is copied to the old generation, whose garbage then grows to several times the live
 * heap before a full collection (bench/RESULTS.md, "Peak RSS at 1,000 shards").
 */
const QUEUED_PAGES = 4;

interface ShardCursor {
  shard: ShardInfo;
  /** Where reading (re)starts when there is no record to continue after. */
  start: IteratorPosition;
  /** The last record read from the shard (the renewal point of an expired iterator). */
  lastSeq: string | undefined;
}

/**
 * Lists the stream, plans the start, and starts reading. Throws NotFoundError for a --shard that
 * the stream does not list.
 */
export async function openTailReader(run: AwsRun, opts: TailReaderOptions): Promise<TailReader> {
  const { streamArn } = opts;
  const random = opts.random ?? Math.random;
  const bounds = opts.bounds ?? {};
  const bounded = isBounded(bounds);
  const frozen = bounds.snapshotMs !== undefined;
  const followChildren = opts.only === undefined && !frozen;
  const relistEvery = opts.relistIntervalMs ?? RELIST_INTERVAL_MS;
  const pageLimit = opts.pageLimit ?? 1000;
  const debug = opts.debug ?? (() => undefined);
  const warn = opts.warn ?? (() => undefined);

  const latch = new CloseLatch();
  const signal = AbortSignal.any([run.signal, latch.controller.signal]);
  // Every shard being read waits on these signals (calls in flight, sleeps) at the same time: hundreds
  // of abort listeners are expected, not a leak (and Node's leak warning must not reach stderr).
  setMaxListeners(0, run.signal, signal);
  const sleep = (ms: number): Promise<void> => latch.race(run.sleep(Math.max(0, ms)));
  // DescribeStream allows 10 calls/s per account. The limiter counts when a call leaves; network
  // jitter can bunch arrivals, so keep a margin (9 per 1.1 s) to stay under 10/s as AWS sees it.
  run.describeLimiter ??= new RateLimiter(9, 1100, run.now, run.sleep);
  const inner: AwsRun = { ...run, signal, sleep };
  const endpoint = run.clients.settings.endpointUrl;
  const client: DynamoDBStreamsClient = await run.clients.streams();
  const sdk = await import("@aws-sdk/client-dynamodb-streams");

  // Records waiting for the consumer or on their way: at most about QUEUED_PAGES pages' worth.
  const queue = new EventQueue<TailEvent>(pageLimit);
  /** Mean size of the last pages that had records (0 before the first); sets the read-ahead. */
  let typicalPage = 0;
  let pagesWithRecords = 0;
  const sawPage = (records: number): void => {
    if (records === 0) return;
    pagesWithRecords++;
    typicalPage += (records - typicalPage) / Math.min(pagesWithRecords, 16);
    queue.setHighWater(Math.max(pageLimit, Math.round(QUEUED_PAGES * typicalPage)));
  };
  const slots = new Semaphore(Math.max(1, opts.concurrency ?? 32));
  const discoveryPoke = new Poke();
  const tracker = new ShardTracker(opts.rules, { only: opts.only, frozen });

  let endReason: TailEndReason | undefined;
  let failure: unknown;
  let finished = false;
  let fibers = 0;
  let started = 0;
  let streamStatus: string | undefined;
  let listed = new Set<string>();
  let lastRecordAt = run.now();
  let warnedThrottle = false;
  const lookups = new Map<string, { attempts: number; nextAt: number }>();
  let forceRelist = false;
  let lastListingAt = run.now();

  const streamDisabled = (): boolean => streamStatus === "DISABLED" || streamStatus === "DISABLING";

  // ---- the first listing -------------------------------------------------------------------------
  const first = await describeStreamAll(inner, streamArn);
  streamStatus = first.description.StreamStatus;
  listed = new Set(first.shards.map((s) => s.shardId));
  if (opts.only) {
    const missing = [...opts.only].filter((id) => !listed.has(id));
    if (missing.length > 0) {
      throw new NotFoundError(
        `shard ${missing.join(", ")} not found in stream ${streamArn}`,
        "list the shards with: dynastream shards <table> (shards older than 24 h are trimmed away)",
      );
    }
  }
  tracker.add(first.shards);
  const initialReady = tracker.takeReady();
  const positions: Record<string, number> = {};
  for (const r of initialReady) positions[r.position.type] = (positions[r.position.type] ?? 0) + 1;
  const toReadList = tracker.snapshot().filter((s) => s.status !== "skipped" && s.status !== "ended");
  const start: TailStart = {
    shards: first.shards,
    streamStatus,
    viewType: first.description.StreamViewType,
    toRead: toReadList.length,
    openToRead: toReadList.filter((s) => s.open).length,
    positions,
    skipped: tracker
      .snapshot()
      .filter((s) => s.status === "skipped")
      .map((s) => s.shardId),
  };

  // ---- readiness: LATEST iterators in place ------------------------------------------------------
  const latestWaiting = new Set(
    initialReady.filter((r) => r.position.type === "LATEST").map((r) => r.shard.shardId),
  );
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const positioned = (shardId: string): void => {
    if (latestWaiting.delete(shardId) && latestWaiting.size === 0) markReady();
  };
  if (latestWaiting.size === 0) markReady();

  // ---- lifecycle ---------------------------------------------------------------------------------
  function finish(reason: TailEndReason): void {
    if (finished) return;
    finished = true;
    markReady();
    endReason = reason;
    latch.close();
    queue.notify();
  }

  function fail(e: unknown): void {
    if (finished) return;
    failure = e;
    finish("closed");
    queue.clear();
  }

  function close(): void {
    if (finished) return;
    finish("closed");
    queue.clear();
  }

  const onAbort = (): void => close();
  if (run.signal.aborted) close();
  else run.signal.addEventListener("abort", onAbort, { once: true });

  /** Starts readable shards and decides whether everything is done. */
  function pump(): void {
    if (finished) return;
    for (const r of tracker.takeReady()) startFiber(r);
    if (fibers > 0 || tracker.activeCount() > 0 || lookups.size > 0) return;
    if (frozen) finish("bounded");
    else if (opts.only) finish("shards-done");
    else if (streamDisabled()) finish("disabled");
    else if (bounds.untilMs !== undefined && isPastUntil(run.now(), bounds)) finish("bounded");
    // otherwise: an enabled stream whose known shards are all read; wait for new ones (re-listing)
  }

  function startFiber(r: ReadyShard): void {
    fibers++;
    started++;
    readShard(r)
      .then((how) => {
        tracker.finish(r.shard.shardId, how);
        if (how === "ended" && followChildren && !tracker.hasChildren(r.shard.shardId)) {
          lookups.set(r.shard.shardId, { attempts: 0, nextAt: run.now() });
          discoveryPoke.poke();
        }
      })
      .catch((e: unknown) => {
        if (!(e instanceof ReaderClosed) && !latch.closed) fail(e);
      })
      .finally(() => {
        fibers--;
        pump();
      });
  }

  // ---- one shard ---------------------------------------------------------------------------------
  function gap(cur: ShardCursor): void {
    const after =
      cur.lastSeq ?? (cur.start.type === "AFTER_SEQUENCE_NUMBER" ? cur.start.sequenceNumber : undefined);
    queue.pushNow([
      {
        kind: "gap",
        shardId: cur.shard.shardId,
        afterSequenceNumber: after,
        reason: GAP_REASON,
        at: run.now(),
      },
    ]);
    cur.start = { type: "TRIM_HORIZON" };
    cur.lastSeq = undefined;
  }

  async function backoff(e: unknown, attempt: number, what: string): Promise<void> {
    if (attempt >= MAX_CALL_RETRIES) throw translateAwsError(e, what, endpoint);
    if (isThrottle(e) && awsErrorName(e) === "LimitExceededException" && !warnedThrottle) {
      warnedThrottle = true;
      warn(
        `AWS throttled reads of ${what} (LimitExceededException): more than 2 processes may be reading its shards (Lambda triggers, global-table replication, other tails); backing off`,
      );
    }
    const ms = retryDelayMs(attempt, random);
    debug(`${what}: ${awsErrorName(e) ?? "error"}; retry ${attempt + 1} in ${ms} ms`);
    await sleep(ms);
  }

  /** A fresh iterator at `pos`; undefined when the shard is gone. Trimmed positions become gaps. */
  async function iteratorAt(cur: ShardCursor, pos: IteratorPosition): Promise<string | undefined> {
    const shardId = cur.shard.shardId;
    let position = pos;
    for (let attempt = 0; ; ) {
      if (latch.closed) throw new ReaderClosed();
      try {
        const out = await slots.with(latch, () =>
          client.send(
            new sdk.GetShardIteratorCommand({
              StreamArn: streamArn,
              ShardId: shardId,
              ShardIteratorType: position.type,
              ...("sequenceNumber" in position ? { SequenceNumber: position.sequenceNumber } : {}),
            }),
            { abortSignal: signal },
          ),
        );
        debug(`shard ${shardId}: iterator at ${describePosition(position)}`);
        return out.ShardIterator || undefined;
      } catch (e) {
        if (latch.closed) throw new ReaderClosed();
        const name = awsErrorName(e);
        if (name === "ResourceNotFoundException") return undefined;
        if (name === "TrimmedDataAccessException") {
          if (position.type === "TRIM_HORIZON") return undefined;
          gap(cur);
          position = cur.start;
          continue;
        }
        if (isThrottle(e) || isTransient(e)) {
          await backoff(e, attempt++, `shard ${shardId}`);
          continue;
        }
        throw translateAwsError(e, `shard ${shardId} of stream ${streamArn}`, endpoint);
      }
    }
  }

  /** Where an iterator is renewed: after the last record read, else the original position. */
  function resumePosition(cur: ShardCursor): IteratorPosition {
    return cur.lastSeq !== undefined
      ? { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: cur.lastSeq }
      : cur.start;
  }

  type Page = { records: StreamRecord[]; next: string | undefined; iterator: string } | undefined;

  /** One GetRecords with every recoverable fault handled; undefined when the shard is gone. */
  async function getPage(cur: ShardCursor, iterator: string): Promise<Page> {
    const shardId = cur.shard.shardId;
    let it = iterator;
    let attempt = 0;
    let renewals = 0;
    // The iterator obtained to re-check a TrimmedDataAccessException (see below).
    let recheck: string | undefined;
    for (;;) {
      if (latch.closed) throw new ReaderClosed();
      try {
        const out = await slots.with(latch, () =>
          getRecordsPage(
            client,
            sdk.GetRecordsCommand,
            { ShardIterator: it, Limit: pageLimit },
            {
              abortSignal: signal,
            },
          ),
        );
        return { records: out.Records, next: out.NextShardIterator, iterator: it };
      } catch (e) {
        if (latch.closed) throw new ReaderClosed();
        const name = awsErrorName(e);
        if (name === "ExpiredIteratorException" || name === "TrimmedDataAccessException") {
          if (++renewals > MAX_CALL_RETRIES) throw translateAwsError(e, `shard ${shardId}`, endpoint);
          // Records were lost only if the position tail reads from is trimmed too: with a sequence
          // number to resume after, ask for an iterator there (iteratorAt reports the gap when
          // GetShardIterator answers trimmed as well); otherwise, or if the re-checked iterator is
          // refused again, it is a gap.
          const trimmed = name === "TrimmedDataAccessException";
          if (trimmed && (!("sequenceNumber" in resumePosition(cur)) || it === recheck)) gap(cur);
          const pos = resumePosition(cur);
          debug(`shard ${shardId}: ${name}; new iterator at ${describePosition(pos)}`);
          const fresh = await iteratorAt(cur, pos);
          if (fresh === undefined) return undefined;
          it = fresh;
          recheck = trimmed ? fresh : undefined;
          continue;
        }
        if (name === "ResourceNotFoundException") return undefined;
        if (isThrottle(e) || isTransient(e)) {
          await backoff(e, attempt++, `shard ${shardId}`);
          continue;
        }
        throw translateAwsError(e, `shard ${shardId} of stream ${streamArn}`, endpoint);
      }
    }
  }

  /** What {@link queuePage} did with a page. */
  interface QueuedPage {
    /** Resolves once the consumer took the page's records; undefined when none were queued. */
    taken: Promise<void> | undefined;
    /** A record past --until / the snapshot ended the page: the shard is done. */
    pastBound: boolean;
    next: string | undefined;
    /** Records the page had (queued or not). */
    records: number;
  }

  /**
   * Queues a page's records (those within the bounds) at once, so that the read-ahead counts them, and
   * empties the page's list. The promises that carried the page here were made when its call began and
   * have often been moved to the old generation meanwhile: holding the page, they would keep every
   * record alive (and make it old too) until the next full collection, long after it was written.
   */
  function queuePage(cur: ShardCursor, page: NonNullable<Page>): QueuedPage {
    const shardId = cur.shard.shardId;
    const events: TailEvent[] = [];
    let pastBound = false;
    for (const rec of page.records) {
      const ms = creationTimeMs(rec);
      if (bounded && isPastBound(ms, bounds)) {
        pastBound = true;
        break;
      }
      const seq = rec.dynamodb?.SequenceNumber;
      if (seq !== undefined) cur.lastSeq = seq;
      if (isBeforeStart(ms, opts.rules.skipBeforeMs)) continue;
      events.push({ kind: "record", shardId, record: rec });
    }
    const records = page.records.length;
    page.records.length = 0;
    sawPage(records);
    const taken = events.length > 0 ? queue.push(events) : undefined;
    return { taken, pastBound, next: page.next, records };
  }

  async function readShard(r: ReadyShard): Promise<"ended" | "bounded"> {
    const shardId = r.shard.shardId;
    const cur: ShardCursor = { shard: r.shard, start: r.position, lastSeq: undefined };
    const end = (reason: ShardEndEvent["reason"]): void => {
      queue.pushNow([{ kind: "shard-end", shardId, reason }]);
    };
    let iterator = await iteratorAt(cur, cur.start);
    positioned(shardId);
    if (iterator === undefined) {
      debug(`shard ${shardId}: not found (trimmed or gone): treated as ended`);
      end("not-found");
      return "ended";
    }
    const openAtStart = !isClosed(r.shard);
    // What the next call is expected to bring (its share of the read-ahead): the size of this shard's
    // last page (an idle shard: nothing); for the first call, that of the pages so far, else a full page.
    let expected = pagesWithRecords > 0 ? Math.round(typicalPage) : pageLimit;
    let pending: Promise<void> = Promise.resolve();
    let lastCallAt: number | undefined;
    let lastFull = false;
    let empties = 0;
    for (;;) {
      // A full page says more records are waiting: the next call goes at once (draining a backlog at
      // the backend's speed). Otherwise the shard is being written slowly: at most 5 calls/s.
      if (!lastFull) {
        const pace = pacingDelayMs(lastCallAt, run.now());
        if (pace > 0) await sleep(pace);
      }
      // Bounded memory with many shards: no call while plenty of records are queued or on their way.
      const release = await latch.race(queue.reserve(expected));
      let step: QueuedPage;
      try {
        lastCallAt = run.now();
        const page = await getPage(cur, iterator);
        if (page === undefined) {
          release();
          await latch.race(pending);
          debug(`shard ${shardId}: not found (trimmed or gone): treated as ended`);
          end("not-found");
          return "ended";
        }
        step = queuePage(cur, page);
      } finally {
        release(); // the page's records are queued (or were none): they count there now
      }
      lastFull = step.records >= pageLimit;
      expected = step.records;
      if (step.taken !== undefined) {
        lastRecordAt = run.now();
        // At most two pages of a shard wait for the consumer: this one was fetched while the last one
        // waited, and the next call waits until that one is taken.
        await latch.race(pending);
        pending = step.taken;
      }
      if (step.pastBound) {
        end("bound");
        return "bounded";
      }
      if (step.next === undefined) {
        end("end");
        return "ended";
      }
      iterator = step.next;
      if (step.records === 0) {
        empties++;
        if (bounded && openAtStart && isCaughtUp(empties, run.now(), bounds)) {
          end("bound");
          return "bounded";
        }
        await sleep(emptyPollDelayMs(empties, random));
      } else {
        empties = 0;
      }
    }
  }

  // ---- children and re-listing -------------------------------------------------------------------
  async function fullListing(): Promise<void> {
    const all = await describeStreamAll(inner, streamArn);
    streamStatus = all.description.StreamStatus ?? streamStatus;
    listed = new Set(all.shards.map((s) => s.shardId));
    const added = tracker.add(all.shards);
    if (added.length > 0) debug(`listing found ${added.length} new shard(s)`);
    lastListingAt = run.now();
  }

  async function discoveryLoop(): Promise<void> {
    let failures = 0;
    while (!latch.closed) {
      const now = run.now();
      const idle = fibers === 0 && tracker.activeCount() === 0;
      const nextRelist = forceRelist ? now : lastListingAt + (idle ? IDLE_RELIST_INTERVAL_MS : relistEvery);
      let nextLookup = Number.POSITIVE_INFINITY;
      for (const l of lookups.values()) nextLookup = Math.min(nextLookup, l.nextAt);
      const wakeAt = Math.min(nextRelist, nextLookup);
      if (wakeAt > now) {
        const poked = discoveryPoke.next();
        await latch.race(Promise.race([sleep(wakeAt - now), poked]));
        continue;
      }
      const due = [...lookups.entries()].filter(([, l]) => l.nextAt <= now);
      const relisting = now >= nextRelist || due.length >= 3;
      try {
        if (relisting) {
          forceRelist = false;
          await fullListing();
        } else {
          for (const [id] of due) {
            const { children, status } = await describeChildShards(inner, streamArn, id);
            if (status !== undefined) streamStatus = status;
            if (children.length > 0) {
              debug(`shard ${id}: ${children.length} child shard(s)`);
              tracker.add(children);
            }
          }
        }
        failures = 0;
      } catch (e) {
        if (latch.closed) return;
        if (e instanceof NotFoundError || e instanceof AuthError || e instanceof UsageError) throw e;
        if (e instanceof DynastreamError && !(e instanceof AwsError)) throw e;
        if (failures >= MAX_CALL_RETRIES) throw e;
        const ms = retryDelayMs(failures++, random);
        debug(`listing stream: ${e instanceof Error ? e.message : String(e)}; retry in ${ms} ms`);
        await sleep(ms);
        continue;
      }
      for (const [id, l] of due) {
        if (tracker.hasChildren(id) || streamDisabled()) {
          lookups.delete(id);
        } else if (++l.attempts >= CHILD_LOOKUP_ATTEMPTS) {
          lookups.delete(id);
          if (!relisting) forceRelist = true; // last resort; then the periodic re-listing
          debug(`shard ${id}: no children found yet; relying on the periodic re-listing`);
        } else {
          l.nextAt = run.now() + childLookupDelayMs(l.attempts - 1, random);
        }
      }
      pump();
    }
  }

  async function timerLoop(): Promise<void> {
    // --idle-timeout and --until: wake up when they could be reached.
    while (!latch.closed) {
      const now = run.now();
      let wakeAt = Number.POSITIVE_INFINITY;
      if (opts.idleTimeoutMs !== undefined) {
        if (now - lastRecordAt >= opts.idleTimeoutMs && queue.length === 0) {
          finish("idle");
          return;
        }
        wakeAt = Math.min(wakeAt, Math.max(lastRecordAt + opts.idleTimeoutMs, now + 50));
      }
      if (bounds.untilMs !== undefined && now < bounds.untilMs) wakeAt = Math.min(wakeAt, bounds.untilMs);
      if (bounds.untilMs !== undefined && now >= bounds.untilMs) pump();
      if (!Number.isFinite(wakeAt)) wakeAt = now + 1000;
      await sleep(Math.max(1, wakeAt - now));
    }
  }

  const background = (p: Promise<void>): void => {
    p.catch((e: unknown) => {
      if (!(e instanceof ReaderClosed) && !latch.closed) fail(e);
    });
  };

  for (const r of initialReady) startFiber(r);
  if (followChildren) {
    // Ended shards of the first listing without children in it (closed at start, children late).
    background(discoveryLoop());
  }
  if (opts.idleTimeoutMs !== undefined || bounds.untilMs !== undefined) background(timerLoop());
  pump();

  async function* batches(max = 2000): AsyncGenerator<TailEvent[], void, undefined> {
    try {
      for (;;) {
        if (failure !== undefined) throw failure;
        if (endReason === "closed") return;
        const got = queue.takeAvailable(max);
        if (got.length > 0) {
          if (got.some((e) => e.kind === "record")) lastRecordAt = run.now();
          yield got;
          continue;
        }
        if (finished) return;
        await queue.wait();
      }
    } finally {
      run.signal.removeEventListener("abort", onAbort);
    }
  }

  return {
    start,
    batches,
    close,
    get endReason() {
      return endReason;
    },
    listedShardIds: () => listed,
    shardsStarted: () => started,
    ready,
    async *[Symbol.asyncIterator]() {
      for await (const batch of batches()) yield* batch;
    },
  };
}
