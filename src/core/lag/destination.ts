/**
 * A table's Kinesis Data Streams destination (or a Kinesis stream alone) as a consumer: the
 * replication metrics, the stream's polling readers and enhanced fan-out consumers, judged.
 */
import { formatDuration } from "../duration.js";
import { type LagWindow, latestPoint, type SeriesPoint, sortSeries } from "./series.js";
import { ageReasons, combineVerdict, type LagThresholds, type Verdict } from "./verdict.js";

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
