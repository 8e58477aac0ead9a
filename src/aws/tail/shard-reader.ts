/**
 * One shard's read loop in the live tail reader (streams-api-and-lag.md Appendix A steps 4 and 6):
 *
 * - an iterator at the shard's start position; GetRecords page after page until the shard ends;
 * - an expired iterator is renewed AFTER_SEQUENCE_NUMBER the last record read (or at the original
 *   position when none was); TrimmedDataAccessException is a gap event, then TRIM_HORIZON, when the
 *   position to resume from is trimmed too (a new iterator there is refused);
 * - ResourceNotFound ends the shard; throttling and 5xx back off with jitter, 10 times at most;
 * - a full page is followed at once, any other at most 5 GetRecords calls/s; an empty page backs off
 *   (250 ms → 1 s); the next page is fetched while the current one waits for the consumer;
 * - bounds: a record past --until / the snapshot ends the shard, and so do two empty pages in a row on
 *   a shard that was open when reading began (it is caught up).
 */
import type { ShardInfo } from "../../core/lineage.js";
import { isClosed } from "../../core/lineage.js";
import { emptyPollDelayMs, MAX_CALL_RETRIES, pacingDelayMs, retryDelayMs } from "../../core/tail/backoff.js";
import type { ReadBounds } from "../../core/tail/bounds.js";
import { isBounded, isCaughtUp } from "../../core/tail/bounds.js";
import { cutPage } from "../../core/tail/page.js";
import type { IteratorPosition } from "../../core/tail/plan.js";
import { describePosition } from "../../core/tail/plan.js";
import type { ReadyShard } from "../../core/tail/tracker.js";
import { awsErrorName, isThrottle, isTransient, translateAwsError } from "../errors.js";
import type { ShardApi } from "./api.js";
import type { RecordsPage } from "./get-records.js";
import type { CloseLatch, Semaphore } from "./plumbing.js";
import { ReaderClosed } from "./plumbing.js";
import type { ReadAhead } from "./read-ahead.js";

/** What every shard of a run shares: the calls, the clock, the bounds and the read-ahead. */
export interface ShardRun {
  api: ShardApi;
  /** Closed when the run ends: every wait and call of the shard stops. */
  latch: CloseLatch;
  /** Bounds the calls in flight across shards. */
  slots: Semaphore;
  readAhead: ReadAhead;
  now(): number;
  /** Sleeps that end (with ReaderClosed) when the latch closes. */
  sleep(ms: number): Promise<void>;
  /** [0, 1) source for jitter. */
  random(): number;
  bounds: ReadBounds;
  /** Records created before this are read but not shown (epoch ms). */
  skipBeforeMs: number | undefined;
  /** GetRecords Limit. */
  pageLimit: number;
  streamArn: string;
  /** Endpoint named in error messages. */
  endpoint?: string | undefined;
  debug(message: string): void;
  /** A call was throttled with LimitExceededException (the run warns about other readers once). */
  throttled(what: string): void;
  /** The shard holds its first iterator (or found it gone). */
  positioned(shardId: string): void;
  /** Records of the shard were queued for the consumer. */
  sawRecords(): void;
}

/** How a shard finished: `ended` (read to its end, or gone) or `bounded` (stopped at a bound). */
export type ShardOutcome = "ended" | "bounded";

const GAP_REASON = "trimmed";

/** What {@link ShardReader} did with a page. */
interface QueuedPage {
  /** Resolves once the consumer took the page's records; undefined when none were queued. */
  taken: Promise<void> | undefined;
  /** A record past --until / the snapshot ended the page: the shard is done. */
  pastBound: boolean;
  next: string | undefined;
  /** Records the page had (queued or not). */
  records: number;
  /** Kinesis: the page reached the shard's tip (MillisBehindLatest 0). */
  atTip: boolean;
}

/** Reads one shard from its start position to its end (or a bound), queuing events for the consumer. */
export class ShardReader {
  readonly #run: ShardRun;
  readonly #shard: ShardInfo;
  /** Where reading (re)starts when there is no record to continue after. */
  #start: IteratorPosition;
  /** The last record read from the shard (the renewal point of an expired iterator). */
  #lastSeq: string | undefined;

  constructor(ready: ReadyShard, run: ShardRun) {
    this.#run = run;
    this.#shard = ready.shard;
    this.#start = ready.position;
  }

  get shardId(): string {
    return this.#shard.shardId;
  }

