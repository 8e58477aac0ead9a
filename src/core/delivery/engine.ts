/**
 * Lambda's delivery of DynamoDB stream records to a function, as a pure state machine: records go in
 * per shard, batches come out to be invoked, and each invocation's outcome decides what is
 * checkpointed, retried, bisected, or discarded to the on-failure destination. No I/O, no clock (the
 * caller passes `now`), no processes: `dynastream invoke` runs it against a local handler or the
 * deployed function, and `dlq --redrive` can run it against any invoker.
 *
 * The rules, each from AWS's documentation:
 * - Records are read per shard, in order, parents before children, and batched up to BatchSize and the
 *   6 MB invocation payload; MaximumBatchingWindowInSeconds waits for a fuller batch; records the
 *   mapping's FilterCriteria do not match are dropped (checkpointed) before batching.
 *   https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html ,
 *   https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
 * - ParallelizationFactor N: up to N batches of one shard in flight at once, "while still
 *   guaranteeing in-order processing at the item (partition and sort key) level": records are routed
 *   to N lanes by a hash of their keys; each lane is in order.
 *   https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html#services-ddb-params
 * - A function error (an error, a timeout, a crash of the runtime) retries the whole batch until
 *   MaximumRetryAttempts retries (-1: until the records expire, 24 h) or MaximumRecordAgeInSeconds;
 *   then the batch is discarded, described to the on-failure destination, and the shard moves on.
 *   BisectBatchOnFunctionError splits a failing batch in two and retries each half; "Splitting batches
 *   doesn't consume the retry quota". With the defaults a bad record blocks its shard for up to a day.
 *   https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html
 * - ReportBatchItemFailures: see ./response.ts. A partial failure checkpoints before the lowest failed
 *   sequence number and retries the records from there (with bisection on: "the batch is bisected at
 *   the returned sequence number and Lambda retries only the remaining records"); that retry counts
 *   against MaximumRetryAttempts. Bisection applies to function errors "regardless of your
 *   ReportBatchItemFailures setting".
 *   https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html
 * - TumblingWindowInSeconds: each record belongs to the window (aligned to the epoch) of its
 *   creation time; a batch never spans windows; every invocation gets `window`, `state` (`{}` at the
 *   start of a window, then the `state` the previous invocation returned), `shardId`,
 *   `eventSourceARN`, `isFinalInvokeForWindow`, `isWindowTerminatedEarly`; once a window's records are
 *   processed and the window is over, a final invocation with no records and the state; "If the
 *   response does not contain a state property, Lambda considers this a failed invocation".
 *   https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-windows.html
 *
 * - Records of a Kinesis data stream (a table's Kinesis destination) go the same way, in Lambda's
 *   Kinesis event shape (`{"kinesis":{"data":"<base64>",…},"eventSource":"aws:kinesis",…}`): the
 *   settings, limits, retries, bisection, partial batch responses and tumbling windows are those of
 *   DynamoDB streams; what differs is the record's identity (`itemIdentifier` is
 *   `kinesis.sequenceNumber`), its time (the record's arrival in the stream, for the maximum age and
 *   the windows), the order key of ParallelizationFactor (the partition key: "in-order processing at
 *   the partition-key level"), filters (on `data`), and `KinesisBatchInfo` in the on-failure record.
 *   https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html ,
 *   https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-parameters.html ,
 *   https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-batchfailurereporting.html ,
 *   https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html
 *
 * Choices where AWS documents nothing: retries are immediate (Lambda backs off an unstated time);
 * a response that reports a complete failure (an invalid itemIdentifier) is retried whole and not
 * bisected (bisection is for function errors); records are expired by MaximumRecordAgeInSeconds only
 * (not by the 24 h retention, so captured records can be replayed); a batch Lambda would go on
 * retrying beyond `localRetryLimit` blocks its lane, which is reported.
 */

import type { StreamRecord } from "../record.js";
import type { Batch, Entry, FilterView } from "./batch.js";
import { entryOf } from "./batch.js";
import type { FailureCondition, OnFailureRecord } from "./on-failure.js";
import { buildOnFailureRecord } from "./on-failure.js";
import type { ResponseDiagnostic } from "./response.js";
import { readResponse } from "./response.js";
import type { DeliverySettings } from "./settings.js";
import { MAX_PAYLOAD_BYTES } from "./settings.js";

