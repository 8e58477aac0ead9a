/**
 * Consumer lag, pure: the verdict rules of `dynastream lag`, configuration warnings, series helpers,
 * the TREND sparkline and KCL lag from checkpoint probes. No I/O and no clock of its own: every
 * function that needs "now" takes it as an argument, so the rules are unit-tested with a fixed clock.
 *
 * The rules, in the spirit of Burrow's (a lagging consumer is judged on the trend, not only the level):
 * - `fail`: latest age over the fail threshold; age within 25% of the 24 h retention (records are
 *   about to be trimmed); a Lambda mapping that is not `Enabled` or whose LastProcessingResult reports
 *   a problem; a KCL checkpoint that was trimmed (records lost).
 * - `warn`: latest age over the warn threshold; the age rose across the whole window.
 * - `no-data`: nothing to judge the age on (an idle Lambda mapping emits no IteratorAge: never 0).
 * - `ok` otherwise.
 */
import { formatDuration } from "./duration.js";
import type { ShardInfo } from "./lineage.js";
import { isClosed } from "./lineage.js";

/** The verdict on one consumer (and, worst-first, on all of them). */
export type LagStatus = "ok" | "warn" | "fail" | "no-data";

/** DynamoDB Streams keeps records for 24 hours, then trims them. */
export const RETENTION_MS = 86_400_000;

/** Ages at or above this are within 25% of the retention: records are about to be trimmed unread. */
export const RETENTION_DANGER_MS = RETENTION_MS * 0.75;

/** Thresholds of the verdict (`--warn`, `--fail`, `--fail-on-no-data`). */
export interface LagThresholds {
  warnMs: number;
  failMs: number;
  /** Turns `no-data` into `fail` (for CI jobs that expect traffic). */
  failOnNoData: boolean;
}

/** The defaults: warn over 1 minute, fail over 10 minutes. */
export const DEFAULT_THRESHOLDS: LagThresholds = { warnMs: 60_000, failMs: 600_000, failOnNoData: false };

/** One datapoint of an age series: when (epoch ms, start of the period) and the age in ms. */
export interface SeriesPoint {
  t: number;
  ms: number;
}

/** The metrics window: `[startMs, endMs)` in periods of `periodMs`. */
export interface LagWindow {
  startMs: number;
  endMs: number;
  periodMs: number;
}

/** A status and the reasons for it (empty for `ok`). */
export interface Verdict {
  status: LagStatus;
  reasons: string[];
}

// ---------------------------------------------------------------------------------------------------
// Series helpers
// ---------------------------------------------------------------------------------------------------

/** The series in time order, one point per timestamp (the larger age wins a duplicate). */
export function sortSeries(points: readonly SeriesPoint[]): SeriesPoint[] {
  const byT = new Map<number, number>();
  for (const p of points) {
    if (!Number.isFinite(p.t) || !Number.isFinite(p.ms)) continue;
    const prev = byT.get(p.t);
    byT.set(p.t, prev === undefined ? p.ms : Math.max(prev, p.ms));
  }
  return [...byT.entries()].sort((a, b) => a[0] - b[0]).map(([t, ms]) => ({ t, ms }));
}

/** The newest datapoint, or undefined for an empty series. */
export function latestPoint(series: readonly SeriesPoint[]): SeriesPoint | undefined {
  let best: SeriesPoint | undefined;
  for (const p of series) if (!best || p.t > best.t) best = p;
  return best;
}

/** The largest age in the series, or undefined for an empty series. */
export function windowMax(series: readonly SeriesPoint[]): number | undefined {
  let max: number | undefined;
  for (const p of series) if (max === undefined || p.ms > max) max = p.ms;
  return max;
}

/**
 * True when the age rose across the whole window: at least three datapoints, each strictly larger
 * than the one before, spanning at least half the window. A consumer whose lag only grows is
 * falling behind even while it is under the thresholds (Burrow's "lag increasing in every window").
 */
export function risesAcrossWindow(series: readonly SeriesPoint[], window: LagWindow): boolean {
  const s = sortSeries(series);
  if (s.length < 3) return false;
  for (let i = 1; i < s.length; i++) {
    if ((s[i] as SeriesPoint).ms <= (s[i - 1] as SeriesPoint).ms) return false;
  }
  const span = (s[s.length - 1] as SeriesPoint).t - (s[0] as SeriesPoint).t;
  return span >= (window.endMs - window.startMs) / 2;
}

const BARS = "▁▂▃▄▅▆▇█";

/**
 * A small sparkline of the series over the window, one character per period (periods are merged,
 * keeping their maximum, when there are more than `maxWidth`). Heights are relative to the window
 * maximum, from 0; a period without a datapoint is `·`. Empty string for an empty series.
 */
