/**
 * Everything `lag` found: the consumers of every kind, the report, and the warnings that are about a
 * stream rather than one consumer (readers per shard, IteratorAge shared by one function's mappings).
 */
import { looksLikeKinesisArn } from "../arn.js";
import type { DestinationConsumer } from "./destination.js";
import type { KclConsumer } from "./kcl.js";
import { countsAsReader, type LambdaConsumer } from "./lambda.js";
import type { LagWindow } from "./series.js";
import type { LagStatus } from "./verdict.js";

/**
 * The readers-per-shard warning: DynamoDB recommends at most two processes reading a shard at once
 * (one for global tables, whose replication is itself a reader); each event source mapping and each
 * KCL application is one. A Kinesis data stream's shard serves its shared-throughput readers 5
 * GetRecords calls and 2 MB per second in all
 * (https://docs.aws.amazon.com/streams/latest/dev/building-consumers.html); a Lambda mapping or a KCL
 * worker polls each shard about once a second, so beyond five they are throttled, and enhanced
 * fan-out gives each consumer its own throughput.
 */
export function readersWarning(
  lambdaReaders: number,
  kclReaders: number,
  globalTable: boolean,
  kinesis = false,
): string | undefined {
  const total = lambdaReaders + kclReaders;
  const limit = kinesis ? 5 : globalTable ? 1 : 2;
  if (total <= limit) return undefined;
  const parts = [`${lambdaReaders} Lambda mapping${lambdaReaders === 1 ? "" : "s"}`];
  if (kclReaders > 0) parts.push(`${kclReaders} KCL application${kclReaders === 1 ? "" : "s"}`);
  if (kinesis) {
    return `${total} readers per shard (${parts.join(", ")}) share its 5 GetRecords calls and 2 MB per second: beyond five they are throttled; give some of them enhanced fan-out (a registered stream consumer)`;
  }
  return `${total} readers per shard (${parts.join(", ")}): ${
    globalTable
      ? "on a global table AWS recommends one reader besides replication"
      : "more than two readers per shard can be throttled"
  }; every reader also slows the others`;
}

/** A consumer of the stream. */
export type LagConsumer = LambdaConsumer | KclConsumer | DestinationConsumer;

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

/**
 * Adds the stream-level warnings to each consumer: more readers per shard than the stream serves well,
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
    const w = readersWarning(
      lambdaReaders?.get(arn) ?? listed,
      kclReaders,
      globalTableStreams.has(arn),
      looksLikeKinesisArn(arn),
    );
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
