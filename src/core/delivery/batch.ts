/**
 * What the delivery core queues and hands out: a record converted once to what the function receives
 * (an {@link Entry}, in the shape of its source: a DynamoDB stream record, or a Kinesis event record
 * for a change that came through the table's Kinesis destination), batches of entries, and the event
 * a batch is invoked with. Pure.
 */

import { looksLikeKinesisArn } from "../arn.js";
import type { AttributeMap } from "../attr.js";
import { toJsonAttributeMap } from "../attr.js";
import type { KinesisLambdaRecord, LambdaStreamRecord } from "../lambda-record.js";
import { kinesisFilterView, toKinesisLambdaRecord, toLambdaRecord } from "../lambda-record.js";
import type { StreamRecord } from "../record.js";
import { creationTimeMs } from "../record.js";

/** What a mapping's filter sees of a record: the DynamoDB record, or a Kinesis record's `data` view. */
export type FilterView = LambdaStreamRecord | ReturnType<typeof kinesisFilterView>;

/** A record queued for delivery, converted once to what the function receives. */
export interface Entry {
  shardId: string;
  /** The stream it came from: a DynamoDB stream, or a Kinesis data stream. */
  source: "dynamodb" | "kinesis";
  /** The record exactly as Lambda hands it to the function. */
  lambda: LambdaStreamRecord | KinesisLambdaRecord;
  /** Its identity in the shard (what `itemIdentifier` names) and its `eventID`. */
  sequenceNumber: string | undefined;
  eventID: string | undefined;
  /** The change's `eventName` (INSERT, MODIFY, REMOVE), for messages. */
  eventName: string | undefined;
  /** Its time for age and windows (epoch ms): the change's creation, or its arrival in Kinesis. */
  creationMs: number | undefined;
  /** Its size in the event's JSON (UTF-8 bytes). */
  bytes: number;
  /** Its keys, compact (`orderId=order-1`), for messages and lane routing. */
  keys: string;
}

/** A batch handed out for invocation. */
export interface Batch {
  /** Unique within an engine; pass it back to {@link DeliveryEngine.settle}. */
  id: number;
  shardId: string;
  /** The lane (0 … ParallelizationFactor-1) of the shard. */
  lane: number;
  entries: Entry[];
  /** Retries these records have used (counted against MaximumRetryAttempts). */
  retries: number;
  /** Invocations of these records so far (before this one). */
  invocations: number;
  /** Why the batch exists: fresh records, a retry, a half of a bisected batch, or a partial retry. */
  origin: "new" | "retry" | "bisected" | "checkpoint";
  /** The last invocation: its request id and how it ended. */
  lastRequestId: string;
  lastResult: "function-error" | "partial" | undefined;
  /** With a tumbling window: the window (epoch ms), its state as handed to this invocation, final? */
  window?: BatchWindow | undefined;
}

/** The tumbling window of a batch. */
export interface BatchWindow {
  start: number;
  end: number;
  state: unknown;
  final: boolean;
  streamArn: string;
}

/** `2020-07-30T17:00:00Z`, as window bounds appear in the documented events. */
function windowTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/**
 * The event a batch is invoked with: `{"Records":[…]}`, and with a tumbling window also `window`,
 * `state`, `shardId`, `eventSourceARN`, `isFinalInvokeForWindow`, `isWindowTerminatedEarly`.
 */
export function batchEvent(batch: Batch): {
  Records: Array<LambdaStreamRecord | KinesisLambdaRecord>;
  [field: string]: unknown;
} {
  const Records = batch.entries.map((e) => e.lambda);
  const w = batch.window;
  if (w === undefined) return { Records };
  return {
    Records,
    window: { start: windowTime(w.start), end: windowTime(w.end) },
    state: w.state,
    shardId: batch.shardId,
    eventSourceARN: w.streamArn,
    isFinalInvokeForWindow: w.final,
    isWindowTerminatedEarly: false,
  };
}

/** Compact keys `a=1 b="x"` of a Lambda-shape (DynamoDB JSON) key map, in a stable order. */
function keyText(keys: AttributeMap | undefined): string {
  if (keys === undefined) return "";
  return Object.keys(keys)
    .sort()
    .map((k) => {
      const v = keys[k] as unknown as Record<string, unknown>;
      const tag = Object.keys(v)[0] ?? "";
      return `${k}=${String(v[tag])}`;
    })
    .join(" ");
}

const encoder = new TextEncoder();

/**
 * The entry of a record of `shardId`, in the shape of its source, or undefined when `filter` drops
 * it. `streamArn` names the stream for records that do not name theirs.
 */
export function entryOf(
  shardId: string,
  record: StreamRecord,
  streamArn: string,
  filter: ((r: FilterView) => boolean) | undefined,
): Entry | undefined {
  const k = record.kinesis;
  if (k === undefined) {
    // A record that names its stream (a captured Lambda event) keeps it; others get the target's.
    const lambda = toLambdaRecord(record, record.eventSourceARN !== undefined ? {} : { streamArn });
    if (filter !== undefined && !filter(lambda)) return undefined;
    return {
      shardId,
      source: "dynamodb",
      lambda,
      sequenceNumber: lambda.dynamodb.SequenceNumber,
      eventID: lambda.eventID,
      eventName: lambda.eventName,
      creationMs: creationTimeMs(record),
      bytes: encoder.encode(JSON.stringify(lambda)).length,
      keys: keyText(lambda.dynamodb.Keys),
    };
  }
  // Kinesis filters see the decoded data only (with-kinesis-filtering.html).
  if (filter !== undefined && !filter(kinesisFilterView(k))) return undefined;
  const own = k.streamArn ?? (looksLikeKinesisArn(streamArn) ? streamArn : undefined);
  const lambda = toKinesisLambdaRecord(k, { streamArn: own, shardId });
  const keys = record.dynamodb?.Keys;
  return {
    shardId,
    source: "kinesis",
    lambda,
    sequenceNumber: k.sequenceNumber,
    eventID: lambda.eventID,
    eventName: record.eventName,
    // Lambda's record age and windows for Kinesis go by arrival in the stream.
    creationMs: k.arrivalMs ?? creationTimeMs(record),
    bytes: encoder.encode(JSON.stringify(lambda)).length,
    keys: keys === undefined ? `partitionKey=${k.partitionKey}` : keyText(toJsonAttributeMap(keys)),
  };
}