export function sparkline(series: readonly SeriesPoint[], window: LagWindow, maxWidth = 20): string {
  if (series.length === 0 || window.periodMs <= 0 || maxWidth < 1) return "";
  const period = window.periodMs;
  const aligned = Math.floor(window.startMs / 60_000) * 60_000;
  const buckets = Math.max(1, Math.ceil((window.endMs - aligned) / period));
  const group = Math.ceil(buckets / maxWidth);
  const width = Math.ceil(buckets / group);
  const cells: Array<number | undefined> = new Array<number | undefined>(width).fill(undefined);
  for (const p of series) {
    const b = Math.floor((p.t - aligned) / period);
    if (b < 0 || b >= buckets) continue;
    const c = Math.floor(b / group);
    const prev = cells[c];
    cells[c] = prev === undefined ? p.ms : Math.max(prev, p.ms);
  }
  const hi = Math.max(0, ...cells.filter((v): v is number => v !== undefined));
  return cells
    .map((v) => {
      if (v === undefined) return "·";
      if (hi <= 0) return BARS[0];
      return BARS[Math.min(7, Math.max(0, Math.round((v / hi) * 7)))];
    })
    .join("");
}

// ---------------------------------------------------------------------------------------------------
// Verdict rules
// ---------------------------------------------------------------------------------------------------

/** True when a mapping's LastProcessingResult reports a problem (`PROBLEM: Function call failed`, …). */
export function isProblemResult(result: string | null | undefined): boolean {
  return result !== null && result !== undefined && /^\s*problem\b/i.test(result);
}

/**
 * The fail and warn reasons that come from an age level and an age series. `retentionMs` is the
 * stream's retention: 24 h for DynamoDB Streams; a Kinesis data stream's own (24 h to 365 days).
 */
export function ageReasons(
  latestMs: number,
  series: readonly SeriesPoint[],
  window: LagWindow,
  th: LagThresholds,
  retentionMs: number = RETENTION_MS,
): { fail: string[]; warn: string[] } {
  const fail: string[] = [];
  const warn: string[] = [];
  if (latestMs >= retentionMs * 0.75) {
    fail.push(
      `age ${formatDuration(latestMs)} is within 25% of the ${retentionMs % 3_600_000 === 0 ? `${retentionMs / 3_600_000} h` : formatDuration(retentionMs)} stream retention: records are about to be trimmed unread`,
    );
  } else if (latestMs > th.failMs) {
    fail.push(`age ${formatDuration(latestMs)} is over the fail threshold ${formatDuration(th.failMs)}`);
  } else if (latestMs > th.warnMs) {
    warn.push(`age ${formatDuration(latestMs)} is over the warn threshold ${formatDuration(th.warnMs)}`);
  }
  if (risesAcrossWindow(series, window)) {
    const s = sortSeries(series);
    warn.push(
      `age rose across the whole window, from ${formatDuration((s[0] as SeriesPoint).ms)} to ${formatDuration((s[s.length - 1] as SeriesPoint).ms)}`,
    );
  }
  return { fail, warn };
}

/** Combines reasons into a verdict: any fail reason fails; no data is `no-data` (or fails); then warn. */
export function combineVerdict(
  fail: readonly string[],
  warn: readonly string[],
  noDataReason: string | undefined,
  th: LagThresholds,
): Verdict {
  if (fail.length > 0) return { status: "fail", reasons: [...fail, ...warn] };
  if (noDataReason !== undefined) {
    if (th.failOnNoData) return { status: "fail", reasons: [`${noDataReason} (--fail-on-no-data)`, ...warn] };
    return { status: "no-data", reasons: [noDataReason, ...warn] };
  }
  if (warn.length > 0) return { status: "warn", reasons: [...warn] };
  return { status: "ok", reasons: [] };
}

/** What the Lambda verdict looks at. */
export interface LambdaLagInput {
  state: string | undefined;
  stateTransitionReason?: string | undefined;
  lastProcessingResult: string | undefined;
  /** IteratorAge Maximum per period over the window. */
  series: readonly SeriesPoint[];
}

/**
 * The verdict on one Lambda event source mapping. `nowMs` is only used to word how old the latest
 * datapoint is; the rules themselves look at the window.
 */
export function judgeLambda(
  input: LambdaLagInput,
  th: LagThresholds,
  window: LagWindow,
  nowMs: number,
): Verdict {
  const fail: string[] = [];
  const warn: string[] = [];
  if (input.state !== "Enabled") {
    const why = input.stateTransitionReason ? ` (${input.stateTransitionReason})` : "";
    fail.push(`mapping is ${input.state ?? "in an unknown state"}, not Enabled${why}`);
  }
  if (isProblemResult(input.lastProcessingResult)) {
    fail.push(`last processing result: ${input.lastProcessingResult}`);
  }
  const latest = latestPoint(input.series);
  if (!latest) {
    return combineVerdict(fail, warn, "no IteratorAge datapoints in the window (idle)", th);
  }
  const age = ageReasons(latest.ms, input.series, window, th);
  fail.push(...age.fail);
  warn.push(...age.warn);
  const v = combineVerdict(fail, warn, undefined, th);
  if (v.status !== "ok" && nowMs - latest.t > 5 * window.periodMs) {
    v.reasons.push(`the latest datapoint is ${formatDuration(nowMs - latest.t)} old`);
  }
  return v;
}