/** How one invocation ended, as the invoker saw it. */
export type Outcome =
  /** The function returned (`response`: its JSON value; undefined or null for none). */
  | { kind: "returned"; response: unknown; requestId: string }
  /** The function threw, rejected, called back an error, or its runtime crashed. */
  | { kind: "error"; errorType: string; errorMessage: string; requestId: string }
  /** It ran past the function timeout. */
  | { kind: "timeout"; requestId: string };

/** A warning about the handler or the records, each worth saying once. */
export interface Diagnostic {
  code: ResponseDiagnostic["code"] | "poison-record";
  message: string;
}

/** What Lambda does after an invocation. */
export interface Settlement {
  batch: Batch;
  /** How Lambda read the outcome. */
  verdict: "success" | "partial" | "failure";
  /** For failures: what failed (error type and message, timeout, or the response's fault). */
  reason: string | undefined;
  /**
   * `done` (checkpointed past the batch), `retry` (the same records again), `bisect` (two halves
   * next), `checkpoint` (a partial failure: retry from `failedFrom`), `on-failure` (discarded:
   * `onFailure` is the record for the destination), `blocked` (Lambda would go on retrying past
   * `localRetryLimit`: the lane stops here).
   */
  next: "done" | "retry" | "bisect" | "checkpoint" | "on-failure" | "blocked";
  /** Records checkpointed as processed by this invocation. */
  delivered: number;
  /** Partial: the sequence number from which records are retried. */
  failedFrom: string | undefined;
  onFailure: OnFailureRecord | undefined;
  diagnostics: Diagnostic[];
}

/** Something to do now, from {@link DeliveryEngine.take}. */
export type Action =
  | { kind: "invoke"; batch: Batch }
  /** Records older than MaximumRecordAgeInSeconds, discarded before invocation. */
  | { kind: "discard"; shardId: string; count: number; onFailure: OnFailureRecord };

/** Counts of a run. */
export interface DeliveryStats {
  invocations: number;
  /** Records checkpointed after a successful (or partially successful) invocation. */
  delivered: number;
  /** Records the filter criteria dropped. */
  filtered: number;
  /** Records discarded to the on-failure destination, and the batches that carried them. */
  discarded: number;
  discardedBatches: number;
  retries: number;
  bisections: number;
  /** Lanes stopped at `localRetryLimit`, and the records they hold undelivered. */
  blockedLanes: number;
  undelivered: number;
}

/** Identifies the stream and function named in on-failure records. */
export interface DeliveryTarget {
  streamArn: string;
  /** The function's ARN (a local handler gets one made up from its name). */
  functionArn: string;
  /** `executedVersion` in on-failure records (default `$LATEST`). */
  executedVersion?: string;
}

interface Lane {
  shardId: string;
  index: number;
  queue: Entry[];
  head: number;
  queuedBytes: number;
  /** When the oldest queued record was added (batching window). */
  queuedSince: number | undefined;
  /** Batches to invoke before new records: retries and bisected halves, front first. */
  work: Batch[];
  inFlight: Batch | undefined;
  blocked: boolean;
  streak: { seq: string; count: number } | undefined;
  /** The open tumbling window and its state. */
  win: { start: number; state: unknown } | undefined;
}

interface ShardState {
  parent: string | undefined;
  ended: boolean;
  lanes: Lane[];
}

const EVENT_OVERHEAD = '{"Records":[]}'.length;

/** FNV-1a, for routing keys to lanes. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * One event source mapping's delivery state over one stream.
 *
 * @example
 * const engine = new DeliveryEngine(settings, { streamArn, functionArn });
 * engine.add(shardId, record, now);  // …for every record read, in shard order
 * engine.endInput();
 * for (;;) {
 *   const { actions, waitMs } = engine.take(now());
 *   // invoke each action's batch (batchEvent(batch)), then engine.settle(batch.id, outcome, now())
 *   if (engine.finished()) break;
 * }
 */