  /** Reads the shard; rejects with ReaderClosed once the run is closed, or with a fatal error. */
  async read(): Promise<ShardOutcome> {
    const run = this.#run;
    let iterator = await this.#iteratorAt(this.#start);
    run.positioned(this.shardId);
    if (iterator === undefined) return this.#notFound();
    const caughtUpCounts = isBounded(run.bounds) && !isClosed(this.#shard);
    // What the next call is expected to bring (its share of the read-ahead): the size of this shard's
    // last page (an idle shard: nothing); for the first call, that of the pages so far, else a full page.
    let expected = run.readAhead.firstPageEstimate();
    let pending: Promise<void> = Promise.resolve();
    let lastCallAt: number | undefined;
    let lastFull = false;
    let empties = 0;
    for (;;) {
      // A full page says more records are waiting: the next call goes at once (draining a backlog at
      // the backend's speed). Otherwise the shard is being written slowly: at most 5 calls/s.
      if (!lastFull) {
        const pace = pacingDelayMs(lastCallAt, run.now());
        if (pace > 0) await run.sleep(pace);
      }
      // Bounded memory with many shards: no call while plenty of records are queued or on their way.
      const release = await run.latch.race(run.readAhead.queue.reserve(expected));
      let step: QueuedPage;
      try {
        lastCallAt = run.now();
        const page = await this.#getPage(iterator);
        if (page === undefined) {
          release();
          await run.latch.race(pending);
          return this.#notFound();
        }
        step = this.#queuePage(page);
      } finally {
        release(); // the page's records are queued (or were none): they count there now
      }
      lastFull = step.records >= run.pageLimit;
      expected = step.records;
      if (step.taken !== undefined) {
        run.sawRecords();
        // At most two pages of a shard wait for the consumer: this one was fetched while the last one
        // waited, and the next call waits until that one is taken.
        await run.latch.race(pending);
        pending = step.taken;
      }
      if (step.pastBound) return this.#end("bound");
      if (step.next === undefined) return this.#end("end");
      // --until-end on Kinesis: GetRecords says when a page reaches the shard's tip (MillisBehindLatest
      // 0): the shard is read up to where it stands. https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetRecords.html
      if (step.atTip && caughtUpCounts && run.bounds.snapshotMs !== undefined) return this.#end("bound");
      iterator = step.next;
      if (step.records === 0) {
        empties++;
        if (caughtUpCounts && isCaughtUp(empties, run.now(), run.bounds)) return this.#end("bound");
        await run.sleep(emptyPollDelayMs(empties, run.random));
      } else {
        empties = 0;
      }
    }
  }

  #end(reason: "end" | "bound"): ShardOutcome {
    this.#run.readAhead.queue.pushNow([{ kind: "shard-end", shardId: this.shardId, reason }]);
    return reason === "end" ? "ended" : "bounded";
  }

