/**
 * Lambda event source mappings as consumers of a stream: the mapping's verdict (state,
 * LastProcessingResult, IteratorAge), its configuration warnings, its EventCount metrics, and the
 * consumer `lag` reports for it.
 */
import { formatDuration } from "../duration.js";
import { type LagWindow, latestPoint, type SeriesPoint, sortSeries } from "./series.js";
import { ageReasons, combineVerdict, type LagThresholds, type Verdict } from "./verdict.js";

/** True when a mapping's LastProcessingResult reports a problem (`PROBLEM: Function call failed`, …). */
export function isProblemResult(result: string | null | undefined): boolean {
  return result !== null && result !== undefined && /^\s*problem\b/i.test(result);
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