/** Worst status first: fail, warn, no-data, ok. An empty list is `ok`. */
export function overallStatus(statuses: readonly LagStatus[]): LagStatus {
  const rank: Record<LagStatus, number> = { ok: 0, "no-data": 1, warn: 2, fail: 3 };
  let worst: LagStatus = "ok";
  for (const s of statuses) if (rank[s] > rank[worst]) worst = s;
  return worst;
}

// ---------------------------------------------------------------------------------------------------
// Configuration warnings
// ---------------------------------------------------------------------------------------------------

/** A mapping's settings that matter for lag and safety (plain values, no SDK types). */
export interface MappingSettings {
  batchSize: number | null;
  maximumBatchingWindowSeconds: number | null;
  parallelizationFactor: number | null;
  startingPosition: string | null;
  /** −1 = infinite (the default for streams). */
  maximumRetryAttempts: number | null;
  /** −1 = infinite (records are retried until they expire from the stream). */
  maximumRecordAgeSeconds: number | null;
  bisectBatchOnFunctionError: boolean | null;
  onFailureDestination: string | null;
  filterCount: number;
  /** The mapping publishes the EventCount metrics (MetricsConfig). */
  eventCountMetrics: boolean;
  reportBatchItemFailures: boolean;
  tumblingWindowSeconds: number | null;
}

/**
 * Warnings on a mapping's configuration. Infinite retries with no on-failure destination: a poison
 * record blocks its shard until it expires (a day with the default record age).
 */
export function mappingWarnings(s: MappingSettings): string[] {
  const out: string[] = [];
  const infiniteRetries = s.maximumRetryAttempts === null || s.maximumRetryAttempts < 0;
  if (infiniteRetries && !s.onFailureDestination) {
    const age = s.maximumRecordAgeSeconds;
    out.push(
      age === null || age < 0
        ? "retries are infinite (MaximumRetryAttempts -1) and there is no on-failure destination: a poison record can stall its shard for up to a day"
        : `retries are infinite (MaximumRetryAttempts -1) and there is no on-failure destination: a poison record can stall its shard for up to ${formatDuration(age * 1000)}, then its batch is dropped without a trace`,
    );
  }
  return out;
}

/**
 * The warning while failed batches wait in the mapping's SQS on-failure destination: the messages
 * hold no records, and the records they name leave the stream 24 h after they arrived.
 */
export function onFailureWaitingWarning(info: {
  settings: { onFailureDestination: string | null };
  onFailureWaiting?: number | null | undefined;
}): string | undefined {
  const n = info.onFailureWaiting;
  const dest = info.settings.onFailureDestination;
  if (n === undefined || n === null || n <= 0 || dest === null) return undefined;
  const queue = dest.split(":").pop() ?? dest;
  return `${n} failed batch${n === 1 ? "" : "es"} wait${n === 1 ? "s" : ""} in the on-failure queue ${queue}: their records leave the stream 24 h after they arrived; read them now: dynastream dlq --queue ${queue}`;
}

/** Mapping states in which the mapping does not read the stream. */
const NOT_READING = new Set(["Disabled", "Disabling", "Deleting"]);

/** True when a mapping in this state reads the stream (and so counts against the per-shard readers). */
export function countsAsReader(state: string | undefined): boolean {
  return !NOT_READING.has(state ?? "");
}

/**
 * The readers-per-shard warning: DynamoDB recommends at most two processes reading a shard at once
 * (one for global tables, whose replication is itself a reader); each event source mapping and each
 * KCL application is one.
 */
export function readersWarning(
  lambdaReaders: number,
  kclReaders: number,
  globalTable: boolean,
): string | undefined {
  const total = lambdaReaders + kclReaders;
  const limit = globalTable ? 1 : 2;
  if (total <= limit) return undefined;
  const parts = [`${lambdaReaders} Lambda mapping${lambdaReaders === 1 ? "" : "s"}`];
  if (kclReaders > 0) parts.push(`${kclReaders} KCL application${kclReaders === 1 ? "" : "s"}`);
  return `${total} readers per shard (${parts.join(", ")}): ${
    globalTable
      ? "on a global table AWS recommends one reader besides replication"
      : "more than two readers per shard can be throttled"
  }; every reader also slows the others`;
}

// ---------------------------------------------------------------------------------------------------
// EventCount metrics
// ---------------------------------------------------------------------------------------------------

/** The EventCount metrics of a mapping (dimension EventSourceMappingUUID, statistic Sum). */
export const EVENT_METRICS = [
  ["polled", "PolledEventCount"],
  ["filteredOut", "FilteredOutEventCount"],
  ["invoked", "InvokedEventCount"],
  ["failedInvoke", "FailedInvokeEventCount"],
  ["dropped", "DroppedEventCount"],
  ["onFailureDestinationDelivered", "OnFailureDestinationDeliveredEventCount"],
] as const;

/** Keys of the `events` object in the JSON output. */
export type EventKey = (typeof EVENT_METRICS)[number][0];

/** Sums over the window; null when CloudWatch returned no datapoint for that metric. */
export type EventCounts = Record<EventKey, number | null>;