export class DeliveryEngine {
  readonly settings: DeliverySettings;
  readonly target: DeliveryTarget;
  readonly stats: DeliveryStats = {
    invocations: 0,
    delivered: 0,
    filtered: 0,
    discarded: 0,
    discardedBatches: 0,
    retries: 0,
    bisections: 0,
    blockedLanes: 0,
    undelivered: 0,
  };
  readonly #filter: ((r: FilterView) => boolean) | undefined;
  readonly #shards = new Map<string, ShardState>();
  readonly #inFlight = new Map<number, Lane>();
  readonly #poisonSaid = new Set<string>();
  #nextId = 1;
  #inputEnded = false;
  #kinesis = false;

  /**
   * @param filter the mapping's FilterCriteria as a predicate over what Lambda's filter sees (records it
   *   rejects are dropped before batching, as Lambda drops them)
   */
  constructor(settings: DeliverySettings, target: DeliveryTarget, filter?: (r: FilterView) => boolean) {
    this.settings = settings;
    this.target = target;
    this.#filter = filter;
  }

  // ---- Input: records per shard, lineage, the end of the input ----

  #shard(shardId: string): ShardState {
    let s = this.#shards.get(shardId);
    if (s === undefined) {
      const lanes: Lane[] = [];
      for (let i = 0; i < this.settings.parallelizationFactor; i++) {
        lanes.push({
          shardId,
          index: i,
          queue: [],
          head: 0,
          queuedBytes: 0,
          queuedSince: undefined,
          work: [],
          inFlight: undefined,
          blocked: false,
          streak: undefined,
          win: undefined,
        });
      }
      s = { parent: undefined, ended: false, lanes };
      this.#shards.set(shardId, s);
    }
    return s;
  }

  /** Declares a shard's parent: its records are delivered only after the parent's are. */
  setParent(shardId: string, parentShardId: string | undefined): void {
    this.#shard(shardId).parent = parentShardId;
  }

  /**
   * Queues a record of `shardId` (records of a shard in their stream order). Returns false when the
   * filter dropped it.
   */
  add(shardId: string, record: StreamRecord, now: number): boolean {
    const entry = entryOf(shardId, record, this.target.streamArn, this.#filter);
    if (entry === undefined) {
      this.stats.filtered++;
      return false;
    }
    if (entry.source === "kinesis") this.#kinesis = true;
    const shard = this.#shard(shardId);
    const route = record.kinesis?.partitionKey ?? entry.keys;
    const lane = shard.lanes[shard.lanes.length === 1 ? 0 : hash(route) % shard.lanes.length] as Lane;
    if (lane.head === lane.queue.length) lane.queuedSince = now;
    lane.queue.push(entry);
    lane.queuedBytes += entry.bytes;
    return true;
  }

  /** Whether any record came from a Kinesis data stream (the run delivers Kinesis events). */
  get kinesis(): boolean {
    return this.#kinesis;
  }

  /** No more records will come for this shard (read to its end): its batching window stops waiting. */
  endShard(shardId: string): void {
    this.#shard(shardId).ended = true;
  }

  /** No more records will come at all: batching windows stop waiting. */
  endInput(): void {
    this.#inputEnded = true;
    for (const s of this.#shards.values()) s.ended = true;
  }

  /**
   * Whether a shard has nothing left to deliver, so its children may go. Readers hand over a child's
   * records only after all of its parent's (tail's reader does), so a parent that holds no record
   * now will get none: its end need not be known (a parent skipped or already done is fine).
   */
  #drained(shardId: string): boolean {
    const s = this.#shards.get(shardId);
    if (s === undefined) return true;
    return s.lanes.every(
      (l) =>
        !l.blocked &&
        l.inFlight === undefined &&
        l.work.length === 0 &&
        l.head === l.queue.length &&
        l.win === undefined,
    );
  }

  // ---- Batching: the next batch of each lane, batching windows, tumbling windows, expiry ----

  /**
   * The batches to invoke now (at most `limit`) and the records to discard as too old; `waitMs` is
   * how long until a batching window closes (undefined when none is waiting).
   */
  take(now: number, limit = Number.POSITIVE_INFINITY): { actions: Action[]; waitMs: number | undefined } {
    const actions: Action[] = [];
    let waitMs: number | undefined;
    let invokes = 0;
    for (const [shardId, shard] of this.#shards) {
      if (shard.parent !== undefined && !this.#drained(shard.parent)) continue;
      for (const lane of shard.lanes) {
        while (invokes < limit && lane.inFlight === undefined && !lane.blocked) {
          let batch = lane.work.shift();
          if (batch === undefined) {
            const r = this.#fresh(lane, shardId, shard.ended, now);
            if (typeof r === "number") waitMs = waitMs === undefined ? r : Math.min(waitMs, r);
            if (r === undefined || typeof r === "number") break;
            batch = r;
          }
          const expired = this.#expire(batch, now);
          if (expired !== undefined) actions.push(expired);
          if (batch.entries.length === 0 && batch.window?.final !== true) continue;
          if (batch.window !== undefined && lane.win !== undefined) batch.window.state = lane.win.state;
          lane.inFlight = batch;
          this.#inFlight.set(batch.id, lane);
          actions.push({ kind: "invoke", batch });
          invokes++;
        }
      }
    }
    return { actions, waitMs };
  }

  /** The tumbling window (its start) of an entry; one without a time stays in the open window. */
  #windowOf(lane: Lane, e: Entry): number {
    const tw = this.settings.tumblingWindowMs;
    if (e.creationMs === undefined) return lane.win?.start ?? 0;
    return Math.floor(e.creationMs / tw) * tw;
  }

  /**
   * With a tumbling window: the final invocation of the open window once it has no record left and
   * is over (a later record came, the input ended, or its end passed), a wait until its end, or
   * undefined to go on (and opens the window of the next record).
   */
  #windowTurn(lane: Lane, shardId: string, shardEnded: boolean, now: number): Batch | number | undefined {
    const tw = this.settings.tumblingWindowMs;
    const head = lane.head < lane.queue.length ? (lane.queue[lane.head] as Entry) : undefined;
    const headStart = head === undefined ? undefined : this.#windowOf(lane, head);
    const win = lane.win;
    if (win !== undefined && (headStart === undefined || headStart > win.start)) {
      const over = headStart !== undefined || shardEnded || this.#inputEnded || now >= win.start + tw;
      if (!over) return win.start + tw - now;
      const b = this.#batch(shardId, lane.index, [], 0, 0, "new");
      b.window = {
        start: win.start,
        end: win.start + tw,
        state: win.state,
        final: true,
        streamArn: this.target.streamArn,
      };
      return b;
    }
    if (win === undefined && headStart !== undefined) lane.win = { start: headStart, state: {} };
    return undefined;
  }

  /** A new batch from the lane's queue, a wait (ms) for the batching window, or undefined. */
  #fresh(lane: Lane, shardId: string, shardEnded: boolean, now: number): Batch | number | undefined {
    const s = this.settings;
    if (s.tumblingWindowMs > 0) {
      const turn = this.#windowTurn(lane, shardId, shardEnded, now);
      if (turn !== undefined) return turn;
    }
    const available = lane.queue.length - lane.head;
    if (available === 0) return undefined;
    const full =
      available >= s.batchSize || lane.queuedBytes + EVENT_OVERHEAD + available >= MAX_PAYLOAD_BYTES;
    if (!full && s.batchWindowMs > 0 && !shardEnded && !this.#inputEnded) {
      const waited = now - (lane.queuedSince ?? now);
      if (waited < s.batchWindowMs) return s.batchWindowMs - waited;
    }
    const entries: Entry[] = [];
    let bytes = EVENT_OVERHEAD;
    const win = s.tumblingWindowMs > 0 ? lane.win : undefined;
    while (lane.head < lane.queue.length && entries.length < s.batchSize) {
      const e = lane.queue[lane.head] as Entry;
      if (entries.length > 0 && bytes + e.bytes + 1 > MAX_PAYLOAD_BYTES) break;
      // A batch never spans tumbling windows.
      if (win !== undefined && this.#windowOf(lane, e) !== win.start) break;
      entries.push(e);
      bytes += e.bytes + 1;
      lane.queuedBytes -= e.bytes;
      lane.head++;
    }
    if (lane.head === lane.queue.length) {
      lane.queue = [];
      lane.head = 0;
      lane.queuedSince = undefined;
    } else {
      if (lane.head > 4096) {
        lane.queue = lane.queue.slice(lane.head);
        lane.head = 0;
      }
      lane.queuedSince = now;
    }
    const b = this.#batch(shardId, lane.index, entries, 0, 0, "new");
    if (win !== undefined) {
      b.window = {
        start: win.start,
        end: win.start + s.tumblingWindowMs,
        state: win.state,
        final: false,
        streamArn: entries[0]?.lambda.eventSourceARN ?? this.target.streamArn,
      };
    }
    return b;
  }

  #batch(
    shardId: string,
    lane: number,
    entries: Entry[],
    retries: number,
    invocations: number,
    origin: Batch["origin"],
    from?: Batch,
  ): Batch {
    return {
      id: this.#nextId++,
      shardId,
      lane,
      entries,
      retries,
      invocations,
      origin,
      lastRequestId: from?.lastRequestId ?? "",
      lastResult: from?.lastResult,
      window: from?.window === undefined ? undefined : { ...from.window },
    };
  }

  /** The batch that follows `batch` on its lane: `entries` of it (all by default), its counts kept. */
  #again(batch: Batch, lane: Lane, origin: Batch["origin"], entries = batch.entries): Batch {
    return this.#batch(batch.shardId, lane.index, entries, batch.retries, batch.invocations, origin, batch);
  }

  /**
   * Removes the leading records older than MaximumRecordAgeInSeconds from `batch` (in place) and
   * returns their discard, if any.
   */
  #expire(batch: Batch, now: number): Action | undefined {
    const maxAge = this.settings.maxRecordAgeSeconds;
    if (maxAge < 0) return undefined;
    let n = 0;
    for (const e of batch.entries) {
      if (e.creationMs === undefined || now - e.creationMs <= maxAge * 1000) break;
      n++;
    }
    if (n === 0) return undefined;
    const old = batch.entries.splice(0, n);
    this.stats.discarded += n;
    this.stats.discardedBatches++;
    return {
      kind: "discard",
      shardId: batch.shardId,
      count: n,
      onFailure: this.#onFailure(batch, old, "RecordAgeExceeded", now),
    };
  }

  #onFailure(batch: Batch, entries: Entry[], condition: FailureCondition, now: number): OnFailureRecord {
    const first = entries[0] as Entry;
    const last = entries[entries.length - 1] as Entry;
    return buildOnFailureRecord({
      source: first.source,
      shardId: batch.shardId,
      streamArn: first.lambda.eventSourceARN ?? this.target.streamArn,
      functionArn: this.target.functionArn,
      first: { sequenceNumber: first.sequenceNumber ?? "", creationMs: first.creationMs },
      last: { sequenceNumber: last.sequenceNumber ?? "", creationMs: last.creationMs },
      size: entries.length,
      condition,
      invokeCount: batch.invocations,
      requestId: batch.lastRequestId,
      lastResult: batch.lastResult,
      executedVersion: this.target.executedVersion,
      at: now,
    });
  }

  // ---- Settling: an invocation's outcome → checkpoint, retry, bisection or on-failure ----

  /** Applies the outcome of invoking batch `id` (from {@link take}); returns what Lambda does next. */
  settle(id: number, outcome: Outcome, now: number): Settlement {
    const lane = this.#inFlight.get(id);
    const batch = lane?.inFlight;
    if (lane === undefined || batch === undefined || batch.id !== id) {
      throw new Error(`batch ${id} is not in flight`);
    }
    this.#inFlight.delete(id);
    lane.inFlight = undefined;
    batch.invocations++;
    batch.lastRequestId = outcome.requestId;
    this.stats.invocations++;
    const s = this.settings;
    const base = { batch, failedFrom: undefined, onFailure: undefined };

    if (outcome.kind === "returned") {
      const v = readResponse(
        outcome.response,
        batch.entries.map((e) => ({ sequenceNumber: e.sequenceNumber, eventID: e.eventID })),
        s.reportBatchItemFailures,
        batch.entries[0]?.source,
        batch.window !== undefined,
      );
      const diagnostics: Diagnostic[] = [...v.diagnostics];
      if (batch.window !== undefined && v.result !== "failure" && lane.win !== undefined) {
        lane.win.state = (outcome.response as { state: unknown }).state;
        if (batch.window.final) lane.win = undefined;
      }
      if (v.result === "success") {
        lane.streak = undefined;
        this.stats.delivered += batch.entries.length;
        return {
          ...base,
          verdict: "success",
          reason: undefined,
          next: "done",
          delivered: batch.entries.length,
          diagnostics,
        };
      }
      batch.lastResult = "partial";
      if (v.result === "partial") {
        const rest = batch.entries.slice(v.from);
        this.stats.delivered += v.from;
        const failedFrom = rest[0]?.sequenceNumber;
        const retry = this.#again(batch, lane, "checkpoint", rest);
        const r = this.#retryOrDiscard(lane, retry, now, diagnostics);
        return {
          ...base,
          ...r,
          verdict: "partial",
          reason: `${v.identifiers.length} failed item${v.identifiers.length === 1 ? "" : "s"}`,
          next: r.next === "retry" ? "checkpoint" : r.next,
          delivered: v.from,
          failedFrom,
          diagnostics,
        };
      }
      const retry = this.#again(batch, lane, "retry");
      const r = this.#retryOrDiscard(lane, retry, now, diagnostics);
      return { ...base, ...r, verdict: "failure", reason: v.reason, delivered: 0, diagnostics };
    }

    // A function error: an error, a timeout, or a crash.
    batch.lastResult = "function-error";
    const reason =
      outcome.kind === "timeout"
        ? `timed out after ${s.functionTimeoutMs / 1000}s`
        : `${outcome.errorType}: ${outcome.errorMessage}`;
    const diagnostics: Diagnostic[] = [];
    if (s.bisectOnError && batch.entries.length > 1) {
      const half = Math.ceil(batch.entries.length / 2);
      const a = this.#again(batch, lane, "bisected", batch.entries.slice(0, half));
      const b = this.#again(batch, lane, "bisected", batch.entries.slice(half));
      lane.work.unshift(a, b);
      this.stats.bisections++;
      return { ...base, verdict: "failure", reason, next: "bisect", delivered: 0, diagnostics };
    }
    const retry = this.#again(batch, lane, "retry");
    const r = this.#retryOrDiscard(lane, retry, now, diagnostics);
    return { ...base, ...r, verdict: "failure", reason, delivered: 0, diagnostics };
  }

  /** A failed batch: retried, discarded to on-failure when retries are exhausted, or its lane blocked. */
  #retryOrDiscard(
    lane: Lane,
    retry: Batch,
    now: number,
    diagnostics: Diagnostic[],
  ): { next: "retry" | "on-failure" | "blocked"; onFailure: OnFailureRecord | undefined } {
    const s = this.settings;
    this.#trackPoison(lane, retry, diagnostics);
    const used = retry.retries + 1;
    if (s.maxRetryAttempts >= 0 && used > s.maxRetryAttempts && retry.entries.length === 0) {
      // A window's final invocation carries no record: the window is given up, nothing to describe.
      lane.win = undefined;
      return { next: "on-failure", onFailure: undefined };
    }
    if (s.maxRetryAttempts >= 0 && used > s.maxRetryAttempts) {
      this.stats.discarded += retry.entries.length;
      this.stats.discardedBatches++;
      lane.streak = undefined;
      return {
        next: "on-failure",
        onFailure: this.#onFailure(retry, retry.entries, "RetryAttemptsExhausted", now),
      };
    }
    if (used > s.localRetryLimit) {
      lane.blocked = true;
      lane.work.unshift(retry);
      this.stats.blockedLanes++;
      return { next: "blocked", onFailure: undefined };
    }
    retry.retries = used;
    lane.work.unshift(retry);
    this.stats.retries++;
    return { next: "retry", onFailure: undefined };
  }

  /** Says once per record when the same first record keeps failing: a poison record. */
  #trackPoison(lane: Lane, retry: Batch, diagnostics: Diagnostic[]): void {
    const first = retry.entries[0];
    if (first?.sequenceNumber === undefined) return;
    const seq = first.sequenceNumber;
    lane.streak = lane.streak?.seq === seq ? { seq, count: lane.streak.count + 1 } : { seq, count: 1 };
    if (lane.streak.count < 3 || this.#poisonSaid.has(seq)) return;
    // A whole batch failing names no record; one record alone, or the first one a partial response
    // keeps naming, does.
    if (retry.entries.length !== 1 && retry.origin !== "checkpoint") return;
    this.#poisonSaid.add(seq);
    diagnostics.push({ code: "poison-record", message: this.#poisonMessage(first, lane.streak.count) });
  }

  #poisonMessage(e: Entry, count: number): string {
    const s = this.settings;
    let fate: string;
    if (s.maxRetryAttempts >= 0) {
      fate = `retry its batch ${s.maxRetryAttempts} time${s.maxRetryAttempts === 1 ? "" : "s"}, then send it to the on-failure destination and move on`;
    } else if (s.maxRecordAgeSeconds >= 0) {
      fate = `retry it until it is ${s.maxRecordAgeSeconds}s old (MaximumRecordAgeInSeconds), blocking shard ${e.shardId} until then, then send it to the on-failure destination`;
    } else {
      const expiry =
        e.source === "kinesis"
          ? "the Kinesis stream's retention period: 24 h by default, up to 365 days"
          : "up to 24 h after it was written";
      fate = `retry it until it expires from the stream (${expiry}), blocking shard ${e.shardId} all that time (MaximumRetryAttempts and MaximumRecordAgeInSeconds are -1, the defaults)`;
    }
    return `poison record: ${e.keys || "(no keys)"} (sequence number ${e.sequenceNumber}, shard ${e.shardId}) failed ${count} times in a row; with these settings Lambda would ${fate}. Fix the handler, or set --max-retry-attempts / --max-record-age and an on-failure destination${this.settings.bisectOnError ? "" : ", and --bisect-on-error to isolate it"}`;
  }

  // ---- Queries: what is left, in flight, blocked or undelivered ----

  /** Records queued or waiting for a retry (not in flight): a reader pauses when this grows. */
  pending(): number {
    let n = 0;
    for (const s of this.#shards.values()) {
      for (const l of s.lanes)
        n += l.queue.length - l.head + l.work.reduce((a, b) => a + b.entries.length, 0);
    }
    return n;
  }

  /** Whether a batch is being invoked. */
  get busy(): boolean {
    return this.#inFlight.size > 0;
  }

  /**
   * Whether every record has been dealt with (delivered, filtered, discarded, or held by a blocked
   * lane) and nothing is in flight. Only meaningful once {@link endInput} was called.
   */
  finished(): boolean {
    if (this.#inFlight.size > 0) return false;
    for (const [, s] of this.#shards) {
      const parentBlocked = s.parent !== undefined && this.#blockedOrHeld(s.parent);
      if (parentBlocked) continue;
      for (const l of s.lanes) {
        if (l.blocked) continue;
        if (l.work.length > 0 || l.head < l.queue.length || l.win !== undefined) return false;
      }
    }
    return true;
  }

  /** A shard (or an ancestor) blocked: its children never run. */
  #blockedOrHeld(shardId: string): boolean {
    const s = this.#shards.get(shardId);
    if (s === undefined) return false;
    if (s.lanes.some((l) => l.blocked)) return true;
    return s.parent !== undefined && this.#blockedOrHeld(s.parent);
  }

  /**
   * Records not delivered because a lane is blocked (or a blocked shard holds its children back),
   * by shard: what Lambda's shard would still be stuck on.
   */
  undelivered(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [id, s] of this.#shards) {
      let n = 0;
      const held = s.parent !== undefined && this.#blockedOrHeld(s.parent);
      for (const l of s.lanes) {
        if (!l.blocked && !held) continue;
        n += l.queue.length - l.head + l.work.reduce((a, b) => a + b.entries.length, 0);
      }
      if (n > 0) out.set(id, n);
    }
    this.stats.undelivered = [...out.values()].reduce((a, b) => a + b, 0);
    return out;
  }
}