  #notFound(): ShardOutcome {
    this.#run.debug(`shard ${this.shardId}: not found (trimmed or gone): treated as ended`);
    this.#run.readAhead.queue.pushNow([{ kind: "shard-end", shardId: this.shardId, reason: "not-found" }]);
    return "ended";
  }

  /** Reports records lost before the current position; reading goes on at TRIM_HORIZON. */
  #gap(): void {
    const start = this.#start;
    const after =
      this.#lastSeq ?? (start.type === "AFTER_SEQUENCE_NUMBER" ? start.sequenceNumber : undefined);
    this.#run.readAhead.queue.pushNow([
      {
        kind: "gap",
        shardId: this.shardId,
        afterSequenceNumber: after,
        reason: GAP_REASON,
        at: this.#run.now(),
      },
    ]);
    this.#start = { type: "TRIM_HORIZON" };
    this.#lastSeq = undefined;
  }

  /** Waits before retrying a throttled or failed call; throws the error after too many. */
  async #backoff(e: unknown, attempt: number): Promise<void> {
    const run = this.#run;
    const what = `shard ${this.shardId}`;
    if (attempt >= MAX_CALL_RETRIES) throw translateAwsError(e, what, run.endpoint);
    if (isThrottle(e) && awsErrorName(e) === "LimitExceededException") run.throttled(what);
    const ms = retryDelayMs(attempt, run.random);
    run.debug(`${what}: ${awsErrorName(e) ?? "error"}; retry ${attempt + 1} in ${ms} ms`);
    await run.sleep(ms);
  }

  #fatal(e: unknown): Error {
    return translateAwsError(e, `shard ${this.shardId} of stream ${this.#run.streamArn}`, this.#run.endpoint);
  }

  /** A fresh iterator at `pos`; undefined when the shard is gone. Trimmed positions become gaps. */
  async #iteratorAt(pos: IteratorPosition): Promise<string | undefined> {
    const run = this.#run;
    let position = pos;
    for (let attempt = 0; ; ) {
      if (run.latch.closed) throw new ReaderClosed();
      try {
        const at = position;
        const it = await run.slots.with(run.latch, () => run.api.shardIterator(this.shardId, at));
        run.debug(`shard ${this.shardId}: iterator at ${describePosition(position)}`);
        return it;
      } catch (e) {
        if (run.latch.closed) throw new ReaderClosed();
        const name = awsErrorName(e);
        if (name === "ResourceNotFoundException") return undefined;
        if (name === "TrimmedDataAccessException") {
          if (position.type === "TRIM_HORIZON") return undefined;
          this.#gap();
          position = this.#start;
          continue;
        }
        if (isThrottle(e) || isTransient(e)) {
          await this.#backoff(e, attempt++);
          continue;
        }
        throw this.#fatal(e);
      }
    }
  }

  /** Where an iterator is renewed: after the last record read, else the original position. */
  #resumePosition(): IteratorPosition {
    return this.#lastSeq !== undefined
      ? { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: this.#lastSeq }
      : this.#start;
  }

  /** One GetRecords with every recoverable fault handled; undefined when the shard is gone. */
  async #getPage(iterator: string): Promise<RecordsPage | undefined> {
    const run = this.#run;
    let it = iterator;
    let attempt = 0;
    let renewals = 0;
    // The iterator obtained to re-check a TrimmedDataAccessException (see below).
    let recheck: string | undefined;
    for (;;) {
      if (run.latch.closed) throw new ReaderClosed();
      try {
        const at = it;
        return await run.slots.with(run.latch, () => run.api.records(at, run.pageLimit));
      } catch (e) {
        if (run.latch.closed) throw new ReaderClosed();
        const name = awsErrorName(e);
        if (name === "ExpiredIteratorException" || name === "TrimmedDataAccessException") {
          if (++renewals > MAX_CALL_RETRIES)
            throw translateAwsError(e, `shard ${this.shardId}`, run.endpoint);
          // Records were lost only if the position tail reads from is trimmed too: with a sequence
          // number to resume after, ask for an iterator there (#iteratorAt reports the gap when
          // GetShardIterator answers trimmed as well); otherwise, or if the re-checked iterator is
          // refused again, it is a gap.
          const trimmed = name === "TrimmedDataAccessException";
          if (trimmed && (!("sequenceNumber" in this.#resumePosition()) || it === recheck)) this.#gap();
          const pos = this.#resumePosition();
          run.debug(`shard ${this.shardId}: ${name}; new iterator at ${describePosition(pos)}`);
          const fresh = await this.#iteratorAt(pos);
          if (fresh === undefined) return undefined;
          it = fresh;
          recheck = trimmed ? fresh : undefined;
          continue;
        }
        if (name === "ResourceNotFoundException") return undefined;
        if (isThrottle(e) || isTransient(e)) {
          await this.#backoff(e, attempt++);
          continue;
        }
        throw this.#fatal(e);
      }
    }
  }

  /**
   * Queues a page's records (those within the bounds) at once, so that the read-ahead counts them, and
   * empties the page's list. The promises that carried the page here were made when its call began and
   * have often been moved to the old generation meanwhile: holding the page, they would keep every
   * record alive (and make it old too) until the next full collection, long after it was written.
   */
  #queuePage(page: RecordsPage): QueuedPage {
    const run = this.#run;
    const cut = cutPage(page.Records, run.bounds, run.skipBeforeMs);
    if (cut.lastSeq !== undefined) this.#lastSeq = cut.lastSeq;
    const shardId = this.shardId;
    const events = cut.shown.map((record) => ({ kind: "record" as const, shardId, record }));
    const records = page.Records.length;
    page.Records.length = 0;
    run.readAhead.sawPage(records);
    const taken = events.length > 0 ? run.readAhead.queue.push(events) : undefined;
    return {
      taken,
      pastBound: cut.pastBound,
      next: page.NextShardIterator,
      records,
      atTip: page.millisBehindLatest === 0,
    };
  }
}
