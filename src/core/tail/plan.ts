/**
 * Where `tail` starts reading: parsing `--from`, and the start position of each shard. DynamoDB
 * Streams has no AT_TIMESTAMP, so a start time reads from TRIM_HORIZON and skips older records
 * (streams-api-and-lag.md §1.4, §2 "LATEST on a stream with many shards", Appendix A step 3).
 */
import { parseTimeOrAgo } from "../duration.js";

/** A GetShardIterator position. */
export type IteratorPosition =
  | { type: "TRIM_HORIZON" }
  | { type: "LATEST" }
  | { type: "AT_SEQUENCE_NUMBER"; sequenceNumber: string }
  | { type: "AFTER_SEQUENCE_NUMBER"; sequenceNumber: string }
  /**
   * Kinesis only: the first record that arrived at or after this time (epoch ms), a real seek.
   * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetShardIterator.html
   */
  | { type: "AT_TIMESTAMP"; timestampMs: number };

/** What `--from` asked for. */
export type FromSpec =
  | { kind: "latest" }
  | { kind: "trim-horizon" }
  /** An ISO-8601 time or a duration ago, as epoch ms. */
  | { kind: "time"; ms: number; text: string };

/** The forms `--from` accepts, for hints. */
export const FROM_FORMS =
  "latest, trim-horizon, an ISO-8601 time (2026-01-31T12:00:00Z) or a duration ago (15m, 2h, 1h30m)";

/** Parses `--from`; undefined when it is none of the accepted forms. */
export function parseFrom(text: string, nowMs: number): FromSpec | undefined {
  const t = text.trim().toLowerCase();
  if (t === "latest" || t === "now") return { kind: "latest" };
  if (t === "trim-horizon" || t === "trim_horizon" || t === "oldest" || t === "beginning") {
    return { kind: "trim-horizon" };
  }
  const ms = parseTimeOrAgo(text, nowMs);
  if (ms === undefined) return undefined;
  return { kind: "time", ms, text: text.trim() };
}

/**
 * The precision of a stream's ApproximateCreationDateTime: AWS rounds it down to the second;
 * DynamoDB Local (whose ARNs name the region `ddblocal`) truncates it to the minute.
 */
export function timestampPrecisionMs(streamArn: string): number {
  return /^arn:[^:]*:dynamodb:ddblocal:/.test(streamArn) ? 60_000 : 1000;
}

/**
 * The earliest creation time (epoch ms) a record may have to be shown, for a start time: the time
 * rounded down to the stream's timestamp precision, because ApproximateCreationDateTime is itself
 * rounded down (a record written at 10:00:00.700 for a start of 10:00:00.500 carries 10:00:00).
 */
export function skipBeforeFor(startMs: number, precisionMs = 1000): number {
  return Math.floor(startMs / precisionMs) * precisionMs;
}

/** True when a record created at `recordMs` is older than the start and must be skipped. */
export function isBeforeStart(recordMs: number | undefined, skipBeforeMs: number | undefined): boolean {
  if (skipBeforeMs === undefined || recordMs === undefined) return false;
  return recordMs < skipBeforeMs;
}

/** How the shards of the first listing start, before lineage is considered. */
export interface StartRules {
  /**
   * `latest`: open shards at LATEST, closed ones not read; `trim-horizon`: every shard from
   * TRIM_HORIZON (also used for a start time, with {@link StartRules.skipBeforeMs}, and for a
   * checkpoint resume).
   */
  mode: "latest" | "trim-horizon";
  /**
   * Kinesis and a start time: every shard of the first listing, and every child whose parents were
   * read, starts AT_TIMESTAMP this time (epoch ms) — a seek, nothing older is read.
   */
  atTimestampMs?: number | undefined;
  /** Positions given explicitly (checkpoint, --after-sequence/--at-sequence), by shard id. */
  explicit?: ReadonlyMap<string, IteratorPosition>;
  /** Shards already read to their end (checkpoint): not read again, their children are. */
  done?: ReadonlySet<string>;
  /** Skip records created before this (epoch ms), in every shard. */
  skipBeforeMs?: number | undefined;
}

/** A human name of a position, for messages: `LATEST`, `TRIM_HORIZON`, `AFTER_SEQUENCE_NUMBER 123`. */
export function describePosition(p: IteratorPosition): string {
  if (p.type === "AT_TIMESTAMP") return `AT_TIMESTAMP ${new Date(p.timestampMs).toISOString()}`;
  return p.type === "AT_SEQUENCE_NUMBER" || p.type === "AFTER_SEQUENCE_NUMBER"
    ? `${p.type} ${p.sequenceNumber}`
    : p.type;
}