/** Sums each metric's datapoints (null when it had none). */
export function sumEvents(byMetric: Partial<Record<EventKey, readonly number[]>>): EventCounts {
  const out = {} as EventCounts;
  for (const [key] of EVENT_METRICS) {
    const v = byMetric[key];
    out[key] = v === undefined || v.length === 0 ? null : v.reduce((a, b) => a + b, 0);
  }
  return out;
}

/** Warnings from the event counts: events dropped or failed in the window. */
export function eventWarnings(e: EventCounts | null): string[] {
  if (!e) return [];
  const out: string[] = [];
  if ((e.dropped ?? 0) > 0) {
    out.push(`${e.dropped} events dropped in the window (retries or record age exhausted)`);
  }
  if ((e.failedInvoke ?? 0) > 0) out.push(`${e.failedInvoke} events failed their invocation in the window`);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// KCL: checkpoints, probes, lag
// ---------------------------------------------------------------------------------------------------

/** A KCL checkpoint: a sequence number or one of the sentinels. */
export type Checkpoint =
  | { kind: "sequence"; seq: string }
  | { kind: "SHARD_END" | "TRIM_HORIZON" | "LATEST" | "AT_TIMESTAMP" }
  | { kind: "none" }
  | { kind: "invalid"; raw: string };

/** Parses a lease's `checkpoint` attribute. */
export function parseCheckpoint(raw: string | undefined): Checkpoint {
  if (raw === undefined || raw === "") return { kind: "none" };
  if (raw === "SHARD_END" || raw === "TRIM_HORIZON" || raw === "LATEST" || raw === "AT_TIMESTAMP") {
    return { kind: raw };
  }
  if (/^\d{1,129}$/.test(raw)) return { kind: "sequence", seq: raw };
  return { kind: "invalid", raw };
}

/** One row of a KCL lease table, reduced to what lag needs. */
export interface KclLease {
  leaseKey: string;
  /** The shard the lease is for: `leaseKey` (single-stream mode) or the `shardId` attribute (multi-stream). */
  shardId: string;
  checkpoint: string | undefined;
  leaseOwner: string | undefined;
  parentShardIds: string[];
}

/** Where a probe starts reading a shard. */
export type ProbeStart = { type: "AFTER_SEQUENCE_NUMBER"; seq: string } | { type: "TRIM_HORIZON" };

/** What to do about one shard of the stream. */
export interface KclShardPlan {
  shardId: string;
  open: boolean;
  lease: KclLease | undefined;
  /** Undefined: nothing to read (finished, not started at LATEST, unknown checkpoint). */
  probe: ProbeStart | undefined;
}

/** The state of one shard for one KCL application. */
export type KclShardState =
  /** Records after the checkpoint wait to be processed. */
  | "behind"
  /** Nothing after the checkpoint. */
  | "caught-up"
  /** An open shard without a lease: no worker has picked it up; all its records are lag. */
  | "no-lease"
  /** Checkpointed SHARD_END. */
  | "finished"
  /** Checkpoint TRIM_HORIZON or LATEST: the worker has not processed anything yet. */
  | "not-started"
  /** The checkpoint is older than the stream's trim point: records were lost. */
  | "trimmed"
  /** The lease's shard is no longer in the stream and was not finished: its remaining records were lost. */
  | "lost"
  /** The probe failed. */
  | "error"
  /** A checkpoint the lag cannot be computed from (missing, malformed, AT_TIMESTAMP). */
  | "unknown";

/** One shard's lag for one KCL application. */
export interface KclShardLag {
  shardId: string;
  open: boolean;
  leaseOwner: string | null;
  checkpoint: string | null;
  state: KclShardState;
  /** now − ApproximateCreationDateTime of the first unprocessed record; 0 when caught up; null when unknown. */
  lagMs: number | null;
  /** ApproximateCreationDateTime (epoch ms) of the first unprocessed record. */
  firstUnprocessedAt: number | null;
  message?: string;
}

/**
 * What a probe (GetShardIterator + a few GetRecords) found. `behindMs` is Kinesis's
 * `MillisBehindLatest` of the probe's page (DynamoDB Streams has none): how far the page is from the
 * shard's tip, which an empty page can be too.
 */
export type ProbeOutcome =
  | { kind: "record"; createdAt: number; behindMs?: number }
  | { kind: "empty"; shardEnded: boolean; behindMs?: number }
  | { kind: "trimmed"; message?: string }
  | { kind: "gone"; message?: string }
  | { kind: "error"; message: string };

/**
 * Plans the probes for one lease table and one stream. Every shard with an unfinished lease is
 * probed (open or closed: a consumer stuck on a closed parent is where lag hides), and every open
 * shard without a lease (its whole content is lag). Closed shards without a lease are not probed:
 * KCL removes the leases of finished shards. Leases of shards no longer listed come back in `orphans`.
 */
export function planKclProbes(
  shards: readonly ShardInfo[],
  leases: readonly KclLease[],
): { plans: KclShardPlan[]; orphans: KclLease[] } {
  const byShard = new Map<string, KclLease>();
  for (const l of leases) byShard.set(l.shardId, l);
  const listed = new Set(shards.map((s) => s.shardId));
  const plans: KclShardPlan[] = [];
  for (const s of shards) {
    const lease = byShard.get(s.shardId);
    const open = !isClosed(s);
    if (!lease) {
      if (open) plans.push({ shardId: s.shardId, open, lease, probe: { type: "TRIM_HORIZON" } });
      continue;
    }
    const cp = parseCheckpoint(lease.checkpoint);
    let probe: ProbeStart | undefined;
    if (cp.kind === "sequence") probe = { type: "AFTER_SEQUENCE_NUMBER", seq: cp.seq };
    else if (cp.kind === "TRIM_HORIZON") probe = { type: "TRIM_HORIZON" };
    plans.push({ shardId: s.shardId, open, lease, probe });
  }
  const orphans = leases.filter((l) => !listed.has(l.shardId));
  return { plans, orphans };
}

/**
 * Why a lease table cannot be judged against a stream, if it cannot: it has no lease at all (the
 * application never started), only leases of `otherStreams` (a multi-stream lease table that does not
 * read this stream), or none of its unfinished leases is for a shard of the stream (the lease table
 * of another stream, or every shard was trimmed away: then nothing tells the two apart).
 * Probing is skipped in all cases.
 */
export function kclNoDataReason(
  leaseTable: string,
  leases: readonly KclLease[],
  shards: readonly ShardInfo[],
  otherStreams: readonly string[] = [],
): string | undefined {
  if (leases.length === 0 && otherStreams.length > 0) {
    return `lease table ${leaseTable} has no lease of this stream, only of ${otherStreams.length === 1 ? "another stream" : `${otherStreams.length} other streams`} (${otherStreams.slice(0, 3).join(", ")}${otherStreams.length > 3 ? ", …" : ""}): is it the lease table of another application?`;
  }
  if (leases.length === 0) return `lease table ${leaseTable} has no leases (has the application started?)`;
  const listed = new Set(shards.map((s) => s.shardId));
  if (leases.some((l) => listed.has(l.shardId))) return undefined;
  const unfinished = leases.filter((l) => {
    const k = parseCheckpoint(l.checkpoint).kind;
    return k !== "SHARD_END" && k !== "LATEST";
  });
  if (unfinished.length === 0) return undefined;
  return `none of the ${leases.length} leases of ${leaseTable} is for a shard of this stream: is it the lease table of another stream, or were all its shards trimmed (records lost)?`;
}

function base(plan: KclShardPlan): Pick<KclShardLag, "shardId" | "open" | "leaseOwner" | "checkpoint"> {
  return {
    shardId: plan.shardId,
    open: plan.open,
    leaseOwner: plan.lease?.leaseOwner ?? null,
    checkpoint: plan.lease?.checkpoint ?? null,
  };
}

/** The lag of a shard that needs no probe (finished, LATEST, unknown checkpoint). */
export function unprobedShardLag(plan: KclShardPlan): KclShardLag {
  const cp = parseCheckpoint(plan.lease?.checkpoint);
  const b = base(plan);
  switch (cp.kind) {
    case "SHARD_END":
      return { ...b, state: "finished", lagMs: 0, firstUnprocessedAt: null };
    case "LATEST":
      return {
        ...b,
        state: "not-started",
        lagMs: 0,
        firstUnprocessedAt: null,
        message: "starts at LATEST: older records are skipped by design",
      };
    case "AT_TIMESTAMP":
      return {
        ...b,
        state: "unknown",
        lagMs: null,
        firstUnprocessedAt: null,
        message:
          "checkpoint AT_TIMESTAMP: the start time is in the application's configuration, not in the lease",
      };
    case "invalid":
      return {
        ...b,
        state: "unknown",
        lagMs: null,
        firstUnprocessedAt: null,
        message: `checkpoint ${JSON.stringify(cp.raw)} is neither a sequence number nor a sentinel`,
      };
    default:
      return {
        ...b,
        state: "unknown",
        lagMs: null,
        firstUnprocessedAt: null,
        message: "lease has no checkpoint",
      };
  }
}

/**
 * The lag of a probed shard: `nowMs` − ApproximateCreationDateTime of the first record after the
 * checkpoint (never negative: clocks and the one-second/one-minute rounding can disagree), 0 when
 * there is none.
 */
export function probedShardLag(plan: KclShardPlan, outcome: ProbeOutcome, nowMs: number): KclShardLag {
  const b = base(plan);
  const notStarted =
    plan.lease !== undefined && parseCheckpoint(plan.lease.checkpoint).kind === "TRIM_HORIZON";
  switch (outcome.kind) {
    case "record":
      return {
        ...b,
        state: !plan.lease ? "no-lease" : notStarted ? "not-started" : "behind",
        lagMs: Math.max(0, nowMs - outcome.createdAt, outcome.behindMs ?? 0),
        firstUnprocessedAt: outcome.createdAt,
      };
    case "empty": {
      // An empty Kinesis page can still be behind the tip (MillisBehindLatest > 0): records follow.
      const behind = outcome.behindMs ?? 0;
      return {
        ...b,
        state: !plan.lease ? "no-lease" : notStarted ? "not-started" : behind > 0 ? "behind" : "caught-up",
        lagMs: behind,
        firstUnprocessedAt: null,
        ...(outcome.shardEnded && plan.lease && !notStarted
          ? { message: "shard ended; the checkpoint is not SHARD_END yet" }
          : {}),
      };
    }
    case "trimmed":
      return {
        ...b,
        state: "trimmed",
        lagMs: null,
        firstUnprocessedAt: null,
        message:
          outcome.message ?? "the checkpoint is older than the stream's 24 h retention: records were lost",
      };
    case "gone":
      return {
        ...b,
        state: plan.lease ? "lost" : "error",
        lagMs: null,
        firstUnprocessedAt: null,
        message: outcome.message ?? "the shard no longer exists",
      };
    case "error":
      return { ...b, state: "error", lagMs: null, firstUnprocessedAt: null, message: outcome.message };
  }
}

/**
 * Leases of shards the stream no longer lists. A finished (SHARD_END) or LATEST one is harmless; any
 * other was trimmed away before the application finished it, so its remaining records were lost.
 */
export function orphanShardLags(orphans: readonly KclLease[]): KclShardLag[] {
  const out: KclShardLag[] = [];
  for (const l of orphans) {
    const cp = parseCheckpoint(l.checkpoint);
    if (cp.kind === "SHARD_END" || cp.kind === "LATEST") continue;
    out.push({
      shardId: l.shardId,
      open: false,
      leaseOwner: l.leaseOwner ?? null,
      checkpoint: l.checkpoint ?? null,
      state: "lost",
      lagMs: null,
      firstUnprocessedAt: null,
      message:
        "the shard is no longer in the stream (trimmed after the retention period) and was not finished: its remaining records were lost",
    });
  }
  return out;
}

/** The largest known shard lag, or undefined when no shard's lag is known. */
export function kclMaxLag(shards: readonly KclShardLag[]): number | undefined {
  let max: number | undefined;
  for (const s of shards) if (s.lagMs !== null && (max === undefined || s.lagMs > max)) max = s.lagMs;
  return max;
}

/**
 * The verdict on one KCL application: its lag is the largest shard lag; lost records fail it; probe
 * errors warn. `history` holds earlier measurements (from `--watch`) for the rising-trend rule.
 */
export function judgeKcl(
  shards: readonly KclShardLag[],
  th: LagThresholds,
  window: LagWindow,
  history: readonly SeriesPoint[] = [],
  retentionMs: number = RETENTION_MS,
): Verdict {
  const fail: string[] = [];
  const warn: string[] = [];
  for (const s of shards) {
    if (s.state === "trimmed") fail.push(`records lost on ${s.shardId}: its checkpoint was trimmed`);
    else if (s.state === "lost")
      fail.push(`records lost on ${s.shardId}: the shard was trimmed before it was finished`);
    else if (s.state === "error") warn.push(`could not probe ${s.shardId}: ${s.message ?? "error"}`);
  }
  const max = kclMaxLag(shards);
  if (max === undefined) {
    return combineVerdict(fail, warn, "no shard's lag could be measured", th);
  }
  const age = ageReasons(max, history, window, th, retentionMs);
  return combineVerdict([...fail, ...age.fail], [...warn, ...age.warn], undefined, th);
}

/** Configuration warnings of a KCL application: open shards nobody leased, leases nobody owns. */
export function kclWarnings(shards: readonly KclShardLag[]): string[] {
  const out: string[] = [];
  const noLease = shards.filter((s) => s.state === "no-lease");
  if (noLease.length > 0) {
    out.push(
      `${noLease.length} open shard${noLease.length === 1 ? " has" : "s have"} no lease yet: ${noLease.map((s) => s.shardId).join(", ")}`,
    );
  }
  const unowned = shards.filter(
    (s) => s.checkpoint !== null && s.leaseOwner === null && s.state !== "finished" && s.state !== "lost",
  );
  if (unowned.length > 0) {
    out.push(
      `${unowned.length} unfinished lease${unowned.length === 1 ? " has" : "s have"} no owner (no worker is processing ${unowned.length === 1 ? "it" : "them"}): ${unowned.map((s) => s.shardId).join(", ")}`,
    );
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// The report
// ---------------------------------------------------------------------------------------------------

/** A Lambda event source mapping, as `lag` describes it (plain values, no SDK types). */
export interface MappingInfo {
  streamArn: string;
  uuid: string;
  functionName: string;
  functionArn: string;
  state: string | null;
  stateTransitionReason: string | null;
  lastProcessingResult: string | null;
  settings: MappingSettings;
  /**
   * Messages waiting in the mapping's SQS on-failure destination (ApproximateNumberOfMessages): each
   * names a failed batch whose records leave the stream 24 h after they arrived. Null when the
   * destination is not an SQS queue or could not be asked.
   */
  onFailureWaiting?: number | null;
}

/** A Lambda event source mapping as `describe` lists it (JSON field names as documented in the README). */
export interface DescribedConsumer {
  uuid: string;
  functionArn: string;
  state: string;
  lastProcessingResult: string | null;
  /** The on-failure destination's ARN, or null. */
  onFailureDestination: string | null;
  /** Messages waiting in an SQS on-failure destination, or null (not a queue, or not known). */
  onFailureWaiting: number | null;
}

/** One Lambda consumer, judged. */
export interface LambdaConsumer extends MappingInfo {
  kind: "lambda";
  /** IteratorAge (Maximum) over the window, oldest first; `complete` is false when CloudWatch left data out. */
  iteratorAge: { series: SeriesPoint[]; complete: boolean };
  /** Sums over the window, or null when the mapping does not publish the EventCount metrics. */
  events: EventCounts | null;
  verdict: Verdict;
  warnings: string[];
}

/** One KCL application (one lease table), judged. */
export interface KclConsumer {
  kind: "kcl";
  streamArn: string;
  leaseTable: string;
  /** When the shards were probed (epoch ms). */
  probedAt: number;
  shards: KclShardLag[];
  /** Earlier measurements of the largest shard lag (`--watch`), oldest first, this one last. */
  history: SeriesPoint[];
  verdict: Verdict;
  warnings: string[];
}

/**
 * A table's Kinesis Data Streams destination, judged: the replication itself (AWS/DynamoDB
 * `AgeOfOldestUnreplicatedRecord`, `FailedToReplicateRecordCount`, `ThrottledPutRecordCount`), and
 * how far the Kinesis stream's readers are (AWS/Kinesis `GetRecords.IteratorAgeMilliseconds`, the
 * enhanced fan-out consumers' `SubscribeToShardEvent.MillisBehindLatest`). The Lambda mappings on the
 * Kinesis stream are Lambda consumers of their own, with `streamArn` the Kinesis stream's.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html
 */
export interface DestinationConsumer {
  kind: "kinesis-destination";
  /** The Kinesis stream. */
  streamArn: string;
  /** The table whose destination it is; null for `lag <kinesis-stream-arn>` (the stream alone). */
  table: string | null;
  /** The destination's status; null for the stream alone (no replication to judge). */
  destinationStatus: string | null;
  /** AgeOfOldestUnreplicatedRecord (Maximum) over the window; null when CloudWatch was not asked. */
  replicationAge: { series: SeriesPoint[]; complete: boolean } | null;
  /** Sums over the window (null: not asked). */
  failedToReplicate: number | null;
  throttledPutRecord: number | null;
  /** GetRecords.IteratorAgeMilliseconds (Maximum) of the stream's polling readers. */
  streamIteratorAge: { series: SeriesPoint[]; complete: boolean } | null;
  /** Enhanced fan-out consumers (ListStreamConsumers) and their MillisBehindLatest (Maximum). */
  efoConsumers: Array<{ name: string; status: string; series: SeriesPoint[] }>;
  verdict: Verdict;
  warnings: string[];
}

/** A consumer of the stream. */
export type LagConsumer = LambdaConsumer | KclConsumer | DestinationConsumer;

/**
 * Judges a Kinesis destination: not replicating (ENABLE_FAILED, DISABLED, …) or records that failed
 * to replicate fail; the age of the oldest unreplicated record is judged like an iterator age; no
 * datapoint is `no-data`; throttled puts and readers of the Kinesis stream over --warn warn.
 */
export function assembleDestinationConsumer(
  input: Omit<DestinationConsumer, "kind" | "verdict" | "warnings">,
  th: LagThresholds,
  window: LagWindow,
): DestinationConsumer {
  const fail: string[] = [];
  const warn: string[] = [];
  const warnings: string[] = [];
  const alone = input.destinationStatus === null;
  const replicating = input.destinationStatus === "ACTIVE" || input.destinationStatus === "UPDATING";
  if (!alone && !replicating)
    fail.push(`the destination is ${input.destinationStatus}: changes are not replicated`);
  if ((input.failedToReplicate ?? 0) > 0) {
    fail.push(`${input.failedToReplicate} records failed to replicate to the Kinesis stream in the window`);
  }
  if ((input.throttledPutRecord ?? 0) > 0) {
    warn.push(
      `${input.throttledPutRecord} records were throttled by the Kinesis stream (not enough shards or capacity)`,
    );
  }
  let noData: string | undefined;
  if (input.replicationAge !== null) {
    const series = sortSeries(input.replicationAge.series);
    const latest = latestPoint(series);
    if (latest) {
      const age = ageReasons(latest.ms, series, window, th);
      fail.push(...age.fail.map((r) => `replication ${r}`));
      warn.push(...age.warn.map((r) => `replication ${r}`));
    } else if (replicating) {
      noData = "no AgeOfOldestUnreplicatedRecord datapoints in the window";
    }
    if (!input.replicationAge.complete) warnings.push("CloudWatch returned partial replication data");
  }
  const streamAge = input.streamIteratorAge ? latestPoint(input.streamIteratorAge.series) : undefined;
  if (streamAge && streamAge.ms > th.warnMs) {
    warn.push(
      `readers of the Kinesis stream are ${formatDuration(streamAge.ms)} behind (GetRecords.IteratorAgeMilliseconds)`,
    );
  }
  for (const c of input.efoConsumers) {
    const l = latestPoint(c.series);
    if (l && l.ms > th.warnMs)
      warn.push(`enhanced fan-out consumer ${c.name} is ${formatDuration(l.ms)} behind`);
  }
  return {
    kind: "kinesis-destination",
    ...input,
    verdict: combineVerdict(fail, warn, noData, th),
    warnings,
  };
}

/** Everything `lag` found. */
export interface LagReport {
  /** The stream asked about (the table's latest stream). */
  streamArn: string;
  /** Every stream covered (`--all-streams`: also the table's older streams). */
  streamArns: string[];
  window: LagWindow;
  consumers: LagConsumer[];
  status: LagStatus;
  /** Things the user should know that are not about one consumer (e.g. "DynamoDB Local has no Lambda"). */
  notes: string[];
}

/** Judges one mapping and gathers its warnings. */
export function assembleLambdaConsumer(
  info: MappingInfo,
  iteratorAge: { series: readonly SeriesPoint[]; complete: boolean },
  events: EventCounts | null,
  th: LagThresholds,
  window: LagWindow,
  nowMs: number,
): LambdaConsumer {
  const series = sortSeries(iteratorAge.series);
  const verdict = judgeLambda(
    {
      state: info.state ?? undefined,
      stateTransitionReason: info.stateTransitionReason ?? undefined,
      lastProcessingResult: info.lastProcessingResult ?? undefined,
      series,
    },
    th,
    window,
    nowMs,
  );
  const warnings = [...mappingWarnings(info.settings), ...eventWarnings(events)];
  const waiting = onFailureWaitingWarning(info);
  if (waiting !== undefined) warnings.push(waiting);
  if (!iteratorAge.complete) warnings.push("CloudWatch returned partial IteratorAge data for this function");
  return {
    ...info,
    kind: "lambda",
    iteratorAge: { series, complete: iteratorAge.complete },
    events,
    verdict,
    warnings,
  };
}

/** Judges one KCL application from its probed shards. */
export function assembleKclConsumer(
  input: {
    streamArn: string;
    leaseTable: string;
    probedAt: number;
    shards: KclShardLag[];
    history: readonly SeriesPoint[];
    noDataReason?: string | undefined;
    /** The stream's retention (default: DynamoDB Streams' 24 h). */
    retentionMs?: number | undefined;
  },
  th: LagThresholds,
  window: LagWindow,
): KclConsumer {
  const max = kclMaxLag(input.shards);
  const history = sortSeries([
    ...input.history.filter((p) => p.t >= window.startMs && p.t < input.probedAt),
    ...(max === undefined ? [] : [{ t: input.probedAt, ms: max }]),
  ]);
  const verdict =
    input.noDataReason !== undefined
      ? combineVerdict([], [], input.noDataReason, th)
      : judgeKcl(input.shards, th, window, history, input.retentionMs);
  return {
    kind: "kcl",
    streamArn: input.streamArn,
    leaseTable: input.leaseTable,
    probedAt: input.probedAt,
    shards: input.shards,
    history,
    verdict,
    warnings: kclWarnings(input.shards),
  };
}

/**
 * Adds the stream-level warnings to each consumer: more readers per shard than DynamoDB recommends,
 * and IteratorAge shared by several mappings of one function (the metric is per function).
 * `lambdaReaders` counts the reading mappings of each stream, including those `--function` left out
 * (they read the shards all the same); without it the listed consumers are counted.
 */
export function addStreamWarnings(
  consumers: LagConsumer[],
  globalTableStreams: ReadonlySet<string>,
  lambdaReaders?: ReadonlyMap<string, number>,
): void {
  const byStream = new Map<string, LagConsumer[]>();
  for (const c of consumers) {
    const list = byStream.get(c.streamArn) ?? [];
    list.push(c);
    byStream.set(c.streamArn, list);
  }
  for (const [arn, list] of byStream) {
    const listed = list.filter((c) => c.kind === "lambda" && countsAsReader(c.state ?? undefined)).length;
    const kclReaders = list.filter(
      (c) => c.kind === "kcl" && c.shards.some((s) => s.leaseOwner !== null),
    ).length;
    const w = readersWarning(lambdaReaders?.get(arn) ?? listed, kclReaders, globalTableStreams.has(arn));
    if (w) for (const c of list) c.warnings.push(w);
  }
  const byFunction = new Map<string, LambdaConsumer[]>();
  for (const c of consumers) {
    if (c.kind !== "lambda") continue;
    const list = byFunction.get(c.functionName) ?? [];
    list.push(c);
    byFunction.set(c.functionName, list);
  }
  for (const list of byFunction.values()) {
    if (list.length < 2) continue;
    for (const c of list) {
      const others = list.filter((o) => o !== c).map((o) => o.uuid);
      c.warnings.push(
        `IteratorAge is published per function: it also covers this function's other mapping${others.length === 1 ? "" : "s"} ${others.join(", ")}`,
      );
    }
  }
}

/** Exit code of a report: 1 when the overall status is `fail`, else 0. */
export function lagExitCode(status: LagStatus): 0 | 1 {
  return status === "fail" ? 1 : 0;
}
